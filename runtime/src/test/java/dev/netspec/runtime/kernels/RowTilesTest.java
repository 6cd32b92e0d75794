package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The GEMM's 6-row register tile in both of its forms ({@link RowTiles#BY_ROWS} picks one by
 * JDK), each against the FMA chain it must compute, to the bit, whichever JDK runs the test.
 */
class RowTilesTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final int NR = 2 * L;
  private static final int ROWS = 6;

  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  /**
   * {@code c[r][j] = fma(a[r][p], b[p][j], ...)} over p in order, from 0 or from {@code c}:
   * A is {@code (ROWS, kc)} at {@code a0} with row stride {@code lda}, B a {@code (kc, NR)}
   * panel at {@code b0}, C at {@code c0} with row stride {@code ldc}.
   */
  @Test
  void bothFormsComputeTheSameChainsAsTheScalarLoop() {
    Random rnd = new Random(14);
    for (int kc : new int[] {1, 7, 64, 257}) {
      int lda = kc + 3;
      int ldc = NR + 5;
      float[] a = random(rnd, 2 + ROWS * lda);
      float[] b = random(rnd, 4 + kc * NR);
      for (boolean first : new boolean[] {true, false}) {
        float[] c = random(rnd, 1 + ROWS * ldc);
        float[] want = c.clone();
        TileChains.chains(ROWS, NR, kc, a, 2, lda, b, 4, want, 1, ldc, first);

        float[] interleaved = new float[3 + RowTiles.STEP6 * kc];
        RowTiles.packTile6(a, 2, lda, kc, interleaved, 3);
        float[] got = c.clone();
        RowTiles.tile6x2(kc, interleaved, 3, b, 4, got, 1, ldc, first);
        int k = kc;
        boolean f = first;
        assertArrayEquals(want, got, () -> "interleaved kc=" + k + " first=" + f);

        float[] byRows = new float[3 + ROWS * kc];
        RowTiles.packByRows(a, 2, lda, ROWS, kc, byRows, 3);
        got = c.clone();
        RowTiles.tile6x2ByRows(kc, byRows, 3, b, 4, got, 1, ldc, first);
        assertArrayEquals(want, got, () -> "by rows kc=" + k + " first=" + f);
      }
    }
  }
}
