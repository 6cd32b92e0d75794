package dev.netspec.compiler;

/**
 * Options of one compilation.
 *
 * @param packageOverride the Java package for every generated class instead of the specs'
 *     {@code package:}, or null to use theirs; it is validated like a spec's package
 */
public record CompilerOptions(String packageOverride) {
  /** No overrides. */
  public static CompilerOptions defaults() {
    return new CompilerOptions(null);
  }
}
