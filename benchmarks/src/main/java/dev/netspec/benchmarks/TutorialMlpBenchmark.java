package dev.netspec.benchmarks;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The tutorial's {@code net(X)}: {@code nn.Sequential(Linear(20, 256), ReLU(), Linear(256,
 * 10))} on a {@code (2, 20)} input, on the zero-allocation path. Issue 5's goal: at most
 * 0.5 us and 0 bytes a call.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TutorialMlpBenchmark extends MlpState {
  @Param({"2"})
  int batch;

  /** {@code torch.no_grad()} for the benchmark thread: inference records nothing. */
  @Setup(Level.Iteration)
  public void noGrad() {
    GradMode.setEnabled(false);
  }

  @Setup
  public void setup() throws SafeTensorsException {
    setup("20-256-10", batch, 1);
  }

  @Benchmark
  public Tensor forward() {
    return mlp.forward(x);
  }
}
