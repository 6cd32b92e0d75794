package dev.netspec.benchmarks;

import dev.netspec.examples.seed.FixedHiddenMlp;
import dev.netspec.examples.seed.Mlp;
import dev.netspec.examples.seed.TwoLayer;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Generated classes ({@code generated-examples}) on their two forwards, one thread:
 * {@code forward(x, output)}, which reuses the block's buffers and the caller's output
 * (issue 5: 0 B/op for the tutorial's 20-256-10 MLP at batch 2; see it with {@code -prof
 * gc}), and {@code forward(x)}, which allocates only its result.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GeneratedModelBenchmark -prof gc
 * </pre>
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GeneratedModelBenchmark extends KernelBenchmark {
  /** {@code mlp}: the tutorial's Sequential; {@code two_layer}: its custom MLP block;
   * {@code fixed_hidden}: FixedHiddenMLP (a matmul, a reused layer, a while loop). */
  @Param({"mlp", "two_layer", "fixed_hidden"})
  String model;

  @Param({"2"})
  int batch;

  private Module net;
  private Tensor x;
  private Tensor output;

  @Setup
  public void setup() {
    Kernels.setThreads(1);
    switch (model) {
      case "mlp":
        net = new Mlp(0L);
        break;
      case "two_layer":
        net = new TwoLayer(0L);
        break;
      case "fixed_hidden":
        net = new FixedHiddenMlp(0L);
        break;
      default:
        throw new IllegalArgumentException("unknown model " + model);
    }
    net.eval();
    x = Inputs.uniform(new Random(1), 1f, batch, 20);
    output = net.forward(x).clone();
  }

  /** The zero-allocation path: buffers sized once per batch size, output owned by the caller. */
  @Benchmark
  public Tensor forwardInto() {
    return net.forward(x, output);
  }

  /** The PyTorch-like call: the same work plus one new result tensor. */
  @Benchmark
  public Tensor forward() {
    return net.forward(x);
  }
}
