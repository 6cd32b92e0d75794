package dev.netspec.compiler.layers;

/**
 * One argument of a builtin layer: {@code defaultValue} is null when the argument is
 * required or, like {@code in_features}, inferred from the input shape.
 */
public record ArgDef(String name, Type type, Object defaultValue, boolean required) {
  /** The type of a layer argument. */
  public enum Type { INT, FLOAT, BOOL, STRING, INT_LIST }

  /** A required argument. */
  static ArgDef required(String name, Type type) {
    return new ArgDef(name, type, null, true);
  }

  /** An optional argument; a null default means inferred or absent. */
  static ArgDef optional(String name, Type type, Object defaultValue) {
    return new ArgDef(name, type, defaultValue, false);
  }
}
