package dev.netspec.examples;

import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;

/**
 * {@link ResNetAllocationTest}'s child JVM for the generated ResNet-18's {@code fc} (512 to
 * 1,000 features) at batch 1, a matrix-vector product, on one kernel thread: 100 calls, then
 * rounds of a pause (the JIT compiles meanwhile) and 20 measured calls, until the 20 allocate
 * nothing or {@code args[0]} calls in all were made. Prints the last bytes and the calls made.
 * The calls, not the time, are bounded: a Vector API method allocates until C2 compiles it, and
 * C2 takes a method only after hundreds of calls, however long they take.
 */
final class FcAllocationChild {
  private FcAllocationChild() {}

  public static void main(String[] args) throws InterruptedException {
    int budget = Integer.parseInt(args[0]);
    Kernels.setThreads(1);
    ResNet net = new ResNet(7L);
    net.eval();
    Tensor x = Tensor.rand(new Generator(3), 1, 512);
    Tensor y = Tensor.zeros(1, 1000);
    AllocationProbe.printBytesWithinCalls(() -> net.fc.forward(x, y), 100, budget);
  }
}
