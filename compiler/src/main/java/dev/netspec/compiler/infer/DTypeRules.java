package dev.netspec.compiler.infer;

/**
 * Which operations take which dtypes. The runtime computes in float32: arithmetic,
 * functions and layers take float32 tensors; int64 tensors (token ids, masks) go into an
 * {@code embedding} or are compared ({@code mask == 1}, a bool mask). As in PyTorch, arithmetic
 * takes a bool mask as 0s and 1s (the runtime stores it so) and gives float32.
 */
public final class DTypeRules {
  private DTypeRules() {}

  /** {@code a float32 tensor}, {@code an int64 tensor}. */
  public static String aTensor(DType d) {
    return (d == DType.INT64 ? "an " : "a ") + d + " tensor";
  }

  /** What to do when an operation that takes {@code want} got the other dtype. */
  public static String advice(DType want) {
    return want == DType.FLOAT32
        ? "int64 ids go through an embedding layer, or are compared (ids != pad) into a bool"
            + " mask, which arithmetic takes as 0s and 1s"
        : "declare the input as int64, as in [batch, seq, int64]";
  }

  /**
   * Why {@code op} cannot take {@code t} (an int64 tensor), or null when it can (float32, or a
   * bool mask taken as 0s and 1s): the message names the operation, the tensor and what to do.
   */
  public static String floatOnly(String op, Type t) {
    if (t instanceof Type.TensorT x && x.dtype() == DType.INT64 && x.shape().knownRank()) {
      return op + " takes float32 tensors, got " + x + "; " + advice(DType.FLOAT32);
    }
    return null;
  }

  /** Whether {@code got} fits {@code want}: the same tuple structure, dtypes and compatible shapes. */
  public static boolean sameStructure(Type want, Type got) {
    if (want instanceof Type.TensorT a && got instanceof Type.TensorT b) {
      return a.dtype() == b.dtype() && Shape.compatible(a.shape(), b.shape());
    }
    if (want instanceof Type.TupleT a && got instanceof Type.TupleT b && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        if (!sameStructure(a.items().get(i), b.items().get(i))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }
}
