package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorAttention}, the vector backend's own kernel for {@link Attention}'s slices of
 * BERT's kind (keys a multiple of {@value VectorAttention#KEY_VECTORS} vectors, value widths
 * of {@value VectorAttention#VALUE_VECTORS}), against the scalar backend's general algorithm
 * (its twin) and a softmax in double written out here: heads packed side by side as a
 * {@code (batch, seq, heads * width)} projection holds them, query counts around its group of
 * {@value VectorAttention#GROUP} rows, no mask, an additive mask per row, and BERT's padding
 * mask (one row broadcast over the queries, {@code -3.4e38} on the padded keys).
 */
class VectorAttentionTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final float TOL = 2e-5f;

  private static float[] random(Random rnd, int n, float scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian() * scale;
    }
    return x;
  }

  /**
   * softmax(q k^T / sqrt(e) + mask) v of slice (b, h) in double; rows of q, k, v and out are
   * {@code heads * width} wide, the mask {@code (batch, l, s)} with row stride {@code ldm};
   * with {@code causal >= 0} query {@code i} sees keys {@code j <= i + causal} only.
   */
  private static void reference(int b, int h, int heads, int l, int s, int e, int ev, int causal,
      float[] q, float[] k, float[] v, float[] mask, int ldm, float[] out) {
    double scale = 1 / Math.sqrt(e);
    int lq = heads * e;
    int lv = heads * ev;
    for (int i = 0; i < l; i++) {
      double[] p = new double[s];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < s; j++) {
        double d = 0;
        for (int c = 0; c < e; c++) {
          d += (double) q[(b * l + i) * lq + h * e + c] * k[(b * s + j) * lq + h * e + c];
        }
        p[j] = (float) (d * scale) + (mask == null ? 0 : mask[b * l * s + i * ldm + j]);
        if (causal >= 0 && j > i + causal) {
          p[j] = Double.NEGATIVE_INFINITY;
        }
        max = Math.max(max, p[j]);
      }
      double sum = 0;
      for (int j = 0; j < s; j++) {
        p[j] = Math.exp(p[j] - max);
        sum += p[j];
      }
      for (int c = 0; c < ev; c++) {
        double o = 0;
        for (int j = 0; j < s; j++) {
          o += p[j] / sum * v[(b * s + j) * lv + h * ev + c];
        }
        out[(b * l + i) * lv + h * ev + c] = (float) o;
      }
    }
  }

  private static float[] run(Backend backend, int batch, int heads, int l, int s, int e, int ev,
      float[] q, float[] k, float[] v, float[] mask, int ldm) {
    return run(backend, batch, heads, l, s, e, ev, -1, q, k, v, mask, ldm);
  }

  private static float[] run(Backend backend, int batch, int heads, int l, int s, int e, int ev,
      int causal, float[] q, float[] k, float[] v, float[] mask, int ldm) {
    float[] out = new float[batch * l * heads * ev + 1];
    out[out.length - 1] = 42; // past the end: must stay
    Attention att = new Attention(backend).dims(batch, heads, l, s, e, ev)
        .query(q, 0, l * heads * e, e, heads * e).key(k, 0, s * heads * e, e, heads * e)
        .value(v, 0, s * heads * ev, ev, heads * ev)
        .output(out, 0, l * heads * ev, ev, heads * ev);
    if (mask != null) {
      att.mask(mask, 0, l * s, 0, ldm, Attention.MaskMode.ADD);
    }
    if (causal >= 0) {
      att.causal(true, causal);
    }
    att.run();
    assertEquals(42f, out[out.length - 1], "attention wrote past its output");
    return java.util.Arrays.copyOf(out, out.length - 1);
  }

  /** Both backends against the formula in double and against each other. */
  private static void check(String what, int batch, int heads, int l, int s, int e, int ev,
      int causal, float[] q, float[] k, float[] v, float[] mask, int ldm) {
    float[] want = new float[batch * l * heads * ev];
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        reference(b, h, heads, l, s, e, ev, causal, q, k, v, mask, ldm, want);
      }
    }
    String at = what + " tol=" + TOL;
    float[] scalar = run(new ScalarBackend(), batch, heads, l, s, e, ev, causal, q, k, v, mask,
        ldm);
    float[] vector = run(new VectorBackend(), batch, heads, l, s, e, ev, causal, q, k, v, mask,
        ldm);
    assertArrayEquals(want, scalar, TOL, "scalar " + at);
    assertArrayEquals(want, vector, TOL, "vector " + at);
    assertArrayEquals(scalar, vector, TOL, "vector against its twin " + at);
  }

  @Test
  void matchesTheScalarTwinAndTheFormula() {
    Random rnd = new Random(15);
    int batch = 2;
    int heads = 3;
    int kv = VectorAttention.KEY_VECTORS * L;
    int vv = VectorAttention.VALUE_VECTORS * L;
    for (int l : new int[] {1, VectorAttention.GROUP - 1, VectorAttention.GROUP, 21, 128}) {
      for (int s : new int[] {kv, 128, 3 * kv}) {
        for (int e : new int[] {1, 32, 67}) {
          for (int ev : new int[] {vv, 2 * vv}) {
            for (int maskKind = 0; maskKind < 3; maskKind++) {
              assertTrue(VectorAttention.fits(s, e, ev), "the shape runs the kernel under test");
              float[] q = random(rnd, batch * l * heads * e, 2);
              float[] k = random(rnd, batch * s * heads * e, 2);
              float[] v = random(rnd, batch * s * heads * ev, 1);
              float[] mask = null;
              int ldm = 0;
              if (maskKind == 1) { // a row of its own per query
                mask = random(rnd, batch * l * s, 1);
                ldm = s;
              } else if (maskKind == 2) { // BERT's: one row per sequence, its padding dropped
                mask = new float[batch * l * s];
                for (int j = s - 5; j < s; j++) {
                  mask[j] = -3.4028235e38f;
                }
              }
              check("L=" + l + " S=" + s + " E=" + e + " Ev=" + ev + " mask " + maskKind, batch,
                  heads, l, s, e, ev, -1, q, k, v, mask, ldm);
            }
          }
        }
      }
    }
  }

  /**
   * Causal slices (GPT-2's prefill, and a chunk of queries after a cache of {@code offset}
   * keys): groups whose last row's keys end inside a block of four vectors (the one-vector
   * tail), and mid-vector; with an added mask too.
   */
  @Test
  void causalSlicesMatchTheScalarTwinAndTheFormula() {
    Random rnd = new Random(17);
    int batch = 2;
    int heads = 2;
    int kv = VectorAttention.KEY_VECTORS * L;
    int vv = VectorAttention.VALUE_VECTORS * L;
    int[][] shapes = { // l, s, offset
      {VectorAttention.GROUP, kv, 0}, {21, kv, 3}, {kv, kv, 0}, {128, 128, 0},
      {37, 128, 128 - 37}, {13, 3 * kv, 2 * kv + 5}, {2 * kv, kv, 0}};
    for (int[] shape : shapes) {
      int l = shape[0];
      int s = shape[1];
      int offset = shape[2];
      for (int e : new int[] {7, 64}) {
        for (boolean masked : new boolean[] {false, true}) {
          float[] q = random(rnd, batch * l * heads * e, 2);
          float[] k = random(rnd, batch * s * heads * e, 2);
          float[] v = random(rnd, batch * s * heads * vv, 1);
          float[] mask = masked ? random(rnd, batch * l * s, 1) : null;
          int ldm = masked ? s : 0;
          check("causal L=" + l + " S=" + s + " offset " + offset + " E=" + e
              + (masked ? " masked" : ""), batch, heads, l, s, e, vv, offset, q, k, v, mask, ldm);
        }
      }
    }
  }

  @Test
  void aCausalSliceOfFewerRowsThanAGroupIsLeftToTheGeneralPath() {
    int kv = VectorAttention.KEY_VECTORS * L;
    int vv = VectorAttention.VALUE_VECTORS * L;
    int l = VectorAttention.GROUP - 1;
    float[] out = new float[l * vv];
    assertFalse(new VectorBackend().attentionSlice(l, kv, 1, vv, 1f, 0, new float[l],
        0, 1, new float[kv], 0, 1, new float[kv * vv], 0, vv, null, 0, 0, out, 0, vv),
        "a decode step's rows: the general path");
    assertTrue(new VectorBackend().attentionSlice(l, kv, 1, vv, 1f, -1, new float[l],
        0, 1, new float[kv], 0, 1, new float[kv * vv], 0, vv, null, 0, 0, out, 0, vv),
        "the same rows without the causal mask: the kernel");
  }

  @Test
  void aRowWithEveryKeyMaskedIsNaNAsTheGeneralPath() {
    Random rnd = new Random(16);
    int l = VectorAttention.GROUP + 3; // a row in a group and one in the tail
    int s = VectorAttention.KEY_VECTORS * L;
    int e = 32;
    int ev = VectorAttention.VALUE_VECTORS * L;
    float[] q = random(rnd, l * e, 1);
    float[] k = random(rnd, s * e, 1);
    float[] v = random(rnd, s * ev, 1);
    float[] mask = new float[l * s];
    for (int j = 0; j < s; j++) {
      mask[2 * s + j] = Float.NEGATIVE_INFINITY;
      mask[(l - 1) * s + j] = Float.NEGATIVE_INFINITY;
    }
    float[] scalar = run(new ScalarBackend(), 1, 1, l, s, e, ev, q, k, v, mask, s);
    float[] vector = run(new VectorBackend(), 1, 1, l, s, e, ev, q, k, v, mask, s);
    for (int i = 0; i < l; i++) {
      for (int c = 0; c < ev; c++) {
        boolean nan = i == 2 || i == l - 1;
        assertEquals(nan, Float.isNaN(scalar[i * ev + c]), "scalar row " + i);
        assertEquals(nan, Float.isNaN(vector[i * ev + c]), "vector row " + i);
        if (!nan) {
          assertEquals(scalar[i * ev + c], vector[i * ev + c], TOL, "row " + i + " tol=" + TOL);
        }
      }
    }
  }

  @Test
  void otherShapesAreLeftToTheGeneralPath() {
    int kv = VectorAttention.KEY_VECTORS * L;
    int vv = VectorAttention.VALUE_VECTORS * L;
    assertTrue(VectorAttention.fits(kv, 1, vv));
    assertFalse(VectorAttention.fits(kv + L, 32, vv), "keys not a multiple of the block");
    assertFalse(VectorAttention.fits(kv, 32, vv + L), "values not a multiple of two vectors");
    assertFalse(VectorAttention.fits(0, 32, vv), "no keys");
    assertFalse(VectorAttention.fits(kv, 0, vv), "no query width");
    assertFalse(VectorAttention.fits(kv, 32, 0), "no value width");
    assertFalse(VectorAttention.fits(VectorAttention.MAX_KEYS + kv, 32, vv), "too many keys");
    assertFalse(new ScalarBackend().attentionSlice(1, kv, 1, vv, 1f, -1, new float[kv],
        0, 1, new float[kv], 0, 1, new float[kv * vv], 0, vv, null, 0, 0, new float[vv], 0, vv),
        "the scalar backend has no kernel of its own");
  }

  /**
   * The numerators' own exp against {@code Math.exp} in double: every step of 1e-5 over
   * [-30, 0] within 2.5e-7 relative (the scores' own rounding, times {@code |x - max|}, is
   * larger past |x - max| = 4), anything from -88 down and {@code -inf} exactly 0, NaN kept,
   * and the sum the numerators' sum.
   */
  @Test
  void numeratorsExpIsWithinTwoPointFiveEMinusSevenOfExp() {
    int n = 3_000_000 / L * L;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = 1f - i * 1e-5f; // x - max from 0 to -30
    }
    float[] lanes = new float[L];
    VectorAttention.expSum(x, 0, n, 1f, lanes);
    double worst = 0;
    for (int i = 0; i < n; i++) {
      double exact = Math.exp((double) (1f - i * 1e-5f) - 1.0);
      worst = Math.max(worst, Math.abs(x[i] - exact) / exact);
    }
    assertTrue(worst <= 2.5e-7, "exp off by " + worst + " relative");
    float[] row = random(new Random(3), 8 * L, 4);
    float sum = VectorAttention.expSum(row, 0, row.length, 4f, lanes);
    double total = 0;
    for (float numerator : row) {
      total += numerator;
    }
    assertEquals(total, sum, total * 1e-6, "the sum of a row's numerators");
    float[] tail = new float[4 * L];
    for (int i = 0; i < tail.length; i++) {
      tail[i] = -88f - i * 3f;
    }
    tail[1] = Float.NEGATIVE_INFINITY;
    tail[2] = -87.5f;
    tail[3] = Float.NaN;
    VectorAttention.expSum(tail, 0, tail.length, 0f, lanes);
    for (int i = 0; i < tail.length; i++) {
      if (i == 3) {
        assertTrue(Float.isNaN(tail[i]), "NaN stays NaN");
      } else if (i == 2) {
        assertTrue(tail[i] >= 0f && tail[i] < 2e-38f, "e^-87.5 is 0 or tiny: " + tail[i]);
      } else {
        assertEquals(0f, tail[i], "numerator " + i + " below the floor");
      }
    }
  }
}
