package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#gemmTransposedA}: {@code C (+)= A^T @ B} with A read transposed in place,
 * against sums in double (an independent reference), with the bits of {@link Kernels#gemm} on
 * an explicit transposed copy (whole panels), on one thread and two; shapes with partial row tiles and panels,
 * two reduction blocks, strides and offsets; accumulating into C with one rounding per element.
 */
class GemmTransposedTest {
  private static final int[][] SHAPES = {
    {1, 1, 1}, {6, 16, 64}, {10, 1024, 64}, {1024, 784, 64}, {13, 37, 300}, {97, 50, 7},
    {4, 3, 513}, {600, 100, 20},
  };

  @Test
  void matchesDoubleSumsAndTheGemmOnATransposedCopy() {
    int threads = Kernels.threads();
    try {
      for (int t : new int[] {1, 2}) {
        Kernels.setThreads(t);
        for (int[] s : SHAPES) {
          check(s[0], s[1], s[2], t);
        }
      }
    } finally {
      Kernels.setThreads(threads);
    }
  }

  private static void check(int m, int n, int k, int threads) {
    String what = m + "x" + n + "x" + k + " on " + threads + " thread(s)";
    Random r = new Random(m * 31L + n * 7L + k);
    int lda = m + 3;
    int ldb = n + 5;
    int ldc = n + 2;
    float[] a = random(r, 2 + k * lda); // A^T stored (k x m) from offset 2
    float[] b = random(r, 1 + k * ldb); // B (k x n) from offset 1
    float[] c0 = random(r, 4 + m * ldc); // C's values before, from offset 4
    float[] c = c0.clone();
    Kernels.gemmTransposedA(m, n, k, a, 2, lda, b, 1, ldb, c, 4, ldc, false);
    float[] acc = c0.clone();
    Kernels.gemmTransposedA(m, n, k, a, 2, lda, b, 1, ldb, acc, 4, ldc, true);
    // the same product by the GEMM from a transposed copy of A
    float[] at = new float[m * k];
    for (int p = 0; p < k; p++) {
      for (int i = 0; i < m; i++) {
        at[i * k + p] = a[2 + p * lda + i];
      }
    }
    float[] g = new float[m * n];
    Kernels.gemm(m, n, k, at, 0, k, b, 1, ldb, false, g, 0, n, null, 0, Activation.NONE);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        double bound = 0;
        for (int p = 0; p < k; p++) {
          double v = (double) a[2 + p * lda + i] * b[1 + p * ldb + j];
          sum += v;
          bound += Math.abs(v);
        }
        int at0 = 4 + i * ldc + j;
        double tol = 1e-6 * bound + 1e-6 * k * Math.ulp((float) bound);
        assertEquals(sum, c[at0], tol, what + ": C[" + i + "][" + j + "]");
        if (j < n / Kernels.panelWidth() * Kernels.panelWidth()) {
          // whole panels: the same FMA chain (the GEMM's last partial panel may take dot
          // products, summed in another order)
          assertEquals(g[i * n + j], c[at0], 0f, what + ": C[" + i + "][" + j + "] vs gemm");
        }
        // accumulating: the product, then one addition (grad += dW)
        assertEquals(c0[at0] + c[at0], acc[at0], 0f, what + ": accumulated C[" + i + "][" + j
            + "]");
      }
      // the gap between rows is left alone
      for (int j = n; j < ldc && i + 1 < m; j++) {
        int gap = 4 + i * ldc + j;
        assertEquals(c0[gap], c[gap], 0f, what + ": between rows");
        assertEquals(c0[gap], acc[gap], 0f, what + ": between rows (accumulating)");
      }
    }
    assertArrayEquals(java.util.Arrays.copyOf(c0, 4), java.util.Arrays.copyOf(c, 4), what);
  }

  @Test
  void accumulatingIntoZerosGivesTheProductsBits() {
    Random r = new Random(9);
    int m = 100;
    int n = 70;
    int k = 64;
    float[] a = random(r, k * m);
    float[] b = random(r, k * n);
    float[] c = new float[m * n];
    Kernels.gemmTransposedA(m, n, k, a, 0, m, b, 0, n, c, 0, n, false);
    float[] z = new float[m * n];
    Kernels.gemmTransposedA(m, n, k, a, 0, m, b, 0, n, z, 0, n, true);
    assertArrayEquals(c, z);
  }

  @Test
  void anEmptyReductionZeroesOrKeepsC() {
    float[] c = {1, 2, 3, 4};
    Kernels.gemmTransposedA(2, 2, 0, new float[0], 0, 2, new float[0], 0, 2, c, 0, 2, true);
    assertArrayEquals(new float[] {1, 2, 3, 4}, c);
    Kernels.gemmTransposedA(2, 2, 0, new float[0], 0, 2, new float[0], 0, 2, c, 0, 2, false);
    assertArrayEquals(new float[4], c);
  }

  @Test
  void operandsThatDoNotFitAreRefused() {
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> Kernels.gemmTransposedA(3, 2, 4, new float[11], 0, 3, new float[8], 0, 2,
            new float[6], 0, 2, false));
    assertEquals("gemm: a (4 x 3, offset 0, row stride 3) does not fit in an array of length 11",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Kernels.gemmTransposedA(-1, 2, 4,
        new float[12], 0, 3, new float[8], 0, 2, new float[6], 0, 2, false));
  }

  private static float[] random(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }
}
