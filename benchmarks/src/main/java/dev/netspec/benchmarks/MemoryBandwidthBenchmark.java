package dev.netspec.benchmarks;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The machine's single-thread read bandwidth from memory, the ceiling of a decode step (which
 * reads every weight and the KV cache once per token): one pass summing a float array far
 * larger than the caches, 4 independent vector accumulators. GB/s = {@code ops/s * mib *
 * 2^20 / 1e9}; a decode step's fraction of it is {@code bytes read per token * tokens/s /
 * (that)}.
 */
public class MemoryBandwidthBenchmark extends KernelBenchmark {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  /** The array's size in MiB: past the last-level cache. */
  @Param({"256"})
  public int mib;

  private float[] data;

  @Setup
  public void setUp() {
    data = new float[mib << 18]; // 2^20 bytes / 4 per float
    for (int i = 0; i < data.length; i++) {
      data[i] = (i & 1023) * 1e-3f;
    }
  }

  @Benchmark
  public float readAll() {
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
