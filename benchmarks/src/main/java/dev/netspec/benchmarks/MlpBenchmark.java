package dev.netspec.benchmarks;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One forward of the 784-1024-1024-10 MLP (Linear, ReLU, Linear, ReLU, Linear) on the
 * zero-allocation path: {@code 2 * batch * (784*1024 + 1024*1024 + 1024*10)} flops.
 * {@code threads} is the kernel thread count ({@code Kernels.setThreads}).
 */
public class MlpBenchmark extends MlpState {
  @Param({"784-1024-1024-10"})
  String model;

  @Param({"1", "32", "256"})
  int batch;

  @Param({"1", "2"})
  int threads;

  /** {@code torch.no_grad()} for the benchmark thread: inference records nothing. */
  @Setup(Level.Iteration)
  public void noGrad() {
    GradMode.setEnabled(false);
  }

  @Setup
  public void setup() throws SafeTensorsException {
    setup(model, batch, threads);
  }

  @Benchmark
  public Tensor forward() {
    return mlp.forward(x);
  }
}
