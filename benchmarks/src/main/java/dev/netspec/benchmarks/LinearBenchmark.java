package dev.netspec.benchmarks;

import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@code Functional.linear} forward, {@code (batch, features) -> (batch, features)}, one
 * thread: {@code 2 * batch * features^2} flops per operation (the bias is not counted).
 */
public class LinearBenchmark extends KernelBenchmark {
  @Param({"64"})
  int batch;

  @Param({"256", "1024"})
  int features;

  Tensor x;
  Tensor weight;
  Tensor bias;

  @Setup
  public void setup() {
    Random rnd = new Random(7);
    x = Tensor.fromArray(Inputs.gaussian(rnd, batch * features), batch, features);
    weight = Tensor.fromArray(Inputs.gaussian(rnd, features * features), features, features);
    bias = Tensor.fromArray(Inputs.gaussian(rnd, features), features);
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
