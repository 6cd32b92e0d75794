package dev.netspec.runtime.kernels;

/** Elementwise binary operations with a vector kernel. */
public enum BinaryOp {
  ADD,
  SUB,
  MUL,
  DIV,
  /** {@code Math.max}: NaN if either operand is NaN. */
  MAX,
  /** {@code Math.min}: NaN if either operand is NaN. */
  MIN;

  /** The scalar definition, shared by every backend. */
  float apply(float x, float y) {
    switch (this) {
      case ADD:
        return x + y;
      case SUB:
        return x - y;
      case MUL:
        return x * y;
      case DIV:
        return x / y;
      case MAX:
        return Math.max(x, y);
      default:
        return Math.min(x, y);
    }
  }
}
