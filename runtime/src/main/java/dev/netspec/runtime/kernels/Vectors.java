package dev.netspec.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectors of the kernels' one species, typed exactly for C2. The Vector API's shared methods
 * ({@code fma}, {@code add}, {@code intoArray}, ...) dispatch inside the JDK on the vector's
 * class; C2 resolves that statically only when it knows the exact class, and otherwise from
 * the type profile of the JDK's own call site, which every caller in the JVM shares. Once
 * any code in the JVM (a user's, a library's) runs another species through those methods,
 * the profile holds two classes, C2 cannot intrinsify the operation and boxes every vector
 * (measured on JDK 17: a 256 x 256 linear at batch 8, 4 MB a call and 10x slower). Vectors
 * made here, and vectors passed through {@link #exact} where a loop merges them, carry the
 * exact class (a cast to a constant class, which needs no profile), so the kernels compile
 * the same whatever else runs. Loaded by {@link VectorBackend} only.
 */
final class Vectors {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  /**
   * The species' vector class, a constant to C2. Kernels at C2's node budget, where these
   * helpers stop being inlined, cast with it in place: {@code (FloatVector) CLASS.cast(v)}
   * (an intrinsic, compiled whatever the budget).
   */
  static final Class<? extends Vector<Float>> CLASS = S.vectorType();
  /** The vector class of ints of the same shape ({@code reinterpretAsInts}), a constant. */
  static final Class<? extends Vector<Integer>> INTS =
      S.withLanes(int.class).vectorType();

  private Vectors() {}

  /** {@code v} typed as the species' exact vector class (a no-op once C2 knows it). */
  static FloatVector exact(FloatVector v) {
    return (FloatVector) CLASS.cast(v);
  }

  /** {@code v} typed as the exact int vector class of the species' shape. */
  static IntVector exact(IntVector v) {
    return (IntVector) INTS.cast(v);
  }

  /** {@code FloatVector.fromArray(SPECIES, a, i)}, exactly typed. */
  static FloatVector load(float[] a, int i) {
    return exact(FloatVector.fromArray(S, a, i));
  }

  /** {@code FloatVector.broadcast(SPECIES, x)}, exactly typed. */
  static FloatVector broadcast(float x) {
    return exact(FloatVector.broadcast(S, x));
  }

  /** {@code FloatVector.zero(SPECIES)}, exactly typed. */
  static FloatVector zero() {
    return exact(FloatVector.zero(S));
  }

  /** {@code v.intoArray(a, i)} on the exactly typed {@code v}. */
  static void store(FloatVector v, float[] a, int i) {
    exact(v).intoArray(a, i);
  }
}
