package dev.netspec.compiler.infer;

/** The type of a forward expression: a tensor of a shape, a number, or a condition. */
public sealed interface Type {
  /** A tensor of a shape and an element type. */
  record TensorT(Shape shape, DType dtype) implements Type {
    /** A float32 tensor, the forward language's default. */
    public TensorT(Shape shape) {
      this(shape, DType.FLOAT32);
    }

    @Override
    public String toString() {
      return dtype == DType.FLOAT32
          ? "a tensor of shape " + shape
          : (dtype == DType.INT64 ? "an " : "a ") + dtype + " tensor of shape " + shape;
    }
  }

  /** A number (literals and numeric arguments); {@code integral} for ints. */
  record NumT(boolean integral) implements Type {
    @Override
    public String toString() {
      return integral ? "an int" : "a number";
    }
  }

  /** A truth value ({@code True}, {@code and}, a comparison of numbers). */
  record BoolT() implements Type {
    @Override
    public String toString() {
      return "a boolean";
    }
  }

  /** A list of sizes ({@code (2, -1)}), only as an argument. */
  record TupleT(int size) implements Type {
    @Override
    public String toString() {
      return "a tuple";
    }
  }

  /** The tensor's shape, or null for other types. */
  default Shape shapeOrNull() {
    return this instanceof TensorT t ? t.shape() : null;
  }

  /** A tensor of unknown shape, the type after a reported error. */
  static Type unknownTensor() {
    return new TensorT(Shape.ANY);
  }
}
