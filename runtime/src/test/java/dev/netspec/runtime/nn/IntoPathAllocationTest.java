package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The allocation-free paths are taken for the operands they are for, which only allocation
 * tells (their fallbacks give the same floats): a decoder layer in eval mode with dropout set
 * (post-norm and norm first, an unbatched target too), a multi-head attention with every
 * kind of mask and weights record its in-place path takes, and a {@code reflect}-padded
 * convolution with a folded batch norm, whose state keeps its padded input, fold and plan
 * across calls. JIT-dependent, so, as {@code ConvAllocationTest}, only with {@code
 * -Dnetspec.allocationTests=true}, or with {@code =paths}, which runs only these
 * path-choice tests (and {@code tensor.IntoAllocationTest}): a mutation run needs them, and the
 * other allocation tests would only add minutes to it. Each case is measured for up to 3
 * minutes, as a loaded machine may need.
 */
class IntoPathAllocationTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true|paths",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true (or =paths)")
  @Test
  void warmDecoderLayersAllocateNothing() {
    for (boolean normFirst : new boolean[] {false, true}) {
      TransformerDecoderLayer layer =
          new TransformerDecoderLayer(16, 2, 32, 0.1, "relu", 1e-5, false, normFirst).eval();
      Tensor tgt = randn(1, 5, 2, 16);
      Tensor memory = randn(2, 7, 2, 16);
      Tensor out = Tensor.zeros(5, 2, 16);
      String what = normFirst ? "norm first" : "post-norm";
      assertEquals(0, Allocations.steadyStateBytes(
          () -> layer.forward(tgt, memory, out), 1_000, 20, 180), what);
      Tensor unbatched = randn(3, 5, 16);
      Tensor unbatchedMemory = randn(4, 7, 16);
      Tensor out2 = Tensor.zeros(5, 16);
      assertEquals(0, Allocations.steadyStateBytes(
          () -> layer.forward(unbatched, unbatchedMemory, out2), 1_000, 20, 180),
          what + ", unbatched");
    }
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true|paths",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true (or =paths)")
  @Test
  void warmPaddedConvolutionsWithAFoldAllocateNothing() {
    for (String mode : new String[] {"reflect", "replicate"}) {
      Conv2d conv = new Conv2d(4, 8, 3, 1, 1, 1, 1, false, mode);
      BatchNorm2d bn = new BatchNorm2d(8);
      bn.runningMean().copy_(Tensor.rand(new Generator(4), 8));
      bn.runningVar().add_(Tensor.rand(new Generator(5), 8));
      conv.eval();
      bn.eval();
      Tensor x = randn(6, 2, 4, 10, 10);
      Tensor residual = randn(7, 2, 8, 10, 10);
      Tensor out = Tensor.zeros(2, 8, 10, 10);
      assertEquals(0, Allocations.steadyStateBytes(
          () -> conv.forwardInto(x, bn, Activation.RELU, residual, out), 1_000, 20, 180), mode);
    }
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
