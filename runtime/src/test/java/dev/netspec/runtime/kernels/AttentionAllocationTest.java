package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A warm run of the attention kernel allocates nothing: a MiniLM-sized self-attention (12
 * heads of 32, 128 tokens) read from a packed {@code (L, 3E)} projection, with a key padding
 * mask and the log-sum-exp (the general algorithm), and with an added mask (the vector
 * backend's own kernel), on one kernel thread. JIT-dependent, so, as {@code
 * ConvAllocationTest}, this runs only with {@code -Dnetspec.allocationTests=true}.
 */
class AttentionAllocationTest {
  private static final int L = 128;
  private static final int E = 32;
  private static final int H = 12;

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmRunsAllocateNothing() {
    float[] padding = new float[L];
    padding[L - 1] = 1;
    Attention att = packed()
        .mask(padding, 0, 0, 0, 0, Attention.MaskMode.IGNORE_WHERE_NONZERO)
        .logSumExp(new float[H * L], 0, 0, L);
    assertWarmRunsAllocateNothing(att);
  }

  /** BERT's case, the vector backend's own kernel ({@link VectorAttention}): an added mask. */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmRunsWithAnAddedMaskAllocateNothing() {
    float[] padding = new float[L];
    padding[L - 1] = -3.4028235e38f;
    assertWarmRunsAllocateNothing(packed().mask(padding, 0, 0, 0, 0, Attention.MaskMode.ADD));
  }

  /** Self-attention over a packed {@code (L, 3E)} projection into an {@code (L, E)} output. */
  private static Attention packed() {
    int w = 3 * E * H;
    float[] qkv = new float[L * w];
    for (int i = 0; i < qkv.length; i++) {
      qkv[i] = (float) Math.sin(i);
    }
    float[] out = new float[L * E * H];
    return new Attention().dims(1, H, L, L, E, E)
        .query(qkv, 0, 0, E, w).key(qkv, E * H, 0, E, w).value(qkv, 2 * E * H, 0, E, w)
        .output(out, 0, 0, E, E * H);
  }

  private static void assertWarmRunsAllocateNothing(Attention att) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int before = Kernels.threads();
    Kernels.setThreads(1);
    try {
      long bytes = Long.MAX_VALUE;
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (bytes != 0 && System.nanoTime() < deadline) {
        for (int i = 0; i < 500; i++) {
          att.run();
        }
        long start = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20; i++) {
          att.run();
        }
        bytes = threads.getCurrentThreadAllocatedBytes() - start;
      }
      assertEquals(0, bytes, "bytes allocated by 20 warm attention runs");
    } finally {
      Kernels.setThreads(before);
    }
  }
}
