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
 * The same holds at any batch for the last panel of a small product ({@link #plain}): a dot
 * panel ({@link #dots}) or a half-wide one ({@link #narrow}).
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

  /**
   * {@link DotTiles#dotPanel} in plain Java, for a dot panel with few multiply-adds ({@link
   * #plain}): rows {@code [0, m)} of C against {@code cols} columns packed for dot products
   * from {@code w0}. Each output the same sums in the same order as the vector tile's: lane
   * {@code l} of {@code lanes} one FMA chain over the rows {@code p} with {@code p % L == l}
   * in whole blocks of {@code L}, the lanes summed by {@link DotTiles#sumLanes}, then the last
   * {@code k % L} rows one FMA each, the bias added and ReLU applied by {@link DotTiles#store}.
   * Its lane loop is one vector of FMAs once C2 vectorizes it; before, it allocates nothing.
   */
  static void dots(int m, int k, float[] a, int aOff, int lda, float[] w, int w0, float[] c,
      int c0, int ldc, int cols, float[] bias, int biasOff, boolean relu, int lanes,
      float[] acc) {
    int g = PackedMatrix.dotColumns(cols);
    int group = PackedMatrix.dotRows(k, 2 * lanes) * g;
    int whole = k - k % lanes;
    for (int r = 0; r < m; r++) {
      int ar = aOff + r * lda;
      for (int j = 0; j < cols; j++) {
        int wj = w0 + j / g * group + j % g * lanes; // column j's lanes in block 0
        java.util.Arrays.fill(acc, 0, lanes, 0f);
        for (int p = 0; p < whole; p += lanes) {
          int wp = wj + p * g;
          int ap = ar + p;
          for (int l = 0; l < lanes; l++) {
            acc[l] = Math.fma(a[ap + l], w[wp + l], acc[l]);
          }
        }
        float sum = DotTiles.sumLanes(acc, 0, lanes);
        for (int p = whole; p < k; p++) {
          sum = Math.fma(a[ar + p], w[wj + whole * g + p - whole], sum);
        }
        DotTiles.store(c, c0 + r * ldc + j, sum, bias, biasOff + j, relu);
      }
    }
  }

  /**
   * {@code VectorGemm}'s one-vector tiles ({@code narrow}) in plain Java, for a half-wide
   * panel with few multiply-adds ({@link #plain}): rows {@code [0, rows)} of C ({@code ldc}
   * apart from {@code c0}), all {@code width} columns, from the panel at {@code b0} (row stride
   * {@code width}), over {@code kc} steps; each output one FMA chain over the steps in order,
   * from zero when {@code first}, else from C, as the vector tile's.
   */
  static void narrow(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0, int width,
      float[] c, int c0, int ldc, boolean first) {
    for (int r = 0; r < rows; r++) {
      int ar = a0 + r * lda;
      int cr = c0 + r * ldc;
      if (first) {
        java.util.Arrays.fill(c, cr, cr + width, 0f);
      }
      for (int p = 0; p < kc; p++) {
        float x = a[ar + p];
        int bp = b0 + p * width;
        for (int j = 0; j < width; j++) {
          c[cr + j] = Math.fma(x, b[bp + j], c[cr + j]);
        }
      }
    }
  }

  /**
   * Whether the last panel ({@code panelColumns} wide in its tile, {@code width} the vector
   * length) of an {@code m x n x k} product runs here rather than in a Vector API tile: when
   * the product has whole panels besides it and the panel few multiply-adds. Such a panel
   * runs once per product (the last panel of ResNet-18's {@code fc}
   * at batch 8: 8 x 512 x 8 on 512-bit vectors), so its tile ran as plain Java, boxing every
   * vector (345 KB per call), until C2 compiled it: about a hundred forwards of the network
   * alone, several hundred in a busy JVM, past JMH's warmup. Scalar code allocates nothing;
   * at most {@value #PLAIN_MACS} multiply-adds it costs a few microseconds, a small part of
   * the product the panel ends.
   */
  static boolean plain(int m, int n, int k, int width, int panelColumns) {
    return n > 2 * width && (long) m * k * panelColumns <= PLAIN_MACS;
  }

  /** Multiply-adds up to which a leftover panel runs in plain Java ({@link #plain}). */
  static final long PLAIN_MACS = 1L << 16;

  /** {@code c[cr + j] = sum + bias[bo + j]}, or 0 below {@code below}, for {@code j < cols}. */
  private static void store(float sum, float[] c, int cr, int j, int cols, float[] bias, int bo,
      float below) {
    if (j < cols) {
      float v = sum + bias[bo + j];
      c[cr + j] = v < below ? 0f : v;
    }
  }
}
