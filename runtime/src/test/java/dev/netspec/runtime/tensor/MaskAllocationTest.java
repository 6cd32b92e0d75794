package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Warm {@code out=} forms of the mask operations allocate nothing, as a generated causal
 * attention runs them: {@code arange(seq)[None, :] > arange(seq)[:, None]} (two broadcast
 * views), {@code masked_fill} of (batch, heads, seq, seq) scores with it, {@code where} with a
 * number, {@code tril}/{@code triu}, and {@code contiguous} of a transposed view. JIT-dependent
 * (escape analysis of the views made here), so, as {@code AttentionAllocationTest}, only with
 * {@code -Dnetspec.allocationTests=true}.
 */
class MaskAllocationTest {
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmMaskOpsIntoBuffersAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int seq = 24;
    Tensor ids = Out.arange(0, Tensor.zeros(DType.INT64, seq));
    Tensor row = ids.unsqueeze(0); // made once, as a generated workspace's view fields are
    Tensor col = ids.unsqueeze(1);
    Tensor scores = Tensor.rand(new Generator(1L), 2, 3, seq, seq);
    Tensor future = Tensor.zeros(seq, seq);
    Tensor filled = Tensor.zeros(2, 3, seq, seq);
    Tensor bias = Tensor.zeros(seq, seq);
    Tensor low = Tensor.zeros(seq, seq);
    Tensor up = Tensor.zeros(seq, seq);
    Tensor transposed = scores.transpose(1, 2);
    Tensor dense = Tensor.zeros(2, seq, 3, seq);
    Runnable call = () -> {
      Out.gt(row, col, future);
      Out.maskedFill(scores, future, Float.NEGATIVE_INFINITY, filled);
      Out.where(future, Float.NEGATIVE_INFINITY, 0f, bias);
      Out.tril(future, -1, low);
      Out.triu(bias, 0, up);
      transposed.copyInto(dense);
    };
    long bytes = Long.MAX_VALUE;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (bytes != 0 && System.nanoTime() < deadline) {
      for (int i = 0; i < 500; i++) {
        call.run();
      }
      long start = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 20; i++) {
        call.run();
      }
      bytes = threads.getCurrentThreadAllocatedBytes() - start;
    }
    assertEquals(0, bytes, "bytes allocated by 20 warm rounds of the mask ops");
    assertEquals(1f, future.get(0, 1), "j > i");
    assertEquals(Float.NEGATIVE_INFINITY, filled.get(1, 2, 3, 5));
  }
}
