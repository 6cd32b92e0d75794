package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The attention kernel on the vector backend against its scalar twin and against a plain
 * softmax written out here, seeded, with head sizes around the lane count L (0, 1, L - 1, L,
 * L + 1, 2L + 1, 67), key counts around the block of {@value Attention#BLOCK} keys and query
 * counts of one tile of {@value Attention#ROWS} rows and more.
 */
class AttentionKernelTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final int[] WIDTHS =
      IntStream.of(0, 1, L - 1, L, L + 1, 2 * L + 1, 67).filter(n -> n >= 0).distinct()
          .sorted().toArray();
  private static final int[] KEYS = {0, 1, 5, Attention.BLOCK - 1, Attention.BLOCK,
      Attention.BLOCK + 1, 2 * Attention.BLOCK + 7};
  private static final float TOL = 2e-5f;

  private static float[] random(Random rnd, int n, float scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian() * scale;
    }
    return x;
  }

  @Test
  void axpyMatchesScalarAcrossTails() {
    Random rnd = new Random(3);
    for (int n : new int[] {0, 1, L - 1, L, L + 1, 2 * L + 1, 1003}) {
      float[] x = random(rnd, n + 2, 1);
      float[] y = random(rnd, n + 2, 1);
      float[] want = y.clone();
      float[] got = y.clone();
      new ScalarBackend().axpy(0.37f, x, 2, want, 2, n);
      new VectorBackend().axpy(0.37f, x, 2, got, 2, n);
      assertArrayEquals(want, got, 1e-6f, "axpy n=" + n + " tol=1e-6");
      assertEquals(y[0], got[0], "axpy writes only from yOff");
    }
  }

  /** softmax(q k^T * scale + mask) v for one slice, in double, straight from the formula. */
  private static float[] reference(int l, int s, int e, int ev, float[] q, float[] k, float[] v,
      float[] mask, boolean causal, float[] probsOut) {
    double scale = 1 / Math.sqrt(e);
    float[] out = new float[l * ev];
    for (int i = 0; i < l; i++) {
      double[] sc = new double[s];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < s; j++) {
        double d = 0;
        for (int c = 0; c < e; c++) {
          d += (double) q[i * e + c] * k[j * e + c];
        }
        sc[j] = (float) (d * scale) + (mask == null ? 0 : mask[i * s + j]);
        if (causal && j > i) {
          sc[j] = Double.NEGATIVE_INFINITY;
        }
        max = Math.max(max, sc[j]);
      }
      double sum = 0;
      for (int j = 0; j < s; j++) {
        sc[j] = Math.exp(sc[j] - max);
        sum += sc[j];
      }
      for (int j = 0; j < s; j++) {
        probsOut[i * s + j] = (float) (sc[j] / sum);
        for (int c = 0; c < ev; c++) {
          out[i * ev + c] += (float) (sc[j] / sum * v[j * ev + c]);
        }
      }
    }
    return out;
  }

  private static float[] run(Backend backend, int l, int s, int e, int ev, float[] q, float[] k,
      float[] v, float[] mask, boolean causal, float[] probs) {
    float[] out = new float[l * ev + 1];
    out[l * ev] = 42; // past the end: must stay
    Attention att = new Attention(backend).dims(1, 1, l, s, e, ev).causal(causal)
        .query(q, 0, 0, 0, e).key(k, 0, 0, 0, e).value(v, 0, 0, 0, ev)
        .output(out, 0, 0, 0, ev);
    if (mask != null) {
      att.mask(mask, 0, 0, 0, s, Attention.MaskMode.ADD);
    }
    if (probs != null) {
      att.probabilities(probs, 0, 0, 0, s);
    }
    att.run();
    assertEquals(42f, out[l * ev], "attention wrote past its output");
    return java.util.Arrays.copyOf(out, l * ev);
  }

  @Test
  void vectorAndScalarAgreeWithTheFormula() {
    Random rnd = new Random(4);
    Backend vector = new VectorBackend();
    Backend scalar = new ScalarBackend();
    for (int l : new int[] {3, Attention.ROWS + 5}) { // one tile, and a second partial tile
    for (int e : WIDTHS) {
      for (int s : KEYS) {
        for (boolean causal : new boolean[] {false, true}) {
          int ev = e == 0 ? 3 : e;
          float[] q = random(rnd, l * e, 2);
          float[] k = random(rnd, s * e, 2);
          float[] v = random(rnd, s * ev, 1);
          float[] mask = causal ? null : random(rnd, l * s, 1);
          float[] wantProbs = new float[l * s];
          float[] want = s == 0 ? new float[l * ev]
              : reference(l, s, e, ev, q, k, v, mask, causal, wantProbs);
          String what = "attention L=" + l + " E=" + e + " S=" + s + " causal=" + causal
              + " tol=" + TOL;
          for (Backend b : new Backend[] {scalar, vector}) {
            assertArrayEquals(want, run(b, l, s, e, ev, q, k, v, mask, causal, null), TOL,
                b.name() + " flash " + what);
            float[] probs = new float[l * s];
            assertArrayEquals(want, run(b, l, s, e, ev, q, k, v, mask, causal, probs), TOL,
                b.name() + " with probabilities " + what);
            if (e > 0) { // E = 0: every score is 0 * inf = NaN, the future keys' 0s aside
              assertArrayEquals(wantProbs, probs, TOL, b.name() + " probabilities " + what);
            }
          }
        }
      }
    }
    }
  }

  /**
   * Causal with an offset (the new tokens of a KV-cache step): query {@code i} sees keys
   * {@code j <= i + offset}, the same as an additive mask of {@code -inf} above that diagonal.
   */
  @Test
  void causalOffsetMatchesTheMaskedFormula() {
    Random rnd = new Random(5);
    int e = L + 1;
    for (int l : new int[] {1, 3, Attention.ROWS + 5}) {
      for (int offset : new int[] {0, 1, Attention.BLOCK - 1, Attention.BLOCK + 3}) {
        int s = offset + l;
        float[] q = random(rnd, l * e, 2);
        float[] k = random(rnd, s * e, 2);
        float[] v = random(rnd, s * e, 1);
        float[] future = new float[l * s];
        for (int i = 0; i < l; i++) {
          for (int j = i + offset + 1; j < s; j++) {
            future[i * s + j] = Float.NEGATIVE_INFINITY;
          }
        }
        float[] want = reference(l, s, e, e, q, k, v, future, false, new float[l * s]);
        String what = "causal attention L=" + l + " offset=" + offset + " tol=" + TOL;
        for (Backend b : new Backend[] {new ScalarBackend(), new VectorBackend()}) {
          for (boolean withProbs : new boolean[] {false, true}) {
            float[] out = new float[l * e];
            Attention att = new Attention(b).dims(1, 1, l, s, e, e).causal(true, offset)
                .query(q, 0, 0, 0, e).key(k, 0, 0, 0, e).value(v, 0, 0, 0, e)
                .output(out, 0, 0, 0, e);
            if (withProbs) {
              att.probabilities(new float[l * s], 0, 0, 0, s);
            }
            att.run();
            assertArrayEquals(want, out, TOL, b.name() + (withProbs ? " full rows " : " flash ")
                + what);
          }
        }
      }
    }
    assertThrows(IllegalArgumentException.class, () -> new Attention().causal(true, -1));
  }

  @Test
  void stridedHeadsAndLogSumExp() {
    // two batches x two heads of (L=2, E=2) packed side by side in rows of width 4
    float[] q = {1, 0, 0, 1, /* row 1 */ 0, 1, 1, 0, /* batch 1 */ 1, 1, 0, 0, 0, 0, 1, 1};
    float[] out = new float[16];
    float[] lse = new float[8];
    new Attention(new ScalarBackend()).dims(2, 2, 2, 2, 2, 2).scale(1f)
        .query(q, 0, 8, 2, 4).key(q, 0, 8, 2, 4).value(q, 0, 8, 2, 4).output(out, 0, 8, 2, 4)
        .logSumExp(lse, 0, 4, 2).run();
    // batch 0, head 0: q = k = v = [[1,0],[0,1]]: row 0 scores (1, 0)
    double e1 = Math.exp(1);
    assertEquals((float) (e1 / (e1 + 1)), out[0], 1e-6f);
    assertEquals((float) (1 / (e1 + 1)), out[1], 1e-6f);
    assertEquals((float) Math.log(e1 + 1), lse[0], 1e-6f);
    // batch 1, head 1, row 1: q = k = v = [[0,0],[1,1]]: scores (0, 2)
    double e2 = Math.exp(2);
    assertEquals((float) (e2 / (1 + e2)), out[8 + 4 + 2], 1e-6f);
    assertEquals((float) Math.log(1 + e2), lse[4 + 2 + 1], 1e-6f);
  }

  @Test
  void boolMasksAndFullyMaskedRows() {
    float[] q = {1, 2};
    float[] k = {1, 0, 0, 1};
    float[] v = {10, 20};
    for (Backend b : new Backend[] {new ScalarBackend(), new VectorBackend()}) {
      float[] out = new float[2];
      Attention att = new Attention(b).dims(1, 1, 2, 2, 1, 1).scale(1f)
          .query(q, 0, 0, 0, 1).key(k, 0, 0, 0, 2).value(v, 0, 0, 0, 1).output(out, 0, 0, 0, 1);
      // k rows have width 2 but E = 1: keys (1) and (0)
      att.mask(new float[] {1, 0, 0, 0}, 0, 0, 0, 2, Attention.MaskMode.ATTEND_WHERE_NONZERO).run();
      assertEquals(10f, out[0], b.name() + ": only key 0 attended");
      assertTrue(Float.isNaN(out[1]), b.name() + ": no key attended: NaN as PyTorch");
      att.mask(new float[] {1, 0, 0, 0}, 0, 0, 0, 2, Attention.MaskMode.IGNORE_WHERE_NONZERO).run();
      assertEquals(20f, out[0], b.name() + ": key 0 ignored");
      double w = Math.exp(2) / (Math.exp(2) + 1);
      assertEquals((float) (10 * w + 20 * (1 - w)), out[1], 1e-5f);
      att.mask(new float[] {1, 1, 0, 0}, 0, 0, 0, 2, Attention.MaskMode.IGNORE_WHERE_NONZERO).run();
      assertTrue(Float.isNaN(out[0]), b.name() + ": every key ignored: NaN as PyTorch");
    }
  }

  @Test
  void ignoredKeysOverSeveralBlocksMatchAnAdditiveMask() {
    // A key padding mask of MultiheadAttention's kind (nonzero = ignore) over 150 keys (three
    // blocks), against the same mask as -inf added to the scores, on both backends.
    Random rnd = new Random(9);
    int l = Attention.ROWS + 3;
    int s = 2 * Attention.BLOCK + 22;
    int e = 32;
    float[] q = random(rnd, l * e, 2);
    float[] k = random(rnd, s * e, 2);
    float[] v = random(rnd, s * e, 1);
    float[] ignore = new float[l * s];
    float[] additive = new float[l * s];
    for (int i = 0; i < ignore.length; i++) {
      boolean off = (i % s) % 7 == 3 || (i % s) > s - 10;
      ignore[i] = off ? 1 : 0;
      additive[i] = off ? Float.NEGATIVE_INFINITY : 0;
    }
    float[] want = reference(l, s, e, e, q, k, v, additive, false, new float[l * s]);
    for (Backend b : new Backend[] {new ScalarBackend(), new VectorBackend()}) {
      float[] out = new float[l * e];
      new Attention(b).dims(1, 1, l, s, e, e).query(q, 0, 0, 0, e).key(k, 0, 0, 0, e)
          .value(v, 0, 0, 0, e).output(out, 0, 0, 0, e)
          .mask(ignore, 0, 0, 0, s, Attention.MaskMode.IGNORE_WHERE_NONZERO).run();
      assertArrayEquals(want, out, TOL, b.name() + " ignore-where-nonzero mask");
    }
  }

  @Test
  void boundsAreChecked() {
    Attention att = new Attention().dims(1, 2, 3, 3, 4, 4).query(new float[23], 0, 0, 4, 8);
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, att::run);
    assertTrue(e.getMessage().contains("attention: q (1 x 2 slices of 3 x 4"), e.getMessage());
  }
}
