package dev.netspec.peers;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The FP32 FMA peak of one core as the JVM reaches it: {@value #CHAINS} independent chains of
 * {@code c = c * x + y} on the preferred vector species, so the FMA units never wait on a result.
 *
 * <p>Sixteen chains cover an FMA latency of 4 cycles on 2 ports twice over and fit in the 32
 * AVX-512 registers. With narrower vectors (AVX2: 16 registers) sixteen chains and the two
 * operands do not fit, and the spills made the "peak" read below what ONNX Runtime reaches on
 * ResNet-18; there twelve chains run, which still cover the latency. The {@code flop} counter
 * reports FLOP/s (2 per lane per fma); run with {@code -t 2} for both cores, where JMH sums the
 * threads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class FmaPeak {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  static final boolean WIDE = SPECIES.vectorBitSize() >= 512;
  static final int CHAINS = WIDE ? 16 : 12;
  static final int STEPS = 256;
  static final long FLOP_PER_CALL = 2L * SPECIES.length() * CHAINS * STEPS;

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

  // Fields, not constants, so the JIT cannot fold the chains. c converges to y / (1 - x) = 1:
  // no overflow, no denormals.
  float x = 0.999f;
  float y = 0.001f;

  /** One call: {@value #STEPS} fma steps on each of the {@value #CHAINS} chains. */
  @Benchmark
  public float fma(Counters counters) {
    return WIDE ? fma16(counters) : fma12(counters);
  }

  private float fma12(Counters counters) {
    FloatVector vx = FloatVector.broadcast(SPECIES, x);
    FloatVector vy = FloatVector.broadcast(SPECIES, y);
    FloatVector c0 = FloatVector.broadcast(SPECIES, 0.00f);
    FloatVector c1 = FloatVector.broadcast(SPECIES, 0.01f);
    FloatVector c2 = FloatVector.broadcast(SPECIES, 0.02f);
    FloatVector c3 = FloatVector.broadcast(SPECIES, 0.03f);
    FloatVector c4 = FloatVector.broadcast(SPECIES, 0.04f);
    FloatVector c5 = FloatVector.broadcast(SPECIES, 0.05f);
    FloatVector c6 = FloatVector.broadcast(SPECIES, 0.06f);
    FloatVector c7 = FloatVector.broadcast(SPECIES, 0.07f);
    FloatVector c8 = FloatVector.broadcast(SPECIES, 0.08f);
    FloatVector c9 = FloatVector.broadcast(SPECIES, 0.09f);
    FloatVector c10 = FloatVector.broadcast(SPECIES, 0.10f);
    FloatVector c11 = FloatVector.broadcast(SPECIES, 0.11f);
    for (int i = 0; i < STEPS; i++) {
      c0 = c0.fma(vx, vy);
      c1 = c1.fma(vx, vy);
      c2 = c2.fma(vx, vy);
      c3 = c3.fma(vx, vy);
      c4 = c4.fma(vx, vy);
      c5 = c5.fma(vx, vy);
      c6 = c6.fma(vx, vy);
      c7 = c7.fma(vx, vy);
      c8 = c8.fma(vx, vy);
      c9 = c9.fma(vx, vy);
      c10 = c10.fma(vx, vy);
      c11 = c11.fma(vx, vy);
    }
    counters.flop += FLOP_PER_CALL;
    FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7)
        .add(c8).add(c9).add(c10).add(c11);
    return sum.reduceLanes(VectorOperators.ADD);
  }

  private float fma16(Counters counters) {
    FloatVector vx = FloatVector.broadcast(SPECIES, x);
    FloatVector vy = FloatVector.broadcast(SPECIES, y);
    FloatVector c0 = FloatVector.broadcast(SPECIES, 0.00f);
    FloatVector c1 = FloatVector.broadcast(SPECIES, 0.01f);
    FloatVector c2 = FloatVector.broadcast(SPECIES, 0.02f);
    FloatVector c3 = FloatVector.broadcast(SPECIES, 0.03f);
    FloatVector c4 = FloatVector.broadcast(SPECIES, 0.04f);
    FloatVector c5 = FloatVector.broadcast(SPECIES, 0.05f);
    FloatVector c6 = FloatVector.broadcast(SPECIES, 0.06f);
    FloatVector c7 = FloatVector.broadcast(SPECIES, 0.07f);
    FloatVector c8 = FloatVector.broadcast(SPECIES, 0.08f);
    FloatVector c9 = FloatVector.broadcast(SPECIES, 0.09f);
    FloatVector c10 = FloatVector.broadcast(SPECIES, 0.10f);
    FloatVector c11 = FloatVector.broadcast(SPECIES, 0.11f);
    FloatVector c12 = FloatVector.broadcast(SPECIES, 0.12f);
    FloatVector c13 = FloatVector.broadcast(SPECIES, 0.13f);
    FloatVector c14 = FloatVector.broadcast(SPECIES, 0.14f);
    FloatVector c15 = FloatVector.broadcast(SPECIES, 0.15f);
    for (int i = 0; i < STEPS; i++) {
      c0 = c0.fma(vx, vy);
      c1 = c1.fma(vx, vy);
      c2 = c2.fma(vx, vy);
      c3 = c3.fma(vx, vy);
      c4 = c4.fma(vx, vy);
      c5 = c5.fma(vx, vy);
      c6 = c6.fma(vx, vy);
      c7 = c7.fma(vx, vy);
      c8 = c8.fma(vx, vy);
      c9 = c9.fma(vx, vy);
      c10 = c10.fma(vx, vy);
      c11 = c11.fma(vx, vy);
      c12 = c12.fma(vx, vy);
      c13 = c13.fma(vx, vy);
      c14 = c14.fma(vx, vy);
      c15 = c15.fma(vx, vy);
    }
    counters.flop += FLOP_PER_CALL;
    FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7)
        .add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15);
    return sum.reduceLanes(VectorOperators.ADD);
  }
}
