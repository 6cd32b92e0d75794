package dev.netspec.benchmarks;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Linear forward, {@code (batch, features) -> (batch, features)}, one thread: {@code 2 *
 * batch * features^2} flops per operation (the bias is not counted). {@code linear} and
 * {@code linearRelu} call {@code Functional.linear}, which packs the weight inside every
 * call; {@code linearLayer} is {@code nn.Linear}, which packs it once.
 */
public class LinearBenchmark extends KernelBenchmark {
  @Param({"64"})
  int batch;

  @Param({"256", "1024"})
  int features;

  Tensor x;
  Tensor weight;
  Tensor bias;
  Linear layer;

  /** {@code torch.no_grad()} for the benchmark thread: inference records nothing. */
  @Setup(Level.Iteration)
  public void noGrad() {
    GradMode.setEnabled(false);
  }

  @Setup
  public void setup() {
    Random rnd = new Random(7);
    x = Tensor.fromArray(Inputs.gaussian(rnd, batch * features), batch, features);
    weight = Tensor.fromArray(Inputs.gaussian(rnd, features * features), features, features);
    bias = Tensor.fromArray(Inputs.gaussian(rnd, features), features);
    layer = new Linear(features, features);
    layer.weight.data().copy_(weight);
    layer.bias.data().copy_(bias);
  }

  /** {@code nn.Linear} forward: the weight packed once by the layer, a fresh output. */
  @Benchmark
  public Tensor linearLayer() {
    return layer.forward(x);
  }

  @Benchmark
  public Tensor linear() {
    return Functional.linear(x, weight, bias);
  }

  @Benchmark
  public Tensor linearRelu() {
    return Functional.linearRelu(x, weight, bias);
  }
}
