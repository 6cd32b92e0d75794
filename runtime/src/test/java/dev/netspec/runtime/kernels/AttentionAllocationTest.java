package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A warm run of the attention kernel allocates nothing: a MiniLM-sized self-attention (12
 * heads of 32, 128 tokens) read from a packed {@code (L, 3E)} projection, with a key padding
 * mask and the log-sum-exp, on one kernel thread. JIT-dependent, so, as {@code
 * ConvAllocationTest}, this runs only with {@code -Dnetspec.allocationTests=true}.
 */
class AttentionAllocationTest {
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmRunsAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int l = 128;
    int e = 32;
    int h = 12;
    int w = 3 * e * h;
    float[] qkv = new float[l * w];
    for (int i = 0; i < qkv.length; i++) {
      qkv[i] = (float) Math.sin(i);
    }
    float[] out = new float[l * e * h];
    float[] padding = new float[l];
    padding[l - 1] = 1;
    float[] lse = new float[h * l];
    Attention att = new Attention().dims(1, h, l, l, e, e)
        .query(qkv, 0, 0, e, w).key(qkv, e * h, 0, e, w).value(qkv, 2 * e * h, 0, e, w)
        .output(out, 0, 0, e, e * h)
        .mask(padding, 0, 0, 0, 0, Attention.MaskMode.IGNORE_WHERE_NONZERO)
        .logSumExp(lse, 0, 0, l);
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
