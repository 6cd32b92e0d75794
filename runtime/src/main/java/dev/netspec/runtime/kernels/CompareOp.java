package dev.netspec.runtime.kernels;

/** Comparisons producing float masks: 1 where the comparison holds, else 0 (NaN compares false except NE). */
public enum CompareOp {
  EQ,
  NE,
  LT,
  LE,
  GT,
  GE;

  /** The scalar definition, shared by every backend. */
  boolean test(float x, float y) {
    switch (this) {
      case EQ:
        return x == y;
      case NE:
        return x != y;
      case LT:
        return x < y;
      case LE:
        return x <= y;
      case GT:
        return x > y;
      default:
        return x >= y;
    }
  }
}
