package dev.netspec.benchmarks;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The machine's single-thread FMA peak as the Vector API reaches it: {@link #CHAINS}
 * independent FMA chains in registers, no memory traffic. One operation is {@code ITERATIONS
 * * CHAINS} vector FMAs, {@code 2 * lanes} flops each: GFLOP/s = {@code ops/s * }{@link
 * #FLOPS}{@code  / 1e9}.
 *
 * <p>The chains and their two operands must all stay in registers. With 512-bit vectors (32
 * registers) sixteen chains run; with narrower ones (AVX2: 16 registers) twelve, which still
 * cover the FMA latency (4 cycles on 2 pipes needs 8): sixteen chains there spill, and on the
 * AMD EPYC Zen 3 guest this project measures on they read 78 GFLOP/s against 84 for twelve (and
 * ten) chains, by the thread's CPU time in the same JVM: 32 flops per cycle at 2.6 GHz, the
 * rate ONNX Runtime's own kernels reach there.
 */
public class FmaPeakBenchmark extends KernelBenchmark {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** Vector FMAs per chain per operation. */
  public static final int ITERATIONS = 4096;
  /** Independent chains: 16 with 512-bit vectors or wider, else 12. */
  public static final int CHAINS = S.vectorBitSize() >= 512 ? 16 : 12;
  /** Floating-point operations per operation (2 per lane per FMA). */
  public static final double FLOPS = 2.0 * ITERATIONS * CHAINS * S.length();

  // Fields, not constants, so the JIT cannot fold the chains; a converges to 1: no overflow,
  // no denormals.
  float scale = 0.999f;
  float shift = 0.001f;

  /** {@link #ITERATIONS} FMAs on each of the {@link #CHAINS} chains. */
  @Benchmark
  public float fmaChains() {
    return CHAINS == 16 ? fma16() : fma12();
  }

  private float fma12() {
    FloatVector x = FloatVector.broadcast(S, scale);
    FloatVector y = FloatVector.broadcast(S, shift);
    FloatVector a0 = FloatVector.broadcast(S, 1f);
    FloatVector a1 = a0.add(y);
    FloatVector a2 = a1.add(y);
    FloatVector a3 = a2.add(y);
    FloatVector a4 = a3.add(y);
    FloatVector a5 = a4.add(y);
    FloatVector a6 = a5.add(y);
    FloatVector a7 = a6.add(y);
    FloatVector a8 = a7.add(y);
    FloatVector a9 = a8.add(y);
    FloatVector a10 = a9.add(y);
    FloatVector a11 = a10.add(y);
    for (int i = 0; i < ITERATIONS; i++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
      a8 = a8.fma(x, y);
      a9 = a9.fma(x, y);
      a10 = a10.fma(x, y);
      a11 = a11.fma(x, y);
    }
    FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9)
        .add(a10).add(a11);
    return sum.reduceLanes(VectorOperators.ADD);
  }

  private float fma16() {
    FloatVector x = FloatVector.broadcast(S, scale);
    FloatVector y = FloatVector.broadcast(S, shift);
    FloatVector a0 = FloatVector.broadcast(S, 1f);
    FloatVector a1 = a0.add(y);
    FloatVector a2 = a1.add(y);
    FloatVector a3 = a2.add(y);
    FloatVector a4 = a3.add(y);
    FloatVector a5 = a4.add(y);
    FloatVector a6 = a5.add(y);
    FloatVector a7 = a6.add(y);
    FloatVector a8 = a7.add(y);
    FloatVector a9 = a8.add(y);
    FloatVector a10 = a9.add(y);
    FloatVector a11 = a10.add(y);
    FloatVector a12 = a11.add(y);
    FloatVector a13 = a12.add(y);
    FloatVector a14 = a13.add(y);
    FloatVector a15 = a14.add(y);
    for (int i = 0; i < ITERATIONS; i++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
      a8 = a8.fma(x, y);
      a9 = a9.fma(x, y);
      a10 = a10.fma(x, y);
      a11 = a11.fma(x, y);
      a12 = a12.fma(x, y);
      a13 = a13.fma(x, y);
      a14 = a14.fma(x, y);
      a15 = a15.fma(x, y);
    }
    FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9)
        .add(a10).add(a11).add(a12).add(a13).add(a14).add(a15);
    return sum.reduceLanes(VectorOperators.ADD);
  }
}
