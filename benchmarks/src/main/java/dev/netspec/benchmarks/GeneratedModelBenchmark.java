package dev.netspec.benchmarks;

import dev.netspec.examples.MnistMlp;
import dev.netspec.examples.ResidualMlp;
import dev.netspec.examples.seed.Mlp;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Generated models from {@code specs/} (the classes in {@code generated-examples}), through
 * their public {@code forward}: PyTorch semantics, a fresh output per layer, each Linear
 * reading its weight packed once. Compare with {@link TutorialMlpBenchmark}, the same
 * tutorial net on the zero-allocation path.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GeneratedModelBenchmark extends KernelBenchmark {
  @Param({"2", "64"})
  int batch;

  Mlp seedMlp; // specs/seed: the tutorial's Sequential(Linear(20, 256), ReLU(), Linear(256, 10))
  MnistMlp mnist; // specs/mnist_mlp.yaml, eval mode
  ResidualMlp residual; // specs/residual_mlp.yaml
  Tensor x20;
  Tensor images;
  Tensor x16;

  @Setup
  public void setup() {
    seedMlp = new Mlp(0);
    mnist = new MnistMlp(0);
    mnist.eval();
    residual = new ResidualMlp(0);
    Random rnd = new Random(3);
    x20 = Inputs.uniform(rnd, 1f, batch, 20);
    images = Inputs.uniform(rnd, 1f, batch, 1, 28, 28);
    x16 = Inputs.uniform(rnd, 1f, batch, 16);
  }

  @Benchmark
  public Tensor seedMlp() {
    return seedMlp.forward(x20);
  }

  @Benchmark
  public Tensor mnistMlp() {
    return mnist.forward(images);
  }

  @Benchmark
  public Tensor residualMlp() {
    return residual.forward(x16);
  }
}
