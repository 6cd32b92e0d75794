package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 8-row tile that reads A in place ({@link EdgeTiles#tile8x2}) against the FMA chains it
 * must compute, to the bit; and whole products whose 8-row tiles read A in place (a row stride
 * that is not a multiple of 1,024 floats, with 512-bit vectors) or from packed strips (a
 * multiple of 1,024) against the same chains plus the bias and ReLU, so either path gives the same floats.
 */
class EdgeTilesTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final int NR = 2 * L;

  private final Backend vector = new VectorBackend();

  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  @Test
  void tile8x2ComputesTheFmaChainsOfEachElement() {
    Random rnd = new Random(21);
    for (int kc : new int[] {1, 7, 32, 257}) {
      int lda = kc + 3;
      int ldc = NR + 5;
      float[] a = random(rnd, 2 + 8 * lda);
      float[] b = random(rnd, 4 + kc * NR);
      for (boolean first : new boolean[] {true, false}) {
        float[] c = random(rnd, 1 + 8 * ldc);
        float[] want = c.clone();
        TileChains.chains(8, NR, kc, a, 2, lda, b, 4, want, 1, ldc, first);
        float[] got = c.clone();
        EdgeTiles.tile8x2(kc, a, 2, lda, b, 4, got, 1, ldc, first);
        int k = kc;
        boolean f = first;
        assertArrayEquals(want, got, () -> "kc=" + k + " first=" + f);
      }
    }
  }

  @Test
  void productsGiveTheChainsWhetherAIsReadInPlaceOrPacked() {
    products(new Random(22), new int[] {8, 16, 37, 130});
  }

  @Test
  void parallelProductsGiveTheSameChains() {
    // Split across the pool by panels; a packed A is shared by the threads, or read in place.
    int before = Parallel.threads();
    Parallel.setThreads(2);
    try {
      products(new Random(23), new int[] {67, 260});
    } finally {
      Parallel.setThreads(before);
    }
  }

  private void products(Random rnd, int[] rowCounts) {
    int kc = VectorGemm.KC;
    for (int m : rowCounts) {
      // 2 panels: A read in place by every tile; 5 and a partial one: the packed-A loop (the
      // partial one wider than a vector: a narrower one with a long reduction is done as dot
      // products, whose lanes split each sum).
      for (int n : new int[] {2 * NR, 5 * NR + L + 3}) {
        for (int k : new int[] {33, kc + 5}) {
          for (boolean transB : new boolean[] {false, true}) {
            float[] b = random(rnd, k * n); // (k, n), or (n, k) if transB
            float[] bias = random(rnd, n);
            float[] dense = random(rnd, m * k);
            float[] want = new float[m * n];
            for (int i = 0; i < m; i++) {
              for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                  s = Math.fma(dense[i * k + p], transB ? b[j * k + p] : b[p * n + j], s);
                }
                s += bias[j];
                want[i * n + j] = s < 0 ? 0 : s;
              }
            }
            // A row stride that reads in place, and one (a multiple of 1,024) that packs A.
            for (int lda : new int[] {k + 1, (k / 1024 + 1) * 1024}) {
              float[] a = new float[m * lda];
              for (int i = 0; i < m; i++) {
                System.arraycopy(dense, i * k, a, i * lda, k);
              }
              float[] got = new float[m * n];
              vector.gemm(m, n, k, a, 0, lda, b, 0, transB ? k : n, transB, got, 0, n, bias, 0,
                  Activation.RELU);
              String what = "m=" + m + " n=" + n + " k=" + k + " transB=" + transB + " lda="
                  + lda;
              assertArrayEquals(want, got, what);
              PackedMatrix packed = PackedMatrix.pack(k, n, b, 0, transB ? k : n, transB);
              float[] fromPacked = new float[m * n];
              vector.gemm(m, a, 0, lda, packed, fromPacked, 0, n, bias, 0,
                  Activation.RELU);
              assertArrayEquals(want, fromPacked, "packed B, " + what);
            }
          }
        }
      }
    }
  }
}
