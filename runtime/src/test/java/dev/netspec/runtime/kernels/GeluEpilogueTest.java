package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The GEMM's GELU epilogue ({@link Activation#GELU}) gives, on every path of the kernel, the
 * floats that a GELU pass over the stored product gives ({@link Backend#unary} with {@link
 * UnaryOp#GELU}, itself checked against PyTorch by GeluTest): the fused and the separate
 * forms of {@code gelu(linear(x))} are interchangeable bit for bit.
 */
class GeluEpilogueTest {
  private static final int L = VectorBackend.SPECIES.length();
  private static final int NR = 2 * L;

  private final Backend vector = new VectorBackend();
  private final Backend scalar = new ScalarBackend();

  /**
   * Rows: the wide tiles (1, 2), the 3- and 4-row tiles, whole main tiles and remainders, a
   * block of several packed row blocks; columns: a partial panel, a dot panel (10 columns at
   * k = 211), groups of 4 panels, a half-wide last panel.
   */
  private static final int[] ROWS = {1, 2, 3, 4, 5, 7, 16, 101, 200};
  private static final int[] COLUMNS = {3, NR + 10, 4 * NR, 9 * NR + 3, NR + L, 300};
  private static final int[] REDUCTIONS = {7, 211, VectorGemm.KC + 5};

  @Test
  void thePackedProductsEpilogueEqualsAGeluPassOverTheProduct() {
    Random rnd = new Random(3);
    for (Backend backend : new Backend[] {vector, scalar}) {
      for (int m : ROWS) {
        for (int n : COLUMNS) {
          for (int k : REDUCTIONS) {
            float[] a = random(rnd, m * k, 3f);
            float[] w = random(rnd, n * k, 0.3f);
            float[] bias = rnd.nextBoolean() ? random(rnd, n, 1f) : null;
            PackedMatrix packed = PackedMatrix.pack(k, n, w, 0, k, true);
            float[] want = new float[m * n];
            backend.gemm(m, a, 0, k, packed, want, 0, n, bias, 0, Activation.NONE);
            backend.unary(UnaryOp.GELU, want, 0, want, 0, want.length);
            float[] got = new float[m * n];
            backend.gemm(m, a, 0, k, packed, got, 0, n, bias, 0, Activation.GELU);
            assertArrayEquals(want, got, backend.name() + " m=" + m + " n=" + n + " k=" + k);
          }
        }
      }
    }
  }

  @Test
  void theRawProductsEpilogueEqualsAGeluPassOverTheProduct() {
    // A transposed B with fewer than 4 rows runs as dot products; the others pack B per call.
    Random rnd = new Random(5);
    for (int m : ROWS) {
      for (int n : COLUMNS) {
        for (boolean transB : new boolean[] {true, false}) {
          int k = 211;
          int ldc = n + 3;
          float[] a = random(rnd, m * k, 3f);
          float[] b = random(rnd, n * k, 0.3f);
          float[] bias = random(rnd, n, 1f);
          float[] want = new float[m * ldc];
          float[] got = new float[m * ldc];
          Arrays.fill(want, 7f);
          Arrays.fill(got, 7f);
          vector.gemm(m, n, k, a, 0, k, b, 0, transB ? k : n, transB, want, 0, ldc, bias, 0,
              Activation.NONE);
          for (int i = 0; i < m; i++) {
            vector.unary(UnaryOp.GELU, want, i * ldc, want, i * ldc, n);
          }
          vector.gemm(m, n, k, a, 0, k, b, 0, transB ? k : n, transB, got, 0, ldc, bias, 0,
              Activation.GELU);
          assertArrayEquals(want, got, "m=" + m + " n=" + n + " transB=" + transB);
        }
      }
    }
  }

  @Test
  void theEpilogueSplitAcrossThreadsGivesTheSameBits() {
    int before = Parallel.threads();
    Parallel.setThreads(2);
    try {
      Random rnd = new Random(7);
      for (int[] mnk : new int[][] {{1, 2048, 600}, {2, 4 * NR * 16, 300}, {96, 1536, 384}}) {
        int m = mnk[0];
        int n = mnk[1];
        int k = mnk[2];
        float[] a = random(rnd, m * k, 3f);
        float[] w = random(rnd, n * k, 0.3f);
        float[] bias = random(rnd, n, 1f);
        PackedMatrix packed = PackedMatrix.pack(k, n, w, 0, k, true);
        float[] want = new float[m * n];
        vector.gemm(m, a, 0, k, packed, want, 0, n, bias, 0, Activation.NONE);
        vector.unary(UnaryOp.GELU, want, 0, want, 0, want.length);
        float[] got = new float[m * n];
        vector.gemm(m, a, 0, k, packed, got, 0, n, bias, 0, Activation.GELU);
        assertArrayEquals(want, got, "packed m=" + m);
        float[] raw = new float[m * n];
        vector.gemm(m, n, k, a, 0, k, w, 0, k, true, raw, 0, n, bias, 0, Activation.GELU);
        float[] rawWant = new float[m * n];
        vector.gemm(m, n, k, a, 0, k, w, 0, k, true, rawWant, 0, n, bias, 0, Activation.NONE);
        vector.unary(UnaryOp.GELU, rawWant, 0, rawWant, 0, rawWant.length);
        assertArrayEquals(rawWant, raw, "raw m=" + m);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void geluOfAKnownProduct() {
    // By hand: [1, 2] . [0.5, 0.25] + 0.5 = 1.5 and [-1, -1] . [0.5, 0.25] + 0.5 = -0.25;
    // gelu(x) = x Phi(x): 1.3997892 and -0.1003234 (math.erf in double).
    for (Backend backend : new Backend[] {vector, scalar}) {
      float[] a = {1f, 2f, -1f, -1f};
      float[] b = {0.5f, 0.25f};
      float[] c = new float[2];
      backend.gemm(2, 1, 2, a, 0, 2, b, 0, 2, true, c, 0, 1, new float[] {0.5f}, 0,
          Activation.GELU);
      assertEquals(1.399789198, c[0], 1e-6, backend.name());
      assertEquals(-0.100323419, c[1], 1e-6, backend.name());
    }
  }

  private static float[] random(Random rnd, int n, float scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (rnd.nextFloat() * 2 - 1) * scale;
    }
    return x;
  }
}
