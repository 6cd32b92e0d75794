package dev.netspec.runtime.kernels;

/**
 * The single panels of a product of one or two rows (a batch of 1 or 2 through a Linear, a
 * matrix-vector product), in plain Java: those {@link VectorGemm}'s wide tile does not cover,
 * at most 3 whole panels and a half-wide last one per call (ResNet-18's {@code fc}, 1,000
 * columns: 2.5 panels of 62.5). Each such panel runs once per call, so a Vector API tile for it
 * would run as plain Java, boxing every vector, until C2 compiled it after hundreds of calls
 * (the generated ResNet-18 allocated 165 KB per forward at batch 1 for its first ~450
 * forwards); scalar code allocates nothing in the interpreter either. The floats are those of
 * the vector tiles these replaced: the same FMA chains in the same order, the sum plus the
 * bias, then {@code x < below ? 0 : x}, as the wide tile's epilogue. Their few multiply-adds
 * (16 x k per panel) cost little next to the wide tile's 15 calls of 64 x k at 1,000 columns.
 */
final class SmallPanels {
  /** Columns whose FMA chains run side by side (independent chains hide the FMA latency). */
  private static final int SIDE = 4;

  private SmallPanels() {}

  /**
   * Rows {@code [0, m)} ({@code m} 1 or 2, A's rows {@code lda} apart from {@code aOff}) of
   * C ({@code ldc} apart from {@code c0}), columns {@code [0, cols)}, from one whole panel at
   * {@code b0} with row stride {@code ldb} (zero-padded to a multiple of {@value #SIDE} columns
   * at least): each output one FMA chain over the reduction from zero, as the wide tile.
   */
  static void whole(int m, int k, float[] a, int aOff, int lda, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, int cols, float[] bias, int bo, float below) {
    for (int r = 0; r < m; r++) {
      int ar = aOff + r * lda;
      int cr = c0 + r * ldc;
      for (int j = 0; j < cols; j += SIDE) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        for (int p = 0, bp = b0 + j; p < k; p++, bp += ldb) {
          float x = a[ar + p];
          s0 = Math.fma(x, b[bp], s0);
          s1 = Math.fma(x, b[bp + 1], s1);
          s2 = Math.fma(x, b[bp + 2], s2);
          s3 = Math.fma(x, b[bp + 3], s3);
        }
        store(s0, c, cr, j, cols, bias, bo, below);
        store(s1, c, cr, j + 1, cols, bias, bo, below);
        store(s2, c, cr, j + 2, cols, bias, bo, below);
        store(s3, c, cr, j + 3, cols, bias, bo, below);
      }
    }
  }

  /**
   * The same from a half-wide last panel (row stride {@code width}, the vector length): each
   * output four FMA chains over the reduction's steps by their index modulo 4, the rest of the
   * steps on the first, summed as {@code (s0 + s1) + (s2 + s3)}.
   */
  static void half(int m, int k, float[] a, int aOff, int lda, float[] b, int b0, int width,
      float[] c, int c0, int ldc, int cols, float[] bias, int bo, float below) {
    int k4 = k & ~3;
    for (int r = 0; r < m; r++) {
      int ar = aOff + r * lda;
      int cr = c0 + r * ldc;
      for (int j = 0; j < cols; j++) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int p = 0;
        for (int bp = b0 + j; p < k4; p += 4, bp += 4 * width) {
          s0 = Math.fma(a[ar + p], b[bp], s0);
          s1 = Math.fma(a[ar + p + 1], b[bp + width], s1);
          s2 = Math.fma(a[ar + p + 2], b[bp + 2 * width], s2);
          s3 = Math.fma(a[ar + p + 3], b[bp + 3 * width], s3);
        }
        for (; p < k; p++) {
          s0 = Math.fma(a[ar + p], b[b0 + p * width + j], s0);
        }
        store(s0 + s1 + (s2 + s3), c, cr, j, cols, bias, bo, below);
      }
    }
  }

  /** {@code c[cr + j] = sum + bias[bo + j]}, or 0 below {@code below}, for {@code j < cols}. */
  private static void store(float sum, float[] c, int cr, int j, int cols, float[] bias, int bo,
      float below) {
    if (j < cols) {
      float v = sum + bias[bo + j];
      c[cr + j] = v < below ? 0f : v;
    }
  }
}
