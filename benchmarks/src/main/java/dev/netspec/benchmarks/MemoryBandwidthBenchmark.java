package dev.netspec.benchmarks;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The machine's single-thread read bandwidth from memory, the ceiling of a decode step (which
 * reads every weight and the KV cache once per token). {@link #readAll} sums a float array far
 * larger than the last-level cache (512 MiB by default; this guest's L3 is 32 MiB) as {@value
 * #STREAMS} independent sequential streams, one per eighth of the array, each read a cache line
 * (two vector loads) per step into its own accumulator: 13% more than one stream on this guest
 * ({@link #oneStream}, session 9's probe, kept for comparison). Still below what a GPT-2 decode
 * step appears to stream (RESULTS.md, 2026-12-06 20:40: 18.3 GB/s against 23.1 at context 128,
 * measured in the same rounds by {@link DecodeVsBandwidth}); other access patterns read no
 * more, so that gap is open. GB/s = {@code ops/s * mib * 2^20 /
 * 1e9}; a decode step's fraction of it is {@code bytes read per token * tokens/s / (that)}.
 */
public class MemoryBandwidthBenchmark extends KernelBenchmark {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /** Independent streams of {@link #readAll}. */
  static final int STREAMS = 8;

  /** The array's size in MiB: far past the last-level cache. */
  @Param({"512"})
  public int mib;

  private float[] data;

  @Setup
  public void setUp() {
    data = array(mib);
  }

  /** A float array of {@code mib} MiB, every page written. */
  static float[] array(int mib) {
    float[] data = new float[mib << 18]; // 2^20 bytes / 4 per float
    for (int i = 0; i < data.length; i++) {
      data[i] = (i & 1023) * 1e-3f;
    }
    return data;
  }

  /** The probe: the whole array once, as {@value #STREAMS} streams. */
  @Benchmark
  public float readAll() {
    return eightStreams(data);
  }

  /** The session-9 probe: the whole array once, as one stream with 4 accumulators. */
  @Benchmark
  public float oneStream() {
    return oneStream(data);
  }

  /** The sum of {@code data}, read as eight streams of a cache line a step each. */
  static float eightStreams(float[] data) {
    int v = S.length();
    int step = 2 * v; // 64 bytes with 256-bit vectors
    int part = data.length / STREAMS / step * step; // each stream's length, whole steps
    int p1 = part;
    int p2 = 2 * part;
    int p3 = 3 * part;
    int p4 = 4 * part;
    int p5 = 5 * part;
    int p6 = 6 * part;
    int p7 = 7 * part;
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    FloatVector a6 = a0;
    FloatVector a7 = a0;
    for (int i = 0; i < part; i += step) {
      a0 = a0.add(FloatVector.fromArray(S, data, i)).add(FloatVector.fromArray(S, data, i + v));
      a1 = a1.add(FloatVector.fromArray(S, data, p1 + i))
          .add(FloatVector.fromArray(S, data, p1 + i + v));
      a2 = a2.add(FloatVector.fromArray(S, data, p2 + i))
          .add(FloatVector.fromArray(S, data, p2 + i + v));
      a3 = a3.add(FloatVector.fromArray(S, data, p3 + i))
          .add(FloatVector.fromArray(S, data, p3 + i + v));
      a4 = a4.add(FloatVector.fromArray(S, data, p4 + i))
          .add(FloatVector.fromArray(S, data, p4 + i + v));
      a5 = a5.add(FloatVector.fromArray(S, data, p5 + i))
          .add(FloatVector.fromArray(S, data, p5 + i + v));
      a6 = a6.add(FloatVector.fromArray(S, data, p6 + i))
          .add(FloatVector.fromArray(S, data, p6 + i + v));
      a7 = a7.add(FloatVector.fromArray(S, data, p7 + i))
          .add(FloatVector.fromArray(S, data, p7 + i + v));
    }
    float sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
        .reduceLanes(VectorOperators.ADD);
    for (int i = STREAMS * part; i < data.length; i++) {
      sum += data[i];
    }
    return sum;
  }

  /** The sum of {@code data}, read front to back with 4 vector accumulators. */
  static float oneStream(float[] data) {
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = FloatVector.zero(S);
    FloatVector a2 = FloatVector.zero(S);
    FloatVector a3 = FloatVector.zero(S);
    int step = 4 * S.length();
    int bound = data.length - data.length % step;
    for (int i = 0; i < bound; i += step) {
      a0 = a0.add(FloatVector.fromArray(S, data, i));
      a1 = a1.add(FloatVector.fromArray(S, data, i + S.length()));
      a2 = a2.add(FloatVector.fromArray(S, data, i + 2 * S.length()));
      a3 = a3.add(FloatVector.fromArray(S, data, i + 3 * S.length()));
    }
    float sum = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    for (int i = bound; i < data.length; i++) {
      sum += data[i];
    }
    return sum;
  }
}
