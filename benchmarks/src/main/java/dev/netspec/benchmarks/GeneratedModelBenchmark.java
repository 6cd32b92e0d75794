package dev.netspec.benchmarks;

import dev.netspec.examples.MnistMlp;
import dev.netspec.examples.ResidualMlp;
import dev.netspec.examples.seed.FixedHiddenMlp;
import dev.netspec.examples.seed.Mlp;
import dev.netspec.examples.seed.TwoLayer;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Generated models from {@code specs/} (the classes in {@code generated-examples}) on their
 * two forwards, one kernel thread: {@code forwardInto} calls {@code forward(x, output)},
 * which reuses the block's buffers and the caller's output (issue 5: 0 B/op for the
 * tutorial's 20-256-10 MLP at batch 2), and {@code forward} calls the PyTorch-like
 * {@code forward(x)}, which allocates its result. See the bytes with {@code -prof gc}:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar GeneratedModelBenchmark -p batch=2 -prof gc
 * </pre>
 *
 * <p>Models: {@code mlp} (specs/seed/mlp.yaml's Sequential), {@code two_layer} (its custom
 * MLP block), {@code fixed_hidden} (FixedHiddenMLP: a matmul, a reused layer, a while
 * loop), {@code mnist_mlp} (eval mode) and {@code residual_mlp} (LayerNorm and GELU; its
 * LayerNorm still allocates).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GeneratedModelBenchmark extends KernelBenchmark {
  @Param({"mlp", "two_layer", "fixed_hidden", "mnist_mlp", "residual_mlp"})
  String model;

  @Param({"2", "64"})
  int batch;

  private Module net;
  private Tensor x;
  private Tensor output;

  /** {@code torch.no_grad()} for the benchmark thread: inference records nothing. */
  @Setup(Level.Iteration)
  public void noGrad() {
    GradMode.setEnabled(false);
  }

  @Setup
  public void setup() {
    Kernels.setThreads(1);
    GradMode.setEnabled(false);
    Random rnd = new Random(3);
    switch (model) {
      case "mlp":
        net = new Mlp(0L);
        x = Inputs.uniform(rnd, 1f, batch, 20);
        break;
      case "two_layer":
        net = new TwoLayer(0L);
        x = Inputs.uniform(rnd, 1f, batch, 20);
        break;
      case "fixed_hidden":
        net = new FixedHiddenMlp(0L);
        x = Inputs.uniform(rnd, 1f, batch, 20);
        break;
      case "mnist_mlp":
        net = new MnistMlp(0L);
        x = Inputs.uniform(rnd, 1f, batch, 1, 28, 28);
        break;
      case "residual_mlp":
        net = new ResidualMlp(0L);
        x = Inputs.uniform(rnd, 1f, batch, 16);
        break;
      default:
        throw new IllegalArgumentException("unknown model " + model);
    }
    net.eval();
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
