package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@code scaled_dot_product_attention} on the layouts and masks its fast paths choose
 * between ({@link AttentionParityTest} checks the formula on contiguous operands against
 * PyTorch): the into form on every operand layout and mask shape, against a reference
 * computed here in doubles from the inputs' values ({@code softmax(q k^T / sqrt(E) + mask)
 * v}, the mask broadcast by index); allocation-free where it promises to be; the output
 * layout that makes the heads' merge a view; the refusals of shapes that do not fit.
 */
class SdpaLayoutsTest {
  private static final int B = 2;
  private static final int H = 3;
  private static final int L = 4;
  private static final int S = 5;
  private static final int E = 6;
  private static final int EV = 3;

  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  /** The same values as {@code randn(seed, shape)} in a layout with strided rows or dims. */
  private static Tensor transposedCopy(Tensor t, int d0, int d1) {
    return t.transpose(d0, d1).contiguous().transpose(d0, d1);
  }

  /**
   * The reference over the leading dims flattened: {@code q (..., L, E)}, {@code k (..., S,
   * E)}, {@code v (..., S, Ev)}, {@code mask} null or broadcastable to {@code (..., L, S)}.
   */
  private static Tensor reference(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
    int r = q.dim();
    int l = q.size(-2);
    int e = q.size(-1);
    int s = k.size(-2);
    int ev = v.size(-1);
    int n = (int) (q.numel() / ((long) l * e));
    float[] qa = q.contiguous().toFloatArray();
    float[] ka = k.contiguous().toFloatArray();
    float[] va = v.contiguous().toFloatArray();
    float[] ma = null;
    if (mask != null) {
      int[] full = q.shape();
      full[r - 1] = s;
      int[] padded = new int[r];
      java.util.Arrays.fill(padded, 1);
      System.arraycopy(mask.shape(), 0, padded, r - mask.dim(), mask.dim());
      ma = mask.reshape(padded).expand(full).contiguous().toFloatArray();
    }
    int[] outShape = q.shape();
    outShape[r - 1] = ev;
    float[] out = new float[n * l * ev];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < l; i++) {
        double[] w = new double[s];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s; j++) {
          double dot = 0;
          for (int c = 0; c < e; c++) {
            dot += (double) qa[(b * l + i) * e + c] * ka[(b * s + j) * e + c];
          }
          w[j] = dot / Math.sqrt(e) + (ma == null ? 0 : ma[(b * l + i) * s + j]);
          if (causal && j > i) {
            w[j] = Double.NEGATIVE_INFINITY;
          }
          max = Math.max(max, w[j]);
        }
        double sum = 0;
        for (int j = 0; j < s; j++) {
          w[j] = Math.exp(w[j] - max);
          sum += w[j];
        }
        for (int c = 0; c < ev; c++) {
          double acc = 0;
          for (int j = 0; j < s; j++) {
            acc += w[j] / sum * va[(b * s + j) * ev + c];
          }
          out[(b * l + i) * ev + c] = (float) acc;
        }
      }
    }
    return Tensor.fromArray(out, outShape);
  }

  private static Tensor into(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal,
      Tensor out) {
    long version = out.version();
    assertSame(out, Functional.scaledDotProductAttentionInto(q, k, v, mask, causal, out));
    assertTrue(out.version() > version, "out's version grows");
    return out;
  }

  private static void check(String what, Tensor q, Tensor k, Tensor v, Tensor mask,
      boolean causal, Tensor out) {
    Tensor want = reference(q, k, v, mask, causal);
    AttentionParityTest.assertClose(want, into(q, k, v, mask, causal, out.fill_(Float.NaN)),
        1e-5, what + ", into");
    AttentionParityTest.assertClose(want, Functional.scaledDotProductAttention(q, k, v,
        mask == null ? null : AttentionMask.of(mask), causal), 1e-5, what);
  }

  @Test
  void theIntoFormOnEveryMaskShape() {
    Tensor q = randn(1, B, H, L, E);
    Tensor k = randn(2, B, H, S, E);
    Tensor v = randn(3, B, H, S, EV);
    Tensor out = Tensor.zeros(B, H, L, EV);
    check("no mask", q, k, v, null, false, out);
    check("causal", q, k, v, null, true, out);
    int[][] masks = {{L, S}, {1, S}, {S}, {L, 1}, {H, L, S}, {H, 1, S}, {1, L, S}, {B, 1, 1, S},
        {B, H, L, S}, {B, 1, L, S}, {1, H, 1, S}, {B, H, 1, S}};
    long seed = 10;
    for (int[] shape : masks) {
      check("mask " + java.util.Arrays.toString(shape), q, k, v, randn(seed++, shape), false,
          out);
    }
    Tensor transposedMask = transposedCopy(randn(30, L, S), 0, 1);
    assertFalse(transposedMask.stride(1) == 1);
    check("a mask with strided rows", q, k, v, transposedMask, false, out);
  }

  @Test
  void theIntoFormOnEveryOperandLayout() {
    Tensor q = randn(1, B, H, L, E);
    Tensor k = randn(2, B, H, S, E);
    Tensor v = randn(3, B, H, S, EV);
    Tensor mask = randn(4, B, 1, L, S);
    Tensor out = Tensor.zeros(B, H, L, EV);
    check("q with strided rows", transposedCopy(q, 2, 3), k, v, mask, false, out);
    check("k with strided rows", q, transposedCopy(k, 2, 3), v, mask, false, out);
    check("v with strided rows", q, k, transposedCopy(v, 2, 3), mask, false, out);
    check("heads inner", transposedCopy(q, 1, 2), transposedCopy(k, 1, 2),
        transposedCopy(v, 1, 2), mask, false, out);
    check("into strided rows", q, k, v, mask, false, transposedCopy(out, 2, 3));
    check("into a heads-inner buffer", q, k, v, null, true,
        Tensor.zeros(B, L, H, EV).transpose(1, 2));
    check("into a view at an offset", q, k, v, null, false,
        Tensor.zeros(B + 1, H, L, EV).narrow(0, 1, B));
    check("causal", q, k, v, null, true, out);
  }

  @Test
  void otherRanksAndTheirMasks() {
    Tensor q3 = randn(1, H, L, E);
    Tensor k3 = randn(2, H, S, E);
    Tensor v3 = randn(3, H, S, EV);
    Tensor perHead = randn(4, H, L, S);
    check("rank 3, a mask per head", q3, k3, v3, perHead, false, Tensor.zeros(H, L, EV));
    check("rank 3, (H, 1, S)", q3, k3, v3, randn(5, H, 1, S), false, Tensor.zeros(H, L, EV));
    Tensor q5 = transposedCopy(randn(6, 2, B, H, L, E), 0, 1); // outer dims not flattenable
    Tensor k5 = randn(7, 2, B, H, S, E);
    Tensor v5 = randn(8, 2, B, H, S, EV);
    for (int[] shape : new int[][] {{2, B, H, L, S}, {2, B, 1, 1, S}, {1, B, H, L, S},
        {2, 1, 1, L, S}, {L, S}}) {
      Tensor m = randn(9, shape);
      Tensor want = reference(q5, k5, v5, m, false);
      AttentionParityTest.assertClose(want, Functional.scaledDotProductAttention(q5, k5, v5,
          AttentionMask.of(m), false), 1e-5, "rank 5, mask " + java.util.Arrays.toString(shape));
    }
  }

  @Test
  void theIntoFormAllocatesNothingForPlainOperands() {
    Tensor q = randn(1, 1, 2, 3, 4);
    Tensor k = randn(2, 1, 2, 5, 4);
    Tensor v = randn(3, 1, 2, 5, 4);
    Tensor out = Tensor.zeros(1, 2, 3, 4);
    Tensor inner = Tensor.zeros(1, 3, 2, 4).transpose(1, 2);
    for (Tensor mask : new Tensor[] {null, randn(4, 3, 5), randn(5, 1, 5), randn(6, 2, 3, 5),
        randn(7, 1, 2, 1, 5), randn(8, 1, 1, 3, 5)}) {
      assertEquals(0, Allocations.steadyStateBytes(
          () -> Functional.scaledDotProductAttentionInto(q, k, v, mask, false, out), 2_000, 50),
          "mask " + (mask == null ? "none" : java.util.Arrays.toString(mask.shape())));
    }
    assertEquals(0, Allocations.steadyStateBytes(
        () -> Functional.scaledDotProductAttentionInto(q, k, v, null, true, inner), 2_000, 50),
        "causal, into a heads-inner buffer");
  }

  @Test
  void theOutputOfAHeadsInnerQueryMergesItsHeadsAsAView() {
    Tensor q = transposedCopy(randn(1, B, H, L, E), 1, 2);
    Tensor k = randn(2, B, H, S, E);
    Tensor v = randn(3, B, H, S, EV);
    Tensor y = Functional.scaledDotProductAttention(q, k, v, null, false);
    assertTrue(y.transpose(1, 2).isContiguous(), "laid out (batch, L, heads, Ev)");
    AttentionParityTest.assertClose(reference(q, k, v, null, false), y, 1e-5, "heads inner");
    Tensor plain = Functional.scaledDotProductAttention(q.contiguous(), k, v, null, false);
    assertTrue(plain.isContiguous(), "a contiguous query: a contiguous output");
    Tensor oneHead = transposedCopy(randn(4, B, 1, L, E), 1, 2);
    assertTrue(Functional.scaledDotProductAttention(oneHead, k.narrow(1, 0, 1),
        v.narrow(1, 0, 1), null, false).isContiguous(), "one head: nothing to merge");
    Tensor q3 = randn(5, H, L, E).transpose(0, 1).contiguous().transpose(0, 1);
    assertTrue(Functional.scaledDotProductAttention(q3, k.select(0, 0), v.select(0, 0), null,
        false).isContiguous(), "rank 3: contiguous");
  }

  @Test
  void shapesThatDoNotFitAreRefused() {
    Tensor q = randn(1, B, H, L, E);
    Tensor k = randn(2, B, H, S, E);
    Tensor v = randn(3, B, H, S, EV);
    Tensor out = Tensor.zeros(B, H, L, EV);
    Tensor[][] bad = { // {k, v}
        {randn(4, B + 1, H, S, E), v}, {randn(4, B, H + 1, S, E), v},
        {k, randn(4, B + 1, H, S, EV)}, {k, randn(4, B, H + 1, S, EV)},
        {randn(4, B, H, S, E + 1), v}, {k, randn(4, B, H, S + 1, EV)},
    };
    for (Tensor[] c : bad) {
      assertThrows(IllegalArgumentException.class,
          () -> Functional.scaledDotProductAttentionInto(q, c[0], c[1], null, false, out),
          java.util.Arrays.toString(c[0].shape()) + " " + java.util.Arrays.toString(c[1].shape()));
    }
    for (int[] shape : new int[][] {{B + 1, H, L, EV}, {B, H + 1, L, EV}, {B, H, L + 1, EV},
        {B, H, L, EV + 1}}) {
      assertThrows(IllegalArgumentException.class,
          () -> Functional.scaledDotProductAttentionInto(q, k, v, null, false,
              Tensor.zeros(shape)), "out " + java.util.Arrays.toString(shape));
    }
    for (int[] shape : new int[][] {{L + 1, S}, {H + 1, L, S}, {B + 1, 1, L, S}, {S + 1},
        {1, 1, 1, 1, L, S}}) {
      assertThrows(IllegalArgumentException.class,
          () -> Functional.scaledDotProductAttentionInto(q, k, v, Tensor.zeros(shape), false,
              out), "mask " + java.util.Arrays.toString(shape));
    }
    assertEquals("scaled_dot_product_attention: an explicit attn_mask must not be set when"
        + " is_causal is true", assertThrows(IllegalArgumentException.class,
            () -> Functional.scaledDotProductAttentionInto(q, k, v, Tensor.zeros(L, S), true,
                out)).getMessage());
    assertEquals("scaled_dot_product_attention: attn_mask of shape [3, 5] does not broadcast to"
        + " the scores' shape [2, 3, 4, 5] (..., L, S)", assertThrows(
            IllegalArgumentException.class, () -> Functional.scaledDotProductAttention(q, k, v,
                AttentionMask.of(Tensor.zeros(3, 5)), false)).getMessage());
    assertEquals("scaled_dot_product_attention: attn_mask of shape [1, 2, 3, 4, 5] has more dims"
        + " than the scores [2, 3, 4, 5]", assertThrows(IllegalArgumentException.class,
            () -> Functional.scaledDotProductAttention(q, k, v,
                AttentionMask.of(Tensor.zeros(1, 2, 3, 4, 5)), false)).getMessage());
  }
}
