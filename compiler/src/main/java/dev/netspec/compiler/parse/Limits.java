package dev.netspec.compiler.parse;

/**
 * The explicit limits of the spec reader. A spec is a small hand-written file; anything
 * beyond these is refused before it can cost much time or memory.
 */
public final class Limits {
  /** Largest spec file, in characters. */
  public static final int MAX_DOCUMENT_CHARS = 1 << 20;
  /** Deepest nesting of mappings and lists. */
  public static final int MAX_DEPTH = 32;
  /** Longest string (a {@code forward:} text included), in characters. */
  public static final int MAX_STRING_CHARS = 64 * 1024;
  /** Longest property name, in characters. */
  public static final int MAX_NAME_CHARS = 256;
  /** Deepest chain of blocks used inside blocks. */
  public static final int MAX_BLOCK_DEPTH = 64;
  /** Most modules in one block's expanded tree (repeats of repeats multiply). */
  public static final int MAX_MODULES = 100_000;
  /** Most repetitions of a {@code repeat}. */
  public static final int MAX_REPEAT = 4096;

  private Limits() {}
}
