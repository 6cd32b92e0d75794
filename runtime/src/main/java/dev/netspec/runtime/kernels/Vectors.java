package dev.netspec.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exact vector classes of the kernels' one species, with which every kernel types its
 * vectors in place: {@code EXACT.cast(FloatVector.fromArray(S, a, i))} where a vector is made,
 * {@code EXACT.cast(v)} where a loop merges vectors and before a store. The Vector API's shared
 * methods ({@code fma}, {@code add}, {@code intoArray}, ...) dispatch inside the JDK on the
 * vector's class; C2 resolves that statically only when it knows the exact class, and otherwise
 * from the type profile of the JDK's own call site, which every caller in the JVM shares. Once
 * any code in the JVM (a user's, a library's) runs another species through those methods, the
 * profile holds two classes, C2 cannot intrinsify the operation and boxes every vector
 * (measured on JDK 17: a 256 x 256 linear at batch 8, 4 MB a call and 10x slower). A cast to a
 * constant class needs no profile, and {@code Class.cast} is an intrinsic, compiled whatever
 * the method's size: helpers doing the same ({@code load(a, i)}, ...) were methods, which C2
 * stops inlining once a kernel passes its node budget, and then boxed every vector they
 * returned (Linear's one- and two-row tiles, GELU). So the kernels call no method of this
 * class (KernelShapeTest fails the build if one does) and read only its constants. Loaded by
 * {@link VectorBackend} only.
 */
final class Vectors {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  /** The species' vector class, a constant to C2: {@code EXACT.cast(v)} types {@code v}. */
  static final Class<? extends FloatVector> EXACT = S.vectorType().asSubclass(FloatVector.class);
  /** The vector class of ints of the same shape ({@code reinterpretAsInts}), a constant. */
  static final Class<? extends IntVector> EXACT_INTS =
      S.withLanes(int.class).vectorType().asSubclass(IntVector.class);

  private Vectors() {}
}
