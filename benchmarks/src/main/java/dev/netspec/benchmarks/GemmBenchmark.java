package dev.netspec.benchmarks;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The GEMM kernel on square {@code n x n x n} problems, one thread: {@code 2 n^3} flops per
 * operation, so GFLOP/s = {@code 2 n^3 * (ops/s) / 1e9}.
 */
public class GemmBenchmark extends KernelBenchmark {
  @Param({"64", "256", "512"})
  int n;

  float[] a;
  float[] b;
  float[] c;
  float[] bias;

  @Setup
  public void setup() {
    Random rnd = new Random(42);
    a = Inputs.gaussian(rnd, n * n);
    b = Inputs.gaussian(rnd, n * n);
    bias = Inputs.gaussian(rnd, n);
    c = new float[n * n];
  }

  /** {@code C = A @ B}, both row-major. */
  @Benchmark
  public float[] gemm() {
    Kernels.gemm(n, n, n, a, 0, n, b, 0, n, false, c, 0, n, null, 0, Activation.NONE);
    return c;
  }

  /** {@code C = relu(A @ B^T + bias)} with B stored {@code [n, k]}, as a Linear weight. */
  @Benchmark
  public float[] gemmTransposedBiasRelu() {
    Kernels.gemm(n, n, n, a, 0, n, b, 0, n, true, c, 0, n, bias, 0, Activation.RELU);
    return c;
  }
}
