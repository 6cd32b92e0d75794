package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 12-row tile ({@link TallTiles#tile12x2}, from a strip {@link TallTiles#pack} copied)
 * against the FMA chains it must compute, to the bit; how a block's rows split into 12- and
 * 8-row tiles; and whole products wide enough to take it (512-bit vectors) against the same
 * chains plus the bias.
 */
class TallTilesTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final int NR = 2 * L;

  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  @Test
  void tile12x2ComputesTheFmaChainsOfEachElement() {
    Random rnd = new Random(31);
    for (int kc : new int[] {1, 7, 32, 257}) {
      int lda = kc + 3;
      int ldc = NR + 5;
      float[] a = random(rnd, 2 + 12 * lda);
      float[] b = random(rnd, 4 + kc * NR);
      for (boolean first : new boolean[] {true, false}) {
        float[] c = random(rnd, 1 + 12 * ldc);
        float[] want = c.clone();
        TileChains.chains(12, NR, kc, a, 2, lda, b, 4, want, 1, ldc, first);
        float[] strip = new float[3 + TallTiles.STEP * kc];
        TallTiles.pack(a, 2, lda, 1, kc, strip);
        System.arraycopy(strip, 0, strip, 3, TallTiles.STEP * kc); // a strip not at 0
        float[] got = c.clone();
        TallTiles.tile12x2(kc, strip, 3, b, 4, got, 1, ldc, first);
        int k = kc;
        boolean f = first;
        assertArrayEquals(want, got, () -> "kc=" + k + " first=" + f);
      }
    }
  }

  @Test
  void blocksSplitIntoTwelvesAndEights() {
    // 128 rows (BERT's sequence): ten 12-row tiles and one of 8.
    assertEquals("12 12 12 12 12 12 12 12 12 12 8", split(128));
    assertEquals("8 8", split(16)); // two 8s, not a 12 and a 4
    assertEquals("12 8", split(20));
    assertEquals("12 8 8", split(28));
    assertEquals("12 12 12 12 8 8", split(64));
    assertEquals("12 8 3", split(23)); // the rows past the last 4 go to the edge tiles
    assertEquals("12", split(12));
  }

  private static String split(int rows) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < rows; ) {
      int left = rows - i;
      int r = left < 8 ? left : TallTiles.rows(left);
      out.append(out.length() == 0 ? "" : " ").append(r);
      i += r;
    }
    return out.toString();
  }

  @Test
  void productsMixingTheTilesGiveTheChains() {
    Random rnd = new Random(32);
    // The panels from which the 12-row tile is taken; the same with a partial last panel wider
    // than a vector (its tiles 8 rows; a narrower one with a long reduction is done as dot
    // products, whose lanes split each sum).
    for (int n : new int[] {TallTiles.PANELS * NR, (TallTiles.PANELS - 1) * NR + L + 3}) {
      for (int m : new int[] {12, 20, 28, 64, 130}) {
        product(rnd, m, n, 33);
        product(rnd, m, n, VectorGemm.KC + 5);
      }
    }
  }

  private static void product(Random rnd, int m, int n, int k) {
    float[] b = random(rnd, k * n);
    float[] bias = random(rnd, n);
    int lda = k + 1;
    float[] a = random(rnd, m * lda);
    float[] want = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s = Math.fma(a[i * lda + p], b[p * n + j], s);
        }
        want[i * n + j] = s + bias[j];
      }
    }
    PackedMatrix packed = PackedMatrix.pack(k, n, b, 0, n, false);
    float[] got = new float[m * n];
    new VectorBackend().gemm(m, a, 0, lda, packed, got, 0, n, bias, 0, Activation.NONE);
    assertArrayEquals(want, got, "m=" + m + " n=" + n + " k=" + k);
  }
}
