package dev.netspec.examples;

import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ResNetAllocationTest}'s child JVM: warms the generated ResNet-18's {@code forward(x,
 * output)} at 1x3x32x32 on one kernel thread, then prints the bytes 20 calls allocate once
 * that is 0 (or after {@code args[1]} seconds) and the forwards it took. With {@code args[0]}
 * {@code other-species} it first runs Vector API code of a species the kernels do not use, as
 * an application might. With {@code batch8} it warms a batch of 8 for 40 forwards, then
 * measures 20 at a time after a pause, up to {@code args[1]} forwards in all. With {@code
 * batch8-224} it runs 8x3x224x224 on {@code args[1]} kernel threads, {@code args[2]} forwards
 * to warm up, then prints what the next {@code args[3]} allocate on every thread that runs them
 * ({@link AllocationProbe#printBytesWithWorkers}).
 */
final class ResNetAllocationChild {
  private ResNetAllocationChild() {}

  public static void main(String[] args) throws InterruptedException {
    if ("batch8-224".equals(args[0])) {
      Kernels.setThreads(Integer.parseInt(args[1]));
      ResNet net = new ResNet(7L);
      net.eval();
      Tensor x = Tensor.rand(new Generator(3), 8, 3, 224, 224);
      Tensor y = Tensor.zeros(8, 1000);
      AllocationProbe.printBytesWithWorkers(() -> net.forward(x, y), Integer.parseInt(args[2]),
          Integer.parseInt(args[3]));
      return;
    }
    Kernels.setThreads(1);
    if ("batch8".equals(args[0])) {
      ResNet net = new ResNet(7L);
      net.eval();
      Tensor x = Tensor.rand(new Generator(3), 8, 3, 32, 32);
      Tensor y = Tensor.zeros(8, 1000);
      AllocationProbe.printBytesWithinCalls(() -> net.forward(x, y), 40,
          Integer.parseInt(args[1]));
      return;
    }
    float sink = "other-species".equals(args[0]) ? otherSpecies() : 0f;
    long seconds = Long.parseLong(args[1]);
    ResNet net = new ResNet(7L);
    net.eval();
    Tensor x = Tensor.rand(new Generator(3), 1, 3, 32, 32);
    Tensor y = Tensor.zeros(1, 1000);
    AllocationProbe.printBytesOnceWarm(() -> net.forward(x, y), seconds, sink == 0 ? "" : " ");
  }

  /** Vector API code of a 128-bit species (256-bit where the kernels use 128), run hot. */
  private static float otherSpecies() {
    VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
    VectorSpecies<Float> other = preferred.vectorBitSize() == 128
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
    return acc;
  }
}
