package dev.netspec.benchmarks;

import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.KVCache;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One decode step of one attention layer over a {@link KVCache}, at GPT-2 small's heads (12
 * of 64, batch 1): the new token's keys and values stored at position {@code context - 1},
 * then its query against all {@code context} cached keys and values. Reads {@code 2 * context
 * * 768 * 4} bytes of cache per op (0.79 MB at 128, 3.1 MB at 512); with {@link
 * MemoryBandwidthBenchmark}'s GB/s in the same run, {@code ops/s * that / bandwidth} is the
 * fraction of the bandwidth the step reaches. {@code -prof gc}: 0 B/op once warm.
 */
public class CachedAttentionBenchmark extends KernelBenchmark {
  static final int HEADS = 12;
  static final int HEAD_DIM = 64;

  /** Tokens in the cache, the new one included. */
  @Param({"128", "512"})
  public int context;

  private KVCache cache;
  private Tensor qkv; // (1, 1, 3 * 768): the new token's q | k | v
  private Tensor out; // (1, 1, 768)

  @Setup
  public void setUp() {
    Kernels.setThreads(1);
    Generator g = new Generator(1);
    int width = HEADS * HEAD_DIM;
    cache = new KVCache(1, 1, HEADS, context, HEAD_DIM);
    cache.attend(0, 0, Tensor.randn(g, 1, context - 1, 3 * width)); // the context so far
    qkv = Tensor.randn(g, 1, 1, 3 * width);
    out = Tensor.zeros(1, 1, width);
  }

  @Benchmark
  public Tensor decodeStep() {
    return cache.attendInto(0, context - 1, qkv, out);
  }
}
