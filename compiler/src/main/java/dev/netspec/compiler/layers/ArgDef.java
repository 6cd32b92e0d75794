package dev.netspec.compiler.layers;

/**
 * One argument of a builtin layer: {@code defaultValue} is null when the argument is
 * required or, like {@code in_features}, inferred from the input shape; a {@code size} is a
 * positive int (or positive ints), checked where the spec writes it.
 */
public record ArgDef(String name, Type type, Object defaultValue, boolean required, boolean size) {
  /**
   * The type of a layer argument. {@code INT_LIST} takes an int or a list of ints (PyTorch's
   * {@code _pair}), kept as written: a Long or a List of Long; {@code INT_LIST_OR_STRING} also
   * takes a string ({@code padding: same}).
   */
  public enum Type { INT, FLOAT, BOOL, STRING, INT_LIST, INT_LIST_OR_STRING }

  /** A required argument. */
  static ArgDef required(String name, Type type) {
    return new ArgDef(name, type, null, true, false);
  }

  /** An optional argument; a null default means inferred or absent. */
  static ArgDef optional(String name, Type type, Object defaultValue) {
    return new ArgDef(name, type, defaultValue, false, false);
  }

  /** This argument as a size: positive. */
  ArgDef positive() {
    return new ArgDef(name, type, defaultValue, required, true);
  }
}
