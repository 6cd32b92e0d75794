package dev.netspec.runtime.kernels;

import java.util.Arrays;

/**
 * {@code C = A^T @ B}, or {@code C += A^T @ B}, with A stored as its {@code k x m} transpose
 * and read in place ({@link Kernels#gemmTransposedA}): a weight's gradient {@code dW = dY^T @
 * X} straight from the output gradient {@code dY (rows x out)} and the input {@code X (rows x
 * in)}, without a transposed copy of {@code dY}, and added into a gradient that is already
 * there in the same pass.
 *
 * <p>On the vector backend the row tiles of {@code A^T} are packed from {@code dY} directly: a
 * tile's six rows at step {@code p} are six neighbouring floats of row {@code p} of {@code dY}
 * (the interleaved layout {@link RowTiles#packA} makes), or gathered row after row where
 * {@link RowTiles#BY_ROWS}. Then {@link RowTiles#tile} runs each against panels of {@code B}
 * packed per thread, each row tile across a chunk of panels, split by row tiles across the
 * kernel threads. Each element of
 * C is one FMA chain over {@code p} from zero, so the product has the bits of {@code
 * Kernels.gemm} on the transposed copy (in its whole panels: its last partial panel may sum
 * dot products in another order); accumulating adds each product to C with one rounding, the
 * bits of {@code grad += dW}. The row tile past the last whole one, the last partial panel and
 * an accumulated tile run through a zero-padded tile.
 *
 * <p>The scalar backend sums each element over {@code p} in double, as its GEMM does, and adds
 * the rounded sum to C when accumulating.
 */
final class GemmTransposed {
  private GemmTransposed() {}

  /** See {@link Kernels#gemmTransposedA}; arguments checked there. */
  static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) {
          Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
      }
      return;
    }
    if (Kernels.vectorized()) {
      Tiled.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    } else {
      scalar(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
    }
  }

  private static void scalar(int m, int n, int k, float[] a, int aOff, int lda, float[] b,
      int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double acc = 0;
        for (int p = 0; p < k; p++) {
          acc += (double) a[aOff + p * lda + i] * b[bOff + p * ldb + j];
        }
        int at = cOff + i * ldc + j;
        c[at] = accumulate ? c[at] + (float) acc : (float) acc;
      }
    }
  }

  /**
   * The vector backend's product (a nested class, so the scalar backend never loads {@link
   * RowTiles}). One per thread: a calling thread's holds the call's arguments for the pool and
   * its packed {@code A^T}; every thread's holds its chunk of B's panels and its padded tile.
   */
  static final class Tiled implements Parallel.Range {
    private static final int MR = RowTiles.MR;
    private static final int NR = 2 * VectorBackend.SPECIES.length();
    private static final int KC = VectorGemm.KC;
    private static final ThreadLocal<Tiled> SCRATCH = ThreadLocal.withInitial(Tiled::new);

    /** Floats of B packed at a time (256 KiB): a chunk of panels every row tile runs over. */
    private static final int CHUNK_FLOATS = 1 << 16;

    private float[] panels = new float[0]; // (count, k, NR): a chunk of panels of B, packed
    private final float[] edge = new float[MR * NR]; // (MR, NR): a partial tile of C
    private float[] packedA = new float[0]; // every row tile of A^T, per reduction block

    // the call's arguments while it runs on the pool
    private int m;
    private int n;
    private int k;
    private float[] ap;
    private float[] b;
    private int bOff;
    private int ldb;
    private float[] c;
    private int cOff;
    private int ldc;
    private boolean accumulate;

    static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
        int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
      Tiled s = SCRATCH.get();
      int tiles = (m + MR - 1) / MR;
      int size = tiles * RowTiles.STEP * k;
      if (s.packedA.length < size) {
        s.packedA = new float[size];
      }
      float[] ap = s.packedA;
      packTransposed(m, k, a, aOff, lda, tiles, ap);
      if (Parallel.threads() > 1 && tiles > 1
          && (long) m * n * k >= VectorGemm.PARALLEL_WORK) {
        s.m = m;
        s.n = n;
        s.k = k;
        s.ap = ap;
        s.b = b;
        s.bOff = bOff;
        s.ldb = ldb;
        s.c = c;
        s.cOff = cOff;
        s.ldc = ldc;
        s.accumulate = accumulate;
        try {
          Parallel.forRanges(tiles, s);
        } finally {
          s.b = null;
          s.c = null;
          s.ap = null;
        }
      } else {
        rowTiles(m, n, k, ap, b, bOff, ldb, c, cOff, ldc, accumulate, 0, tiles, s);
      }
    }

    @Override
    public void run(int from, int to) {
      rowTiles(m, n, k, ap, b, bOff, ldb, c, cOff, ldc, accumulate, from, to, SCRATCH.get());
    }

    /**
     * Row tiles of {@code A^T} ({@code m x k}) from {@code A} ({@code k x m}, row {@code p} at
     * {@code a[aOff + p * lda]}): reduction block {@code kb} of every tile from {@code kb *
     * tiles * STEP}, tile {@code t} {@code STEP * kc} floats from there, laid out as {@link
     * RowTiles#packA} lays a strip; the rows past {@code m} are zeros.
     */
    private static void packTransposed(int m, int k, float[] a, int aOff, int lda, int tiles,
        float[] ap) {
      for (int kb = 0; kb < k; kb += KC) {
        int kc = Math.min(KC, k - kb);
        int base = kb * tiles * RowTiles.STEP;
        for (int t = 0; t < tiles; t++) {
          int rows = Math.min(MR, m - t * MR);
          int at = base + t * RowTiles.STEP * kc;
          int src = aOff + kb * lda + t * MR;
          if (RowTiles.BY_ROWS) {
            for (int r = 0; r < MR; r++) {
              for (int p = 0; p < kc; p++) {
                ap[at + r * kc + p] = r < rows ? a[src + p * lda + r] : 0f;
              }
            }
          } else if (rows == MR) {
            for (int p = 0; p < kc; p++) {
              System.arraycopy(a, src + p * lda, ap, at + p * RowTiles.STEP, MR);
            }
          } else {
            for (int p = 0; p < kc; p++) {
              int d = at + p * RowTiles.STEP;
              System.arraycopy(a, src + p * lda, ap, d, rows);
              Arrays.fill(ap, d + rows, d + MR, 0f);
            }
          }
        }
      }
    }

    /**
     * Row tiles {@code [t0, t1)} of C over the whole reduction, a chunk of B's panels at a time
     * (packed by this thread, about {@value #CHUNK_FLOATS} floats: all of them for a weight's
     * gradient at batch 64, which stays in L2), each row tile across the whole chunk. So C is
     * written a row tile at a time along its rows, each row a sequential stream; panel after
     * panel, each tile's rows were 32 floats every {@code ldc} (4 KiB for 1024 inputs: a page
     * each, which no prefetcher follows), and every store of the gradient missed. Accumulating,
     * each tile's product is summed from zero in a padded tile and then added to C, one rounding
     * per element (as {@code grad += dW} rounds), instead of chaining its FMAs from C's value.
     */
    private static void rowTiles(int m, int n, int k, float[] ap, float[] b, int bOff, int ldb,
        float[] c, int cOff, int ldc, boolean accumulate, int t0, int t1, Tiled s) {
      int tiles = (m + MR - 1) / MR;
      int panels = (n + NR - 1) / NR;
      int chunk = Math.max(1, CHUNK_FLOATS / Math.max(1, k * NR));
      for (int q0 = 0; q0 < panels; q0 += chunk) {
        int q1 = Math.min(panels, q0 + chunk);
        float[] bp = packPanels(n, k, b, bOff, ldb, q0, q1, s);
        for (int t = t0; t < t1; t++) {
          int rows = Math.min(MR, m - t * MR);
          for (int q = q0; q < q1; q++) {
            int j = q * NR;
            int cols = Math.min(NR, n - j);
            int b0 = (q - q0) * k * NR;
            int c0 = cOff + t * MR * ldc + j;
            if (rows == MR && cols == NR && !accumulate) {
              product(k, tiles, t, ap, bp, b0, c, c0, ldc);
              continue;
            }
            float[] e = s.edge;
            product(k, tiles, t, ap, bp, b0, e, 0, NR);
            for (int r = 0; r < rows; r++) {
              int row = c0 + r * ldc;
              if (accumulate) {
                for (int x = 0; x < cols; x++) {
                  c[row + x] += e[r * NR + x];
                }
              } else {
                System.arraycopy(e, r * NR, c, row, cols);
              }
            }
          }
        }
      }
    }

    /**
     * Panels {@code [q0, q1)} of B ({@code k x n}, row stride {@code ldb}) packed into this
     * thread's scratch, panel after panel, each {@code k x NR} and zero-padded past {@code n}.
     */
    private static float[] packPanels(int n, int k, float[] b, int bOff, int ldb, int q0,
        int q1, Tiled s) {
      int size = (q1 - q0) * k * NR;
      if (s.panels.length < size) {
        s.panels = new float[size];
      }
      float[] bp = s.panels;
      for (int q = q0; q < q1; q++) {
        int j = q * NR;
        int cols = Math.min(NR, n - j);
        int at = (q - q0) * k * NR;
        if (cols == NR) {
          Kernels.copyPanel(b, bOff + j, ldb, k, NR, bp, at);
        } else {
          for (int p = 0; p < k; p++) {
            System.arraycopy(b, bOff + p * ldb + j, bp, at + p * NR, cols);
            Arrays.fill(bp, at + p * NR + cols, at + (p + 1) * NR, 0f);
          }
        }
      }
      return bp;
    }

    /** Row tile {@code t} of {@code A^T} times the packed panel at {@code b0}, every block. */
    private static void product(int k, int tiles, int t, float[] ap, float[] bp, int b0,
        float[] c, int c0, int ldc) {
      for (int kb = 0; kb < k; kb += KC) {
        int kc = Math.min(KC, k - kb);
        RowTiles.tile(kc, ap, (kb * tiles + t * kc) * RowTiles.STEP, bp, b0 + kb * NR, c, c0,
            ldc, kb == 0);
      }
    }
  }
}
