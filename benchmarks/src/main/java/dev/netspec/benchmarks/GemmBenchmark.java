package dev.netspec.benchmarks;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.PackedMatrix;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The GEMM kernel on square {@code n x n x n} problems: {@code 2 n^3} flops per operation, so
 * GFLOP/s = {@code 2 n^3 * (ops/s) / 1e9}. {@code threads} is the kernel thread count.
 */
public class GemmBenchmark extends KernelBenchmark {
  @Param({"64", "256", "512", "1024", "2048"})
  int n;

  @Param({"1"})
  int threads;

  float[] a;
  float[] b;
  float[] c;
  float[] bias;
  PackedMatrix packedB;

  @Setup
  public void setup() {
    Kernels.setThreads(threads);
    Random rnd = new Random(42);
    a = Inputs.gaussian(rnd, n * n);
    b = Inputs.gaussian(rnd, n * n);
    bias = Inputs.gaussian(rnd, n);
    c = new float[n * n];
    packedB = PackedMatrix.pack(n, n, b, 0, n, true);
  }

  /** {@code C = A @ B}, both row-major: B is packed panel by panel inside the call. */
  @Benchmark
  public float[] gemm() {
    Kernels.gemm(n, n, n, a, 0, n, b, 0, n, false, c, 0, n, null, 0, Activation.NONE);
    return c;
  }

  /** {@code C = relu(A @ B^T + bias)} with B stored {@code [n, k]} and packed inside the call. */
  @Benchmark
  public float[] gemmTransposedBiasRelu() {
    Kernels.gemm(n, n, n, a, 0, n, b, 0, n, true, c, 0, n, bias, 0, Activation.RELU);
    return c;
  }

  /** {@code C = relu(A @ B^T + bias)} with B packed once, as a Linear layer's weight is. */
  @Benchmark
  public float[] gemmPackedBiasRelu() {
    Kernels.gemm(n, a, 0, n, packedB, c, 0, n, bias, 0, Activation.RELU);
    return c;
  }
}
