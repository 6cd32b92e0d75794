package dev.netspec.runtime.kernels;

import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link OtherSpeciesTest}'s child JVM. */
final class OtherSpeciesChild {
  private OtherSpeciesChild() {}

  /** The child: uses another species hard, then prints the bytes of 200 warm forwards. */
  public static void main(String[] args) {
    VectorSpecies<Float> other = VectorBackend.SPECIES.vectorBitSize() == 128
        ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    float[] b = new float[1024];
    float acc = 0;
    for (int r = 0; r < 20_000; r++) {
      FloatVector v = FloatVector.zero(other);
      for (int i = 0; i < other.loopBound(b.length); i += other.length()) {
        v = v.add(FloatVector.fromArray(other, b, i)).mul(1.0001f);
      }
      acc += v.reduceLanes(VectorOperators.ADD);
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Linear linear = new Linear(256, 256);
    Tensor x = Tensor.rand(new Generator(1), 8, 256);
    Tensor out = Tensor.zeros(8, 256);
    long bytes = Long.MAX_VALUE;
    for (int round = 0; round < 40 && bytes != 0; round++) {
      for (int i = 0; i < 500; i++) {
        linear.forwardInto(x, Activation.NONE, out);
      }
      long start = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 200; i++) {
        linear.forwardInto(x, Activation.NONE, out);
      }
      bytes = threads.getCurrentThreadAllocatedBytes() - start;
    }
    System.out.println(bytes + (acc == 0 ? "" : " "));
  }
}
