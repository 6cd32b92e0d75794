package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The allocation-free forwards of {@link MultiheadAttention#forwardInto} (with and without the
 * weights) and the Transformer encoder's and decoder layer's {@code forward(..., out)} give the allocating forwards' values (which the PyTorch
 * fixtures of {@code AttentionParityTest} check), for every
 * kind of mask and layout, and, with {@code -Dnetspec.allocationTests=true}, allocate nothing
 * once warm.
 */
class AttentionIntoTest {
  private static final float TOL = 1e-6f;

  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  /** A boolean padding mask over {@code s} keys of {@code n} sequences: the last ones padded. */
  private static AttentionMask padding(int n, int s) {
    Tensor m = Tensor.zeros(n, s);
    for (int b = 0; b < n; b++) {
      for (int j = s - 1 - b; j < s; j++) {
        m.array()[b * s + j] = 1; // True = ignore
      }
    }
    return AttentionMask.ofBool(m);
  }

  /** A float causal mask {@code (l, s)}: -inf above the diagonal. */
  private static AttentionMask causal(int l, int s) {
    Tensor m = Tensor.zeros(l, s);
    for (int i = 0; i < l; i++) {
      for (int j = i + 1; j < s; j++) {
        m.array()[i * s + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return AttentionMask.of(m);
  }

  private static void assertInto(MultiheadAttention mha, Tensor q, Tensor k, Tensor v,
      AttentionMask pad, AttentionMask attn, String what) {
    float[] want = mha.forward(q, k, v, pad, false, attn, true).output().toFloatArray();
    Tensor out = Tensor.zeros(q.shape()).fill_(Float.NaN);
    assertSame(out, mha.forwardInto(q, k, v, pad, attn, out));
    assertArrayEquals(want, out.toFloatArray(), TOL, what);
    // a second call reuses the buffers and gives the same values
    out.fill_(Float.NaN);
    assertArrayEquals(want, mha.forwardInto(q, k, v, pad, attn, out).toFloatArray(), TOL,
        what + ", again");
  }

  @Test
  void selfAttentionWithEveryMaskMatchesTheAllocatingForward() {
    int n = 3;
    int l = 7;
    int e = 16;
    int heads = 4;
    for (boolean batchFirst : new boolean[] {true, false}) {
      MultiheadAttention mha = new MultiheadAttention(e, heads, 0.0, true, batchFirst).eval();
      Tensor x = batchFirst ? randn(1, n, l, e) : randn(1, l, n, e);
      AttentionMask pad = padding(n, l);
      Tensor perHead = randn(2, n * heads, l, l);
      String layout = batchFirst ? "batch first" : "sequence first";
      assertInto(mha, x, x, x, null, null, layout + ", no mask");
      assertInto(mha, x, x, x, pad, null, layout + ", bool key padding");
      assertInto(mha, x, x, x, null, causal(l, l), layout + ", float (L, S) mask");
      assertInto(mha, x, x, x, pad, causal(l, l), layout + ", both masks");
      assertInto(mha, x, x, x, pad, AttentionMask.of(perHead), layout + ", both, per head");
      assertInto(mha, x, x, x, null, AttentionMask.ofBool(perHead.gt(0f)),
          layout + ", a bool mask per head");
    }
  }

  @Test
  void crossAttentionUnbatchedAndTheFallbacks() {
    MultiheadAttention cross =
        new MultiheadAttention(16, 4, 0.0, true, false, false, 12, 10, true).eval();
    Tensor q = randn(3, 2, 5, 16);
    Tensor k = randn(4, 2, 9, 12);
    Tensor v = randn(5, 2, 9, 10);
    assertInto(cross, q, k, v, padding(2, 9), null, "kdim and vdim");
    assertInto(cross, q, k, v, padding(2, 9), causal(5, 9), "kdim and vdim, both masks");
    MultiheadAttention mha = new MultiheadAttention(8, 2).eval();
    Tensor x = randn(6, 6, 8);
    assertInto(mha, x, x, x, AttentionMask.ofBool(Tensor.zeros(6)), causal(6, 6), "unbatched");
    // a strided output takes the allocating path and copies
    Tensor strided = Tensor.zeros(8, 6).transpose(0, 1);
    assertArrayEquals(mha.forward(x).toFloatArray(),
        mha.forwardInto(x, x, x, null, null, strided).toFloatArray(), TOL);
    // a mask of the wrong shape is the allocating forward's error
    assertEquals(assertThrows(IllegalArgumentException.class,
        () -> mha.forward(x, x, x, null, false, causal(5, 6), true)).getMessage(),
        assertThrows(IllegalArgumentException.class,
            () -> mha.forwardInto(x, x, x, null, causal(5, 6), Tensor.zeros(6, 8))).getMessage());
  }

  @Test
  void encoderLayersAndTheEncoderMatchTheAllocatingForward() {
    int n = 2;
    int s = 9;
    int d = 16;
    Tensor src = randn(7, n, s, d);
    AttentionMask pad = padding(n, s);
    AttentionMask mask = causal(s, s);
    for (boolean normFirst : new boolean[] {false, true}) {
      for (String act : new String[] {"relu", "gelu"}) {
        TransformerEncoderLayer layer =
            new TransformerEncoderLayer(d, 4, 24, 0.1, act, 1e-5, true, normFirst).eval();
        String what = (normFirst ? "norm first, " : "post-norm, ") + act;
        float[] want = layer.forward(src, mask, pad).toFloatArray();
        Tensor out = Tensor.zeros(n, s, d);
        assertSame(out, layer.forward(src, mask, pad, out));
        assertArrayEquals(want, out.toFloatArray(), 1e-5f, what);
        assertArrayEquals(layer.forward(src).toFloatArray(),
            layer.forward(src, Tensor.zeros(n, s, d)).toFloatArray(), 1e-5f, what + ", no mask");
        TransformerEncoder encoder = new TransformerEncoder(layer, 3, new LayerNorm(d)).eval();
        assertArrayEquals(encoder.forward(src, mask, pad).toFloatArray(),
            encoder.forward(src, mask, pad, Tensor.zeros(n, s, d)).toFloatArray(), 1e-5f,
            what + ", three layers and a norm");
      }
    }
  }

  @Test
  void weightsWrittenIntoTheCallersRecordMatchTheAllocatingForward() {
    MultiheadAttention cross =
        new MultiheadAttention(16, 4, 0.0, true, false, false, 12, 10, true).eval();
    Tensor q = randn(3, 2, 5, 16);
    Tensor k = randn(4, 2, 9, 12);
    Tensor v = randn(5, 2, 9, 10);
    MultiheadAttention self = new MultiheadAttention(8, 2).eval();
    Tensor x = randn(6, 6, 3, 8);
    Tensor one = randn(7, 6, 8);
    for (boolean average : new boolean[] {true, false}) {
      assertWeightsInto(cross, q, k, v, padding(2, 9), causal(5, 9), average, "kdim and vdim");
      assertWeightsInto(self, x, x, x, null, causal(6, 6), average, "sequence first, causal");
      assertWeightsInto(self, one, one, one, null, null, average, "unbatched");
    }
    // strided weights take the allocating path and copy
    MultiheadAttention.Output strided = new MultiheadAttention.Output(Tensor.zeros(6, 3, 8),
        Tensor.zeros(3, 6, 6).transpose(1, 2));
    self.forwardInto(x, x, x, null, null, true, strided);
    assertArrayEquals(self.forward(x, x, x, null, true, null, true).weights().toFloatArray(),
        strided.weights().toFloatArray(), TOL, "strided weights");
  }

  private static void assertWeightsInto(MultiheadAttention mha, Tensor q, Tensor k, Tensor v,
      AttentionMask pad, AttentionMask attn, boolean average, String what) {
    MultiheadAttention.Output want = mha.forward(q, k, v, pad, true, attn, average);
    MultiheadAttention.Output out = new MultiheadAttention.Output(Tensor.zeros(q.shape()).fill_(Float.NaN),
        Tensor.zeros(want.weights().shape()).fill_(Float.NaN));
    for (int round = 0; round < 2; round++) { // the second reuses the buffers
      assertSame(out, mha.forwardInto(q, k, v, pad, attn, average, out));
      String w = what + (average ? ", averaged" : ", per head") + (round > 0 ? ", again" : "");
      assertArrayEquals(want.output().toFloatArray(), out.output().toFloatArray(), 0f, w + ": output");
      assertArrayEquals(want.weights().toFloatArray(), out.weights().toFloatArray(), 0f, w + ": weights");
    }
  }

  @Test
  void decoderLayersMatchTheAllocatingForward() {
    int n = 2;
    int t = 6;
    int s = 9;
    int d = 16;
    AttentionMask tgtPad = padding(n, t);
    AttentionMask memPad = padding(n, s);
    AttentionMask tgtMask = causal(t, t);
    AttentionMask memMask = AttentionMask.ofBool(randn(9, t, s).gt(1.5f));
    for (boolean batchFirst : new boolean[] {true, false}) {
      Tensor tgt = batchFirst ? randn(7, n, t, d) : randn(7, t, n, d);
      Tensor memory = batchFirst ? randn(8, n, s, d) : randn(8, s, n, d);
      for (boolean normFirst : new boolean[] {false, true}) {
        for (String act : new String[] {"relu", "gelu"}) {
          TransformerDecoderLayer layer =
              new TransformerDecoderLayer(d, 4, 24, 0.1, act, 1e-5, batchFirst, normFirst).eval();
          String what = (batchFirst ? "batch first, " : "sequence first, ")
              + (normFirst ? "norm first, " : "post-norm, ") + act;
          Tensor out = Tensor.zeros(tgt.shape()).fill_(Float.NaN);
          assertSame(out, layer.forward(tgt, memory, tgtMask, memMask, tgtPad, memPad, out));
          assertArrayEquals(layer.forward(tgt, memory, tgtMask, memMask, tgtPad, memPad).toFloatArray(),
              out.toFloatArray(), 0f, what);
          assertArrayEquals(layer.forward(tgt, memory).toFloatArray(),
              layer.forward(tgt, memory, Tensor.zeros(tgt.shape())).toFloatArray(), 0f, what + ", no mask");
        }
      }
    }
  }

  @Test
  void aMaskHeldByTheCallerIsWrappedAgainOnlyForAnotherTensor() {
    Tensor m = Tensor.zeros(2, 3);
    AttentionMask first = AttentionMask.ofBool(m, null);
    assertSame(first, AttentionMask.ofBool(m, first));
    assertEquals(false, AttentionMask.of(m, first) == first, "a float mask of the same values is another mask");
    assertEquals(false, AttentionMask.ofBool(Tensor.zeros(2, 3), first) == first, "another tensor");
    assertEquals(true, AttentionMask.ofBool(m, first).isBool());
    assertEquals(false, AttentionMask.of(m, first).isBool());
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmForwardsWithMasksAllocateNothing() {
    MultiheadAttention mha = new MultiheadAttention(32, 4, 0.0, true, true).eval();
    Tensor x = randn(1, 2, 16, 32);
    Tensor out = Tensor.zeros(2, 16, 32);
    AttentionMask pad = padding(2, 16);
    AttentionMask mask = causal(16, 16);
    assertEquals(0, Allocations.steadyStateBytes(
        () -> mha.forwardInto(x, x, x, pad, mask, out), 2_000, 100), "both masks");
    assertEquals(0, Allocations.steadyStateBytes(
        () -> mha.forwardInto(x, x, x, pad, null, out), 2_000, 100), "bool key padding");
    TransformerEncoderLayer layer =
        new TransformerEncoderLayer(32, 4, 64, 0.1, "gelu", 1e-5, true, false).eval();
    TransformerEncoder encoder = new TransformerEncoder(layer, 2).eval();
    assertEquals(0, Allocations.steadyStateBytes(
        () -> encoder.forward(x, mask, pad, out), 2_000, 100), "encoder, both masks");
    MultiheadAttention.Output withWeights = new MultiheadAttention.Output(out, Tensor.zeros(2, 16, 16));
    assertEquals(0, Allocations.steadyStateBytes(
        () -> mha.forwardInto(x, x, x, pad, mask, true, withWeights), 2_000, 100), "averaged weights");
    TransformerDecoderLayer decoder =
        new TransformerDecoderLayer(32, 4, 64, 0.1, "gelu", 1e-5, true, true).eval();
    Tensor memory = randn(2, 2, 16, 32);
    assertEquals(0, Allocations.steadyStateBytes(
        () -> decoder.forward(x, memory, mask, null, pad, pad, out), 2_000, 100), "decoder layer");
  }
}
