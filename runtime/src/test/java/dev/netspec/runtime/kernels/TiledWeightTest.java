package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A weight's packed copies rewritten range by range ({@link TiledWeight#refresh}, {@link
 * PackedMatrix#refreshRows}) give the products of the weight packed whole again, for ranges
 * that start and end inside rows and tiles or on whole rows, across reduction blocks, row
 * blocks, a half-wide and a dot-product panel; and a product reading the tiles equals the one
 * that packs A itself.
 */
class TiledWeightTest {
  private static final int[][] RANGES = {{0, 1}, {5, 777}, {299, 301}, {1234, 9000},
      {17_999, 30_000}, {29_000, 30_000}, {3_000, 6_000}};

  @Test
  void refreshedTilesMultiplyAsFreshlyPackedOnes() {
    int m = 100; // 16 tiles and 4 rows; 96-row blocks
    int k = 300; // two reduction blocks
    int n = 64;
    Random r = new Random(1);
    float[] a = random(r, m * k);
    float[] x = random(r, k * n);
    PackedMatrix b = PackedMatrix.pack(k, n, x, 0, n, false);
    TiledWeight w = TiledWeight.of(m, k);
    w.pack(a);
    float[] expected = new float[m * n];
    float[] got = new float[m * n];
    Kernels.gemm(m, n, k, a, 0, k, x, 0, n, false, expected, 0, n, null, 0, Activation.NONE);
    Kernels.gemm(a, w, b, got, 0, n, null, 0, Activation.NONE);
    assertArrayEquals(expected, got, "tiles against the product that packs A itself");
    for (int[] range : RANGES) {
      for (int i = range[0]; i < range[1]; i++) {
        a[i] = r.nextFloat() - 0.5f;
      }
      w.refresh(a, range[0], range[1]);
      TiledWeight fresh = TiledWeight.of(m, k);
      fresh.pack(a);
      Kernels.gemm(a, fresh, b, expected, 0, n, null, 0, Activation.NONE);
      Kernels.gemm(a, w, b, got, 0, n, null, 0, Activation.NONE);
      assertArrayEquals(expected, got, "after refreshing " + range[0] + ".." + range[1]);
    }
  }

  @Test
  void refreshedPanelsMultiplyAsFreshlyPackedOnes() {
    for (int n : new int[] {37, 40, 300}) { // a dot panel (5 columns), half-wide, whole
      int k = 120;
      Random r = new Random(n);
      float[] w = random(r, k * n);
      float[] g = random(r, 16 * k);
      PackedMatrix packed = PackedMatrix.pack(k, n, w, 0, n, false);
      float[] expected = new float[16 * n];
      float[] got = new float[16 * n];
      for (int[] range : RANGES) {
        int to = Math.min(range[1], k * n);
        for (int i = range[0]; i < to; i++) {
          w[i] = r.nextFloat() - 0.5f;
        }
        packed.refreshRows(w, 0, Math.min(range[0], to), to);
        Kernels.gemm(16, g, 0, k, PackedMatrix.pack(k, n, w, 0, n, false), expected, 0, n, null,
            0, Activation.NONE);
        Kernels.gemm(16, g, 0, k, packed, got, 0, n, null, 0, Activation.NONE);
        assertArrayEquals(expected, got, n + " columns, after refreshing " + range[0] + ".."
            + to);
      }
    }
  }

  private static float[] random(Random r, int size) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = r.nextFloat() - 0.5f;
    }
    return v;
  }
}
