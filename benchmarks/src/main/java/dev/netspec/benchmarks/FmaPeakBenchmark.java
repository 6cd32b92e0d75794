package dev.netspec.benchmarks;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The machine's FP32 FMA peak as the Vector API reaches it, the one probe every "share of the
 * peak" in this project divides by (JMH, {@link GemmVsPeak}, {@link AbWorkloads}'
 * {@code fma-peak} and benchmarks/peers.sh, which runs it with 1 and 2 JMH threads): {@link
 * #CHAINS} independent accumulators {@code c += x * y} in registers, no memory traffic. One call
 * is {@link #ITERATIONS} FMAs on each chain, {@link #FLOPS} flops; the {@code flop} counter gives
 * FLOP/s directly (JMH sums it over threads).
 *
 * <p>How it is built, each point measured on the AMD EPYC Zen 3 guest (AVX2) by the thread's CPU
 * time (benchmarks/README.md, "The FMA probe"):
 *
 * <ul>
 *   <li>The chain is the <em>addend</em>, {@code c = x.fma(y, c)}, as in every GEMM and conv
 *       kernel. C2 has only the x86 form whose destination is the addend ({@code vfmadd231ps});
 *       with the chain as the multiplicand ({@code c = c.fma(x, y)}, the probe before) it must
 *       copy the loop-invariant addend into a fresh register before every FMA, and that read
 *       58-79 GFLOP/s where this form reads 94-99 (ONNX Runtime's ResNet-18 reaches 86-89).
 *   <li>Twelve chains below 512-bit vectors: with the two operands they fill 14 of AVX2's 16
 *       registers and cover the FMA latency (4 cycles on 2 pipes needs 8); eight, ten and
 *       fourteen chains read 3-8% lower. Sixteen with 512-bit vectors (32 registers).
 *   <li>{@value #ITERATIONS} steps per call, so setting up and summing the chains is noise: 256
 *       steps read about 15% lower.
 *   <li>The product {@code x * y} is the same every step; fused, it cannot be hoisted out of
 *       the loop, and {@link #check} compares the compiled result with {@link Math#fma} so a
 *       JIT that split the FMA would fail the run rather than time additions.
 * </ul>
 */
public class FmaPeakBenchmark extends KernelBenchmark {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** FMAs per chain per call. */
  public static final int ITERATIONS = 4096;
  /** Independent chains: 16 with 512-bit vectors or wider, else 12. */
  public static final int CHAINS = S.vectorBitSize() >= 512 ? 16 : 12;
  /** Floating-point operations per call (2 per lane per FMA). */
  public static final double FLOPS = 2.0 * ITERATIONS * CHAINS * S.length();
  /**
   * The operands, {@code 1 + 2^-12} both: their product needs more bits than a float has, so
   * fused and unfused steps round differently while the chains, starting near {@code
   * -ITERATIONS / 2}, pass through small values ({@link #check} relies on it). The benchmark
   * reads them from fields so the JIT cannot fold the chains.
   */
  static final float X = 1 + 0x1p-12f;
  static final float Y = X;
  /** Where chain {@code i} starts: {@code START + i}. */
  static final float START = -ITERATIONS / 2;

  /** Counts floating-point operations; JMH reports it per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counters {
    /** Floating-point operations done so far. */
    public long flop;

    /** Clears the count before each iteration. */
    @Setup(Level.Iteration)
    public void clear() {
      flop = 0;
    }
  }

  float x = X;
  float y = Y;
  float last;

  /** {@link #ITERATIONS} FMAs on each of the {@link #CHAINS} chains. */
  @Benchmark
  public float fmaChains(Counters counters) {
    counters.flop += (long) FLOPS;
    return last = chains(x, y);
  }

  /** Fails the run if the timed code did not compute the fused chains. */
  @TearDown(Level.Trial)
  public void check() {
    check(last);
  }

  /**
   * One call of the probe: {@link #ITERATIONS} steps {@code c += xs * ys} on each of the
   * {@link #CHAINS} chains, chain {@code i} starting at {@link #START}{@code  + i}; lane 0 of their
   * sum.
   */
  public static float chains(float xs, float ys) {
    return CHAINS == 16 ? fma16(xs, ys) : fma12(xs, ys);
  }

  /**
   * Throws unless {@code result} is what {@link #chains}{@code (X, Y)} computes with every step
   * fused ({@link Math#fma}), the chains summed in the same order. Unfused steps (a product
   * rounded, then added) give another result for every chain.
   */
  public static void check(float result) {
    float expected = 0;
    for (int i = 0; i < CHAINS; i++) {
      float c = START + i;
      for (int k = 0; k < ITERATIONS; k++) {
        c = Math.fma(X, Y, c);
      }
      expected = i == 0 ? c : expected + c;
    }
    if (Float.floatToIntBits(result) != Float.floatToIntBits(expected)) {
      throw new IllegalStateException("FMA probe computed " + result + ", fused FMAs give "
          + expected + ": the timed loop is not the FMA chain it claims to be");
    }
  }

  private static float fma12(float xs, float ys) {
    FloatVector x = FloatVector.broadcast(S, xs);
    FloatVector y = FloatVector.broadcast(S, ys);
    FloatVector c0 = FloatVector.broadcast(S, START);
    FloatVector c1 = FloatVector.broadcast(S, START + 1);
    FloatVector c2 = FloatVector.broadcast(S, START + 2);
    FloatVector c3 = FloatVector.broadcast(S, START + 3);
    FloatVector c4 = FloatVector.broadcast(S, START + 4);
    FloatVector c5 = FloatVector.broadcast(S, START + 5);
    FloatVector c6 = FloatVector.broadcast(S, START + 6);
    FloatVector c7 = FloatVector.broadcast(S, START + 7);
    FloatVector c8 = FloatVector.broadcast(S, START + 8);
    FloatVector c9 = FloatVector.broadcast(S, START + 9);
    FloatVector c10 = FloatVector.broadcast(S, START + 10);
    FloatVector c11 = FloatVector.broadcast(S, START + 11);
    for (int i = 0; i < ITERATIONS; i++) {
      c0 = x.fma(y, c0);
      c1 = x.fma(y, c1);
      c2 = x.fma(y, c2);
      c3 = x.fma(y, c3);
      c4 = x.fma(y, c4);
      c5 = x.fma(y, c5);
      c6 = x.fma(y, c6);
      c7 = x.fma(y, c7);
      c8 = x.fma(y, c8);
      c9 = x.fma(y, c9);
      c10 = x.fma(y, c10);
      c11 = x.fma(y, c11);
    }
    FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9)
        .add(c10).add(c11);
    return sum.lane(0);
  }

  private static float fma16(float xs, float ys) {
    FloatVector x = FloatVector.broadcast(S, xs);
    FloatVector y = FloatVector.broadcast(S, ys);
    FloatVector c0 = FloatVector.broadcast(S, START);
    FloatVector c1 = FloatVector.broadcast(S, START + 1);
    FloatVector c2 = FloatVector.broadcast(S, START + 2);
    FloatVector c3 = FloatVector.broadcast(S, START + 3);
    FloatVector c4 = FloatVector.broadcast(S, START + 4);
    FloatVector c5 = FloatVector.broadcast(S, START + 5);
    FloatVector c6 = FloatVector.broadcast(S, START + 6);
    FloatVector c7 = FloatVector.broadcast(S, START + 7);
    FloatVector c8 = FloatVector.broadcast(S, START + 8);
    FloatVector c9 = FloatVector.broadcast(S, START + 9);
    FloatVector c10 = FloatVector.broadcast(S, START + 10);
    FloatVector c11 = FloatVector.broadcast(S, START + 11);
    FloatVector c12 = FloatVector.broadcast(S, START + 12);
    FloatVector c13 = FloatVector.broadcast(S, START + 13);
    FloatVector c14 = FloatVector.broadcast(S, START + 14);
    FloatVector c15 = FloatVector.broadcast(S, START + 15);
    for (int i = 0; i < ITERATIONS; i++) {
      c0 = x.fma(y, c0);
      c1 = x.fma(y, c1);
      c2 = x.fma(y, c2);
      c3 = x.fma(y, c3);
      c4 = x.fma(y, c4);
      c5 = x.fma(y, c5);
      c6 = x.fma(y, c6);
      c7 = x.fma(y, c7);
      c8 = x.fma(y, c8);
      c9 = x.fma(y, c9);
      c10 = x.fma(y, c10);
      c11 = x.fma(y, c11);
      c12 = x.fma(y, c12);
      c13 = x.fma(y, c13);
      c14 = x.fma(y, c14);
      c15 = x.fma(y, c15);
    }
    FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9)
        .add(c10).add(c11).add(c12).add(c13).add(c14).add(c15);
    return sum.lane(0);
  }
}
