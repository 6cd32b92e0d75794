package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Multi-head attention's {@code forwardInto} takes its in-place path for every kind of mask
 * and weights record that path is for (its fallback, the allocating forward and a copy, gives
 * the same floats, so only allocation tells them apart). Split from {@code
 * IntoPathAllocationTest}: a mutation run of {@code MultiheadAttention} runs this class alone,
 * since with {@code MultiheadAttention} instrumented for coverage the decoder layer's case
 * there allocates. JIT-dependent, so only with {@code -Dnetspec.allocationTests=true} or
 * {@code =paths}; each case is measured for up to 3 minutes, as a loaded machine may need.
 */
class AttentionPathAllocationTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true|paths",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true (or =paths)")
  @Test
  void warmAttentionIntoEveryRecordAllocatesNothing() {
    int n = 2;
    int l = 5;
    int s = 7;
    for (boolean batchFirst : new boolean[] {true, false}) {
      MultiheadAttention mha = new MultiheadAttention(16, 2, 0.1, true, batchFirst).eval();
      String what = batchFirst ? "batch first" : "sequence first";
      Tensor q = batchFirst ? randn(1, n, l, 16) : randn(1, l, n, 16);
      Tensor kv = batchFirst ? randn(2, n, s, 16) : randn(2, s, n, 16);
      Tensor out = Tensor.zeros(q.shape());
      AttentionMask causal = AttentionMask.ofBool(Tensor.rand(new Generator(3), l, l).gt(0.7f));
      AttentionMask mask = AttentionMask.of(randn(4, l, s));
      AttentionMask perHead = AttentionMask.of(randn(5, n * 2, l, s));
      AttentionMask padding = AttentionMask.ofBool(Tensor.rand(new Generator(6), n, s).gt(0.8f));
      assertEquals(0, Allocations.steadyStateBytes(
          () -> mha.forwardInto(q, q, q, null, null, out), 1_000, 20, 180), what + ", self");
      assertEquals(0, Allocations.steadyStateBytes(
          () -> mha.forwardInto(q, q, q, null, causal, out), 1_000, 20, 180), what + ", causal");
      assertEquals(0, Allocations.steadyStateBytes(
          () -> mha.forwardInto(q, kv, kv, padding, mask, out), 1_000, 20, 180),
          what + ", cross, both masks");
      assertEquals(0, Allocations.steadyStateBytes(
          () -> mha.forwardInto(q, kv, kv, padding, perHead, out), 1_000, 20, 180),
          what + ", cross, per-head mask and padding");
      assertEquals(0, Allocations.steadyStateBytes(
          () -> mha.forwardInto(q, kv, kv, padding, null, out), 1_000, 20, 180),
          what + ", cross, padding");
      MultiheadAttention.Output averaged =
          new MultiheadAttention.Output(out, Tensor.zeros(n, l, s));
      assertEquals(0, Allocations.steadyStateBytes(
          () -> mha.forwardInto(q, kv, kv, padding, mask, true, averaged), 1_000, 20, 180),
          what + ", averaged weights");
      MultiheadAttention.Output perHeadWeights =
          new MultiheadAttention.Output(out, Tensor.zeros(n, 2, l, s));
      assertEquals(0, Allocations.steadyStateBytes(
          () -> mha.forwardInto(q, kv, kv, null, perHead, false, perHeadWeights), 1_000, 20, 180),
          what + ", weights per head");
    }
    MultiheadAttention mha = new MultiheadAttention(16, 2, 0.1, true, false).eval();
    Tensor q = randn(7, l, 16);
    Tensor kv = randn(8, s, 16);
    Tensor out = Tensor.zeros(l, 16);
    AttentionMask padding = AttentionMask.ofBool(Tensor.rand(new Generator(9), s).gt(0.8f));
    MultiheadAttention.Output weights = new MultiheadAttention.Output(out, Tensor.zeros(l, s));
    assertEquals(0, Allocations.steadyStateBytes(
        () -> mha.forwardInto(q, kv, kv, padding, null, true, weights), 1_000, 20, 180),
        "unbatched, averaged weights");
    MultiheadAttention.Output perHead = new MultiheadAttention.Output(out, Tensor.zeros(2, l, s));
    assertEquals(0, Allocations.steadyStateBytes(
        () -> mha.forwardInto(q, kv, kv, padding, null, false, perHead), 1_000, 20, 180),
        "unbatched, weights per head");
  }
}
