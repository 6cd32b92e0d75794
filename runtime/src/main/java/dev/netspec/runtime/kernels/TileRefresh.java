package dev.netspec.runtime.kernels;

/**
 * Where each element of A lies in the row tiles {@link VectorGemm#packRows} makes (row blocks
 * of {@link VectorGemm#MC_PACKED} rows, each split into reduction blocks of {@link
 * VectorGemm#KC}, each a run of {@link RowTiles#MR}-row strips laid out as {@link
 * RowTiles#packA} lays them), to rewrite the copies of a range of elements in place ({@link
 * TiledWeight#refresh}). Vector backend only.
 */
final class TileRefresh {
  private static final int MR = RowTiles.MR;

  private TileRefresh() {}

  /** Whether a product of an {@code m}-row A against {@code n} columns reads packed tiles. */
  static boolean usedFor(int m, int n) {
    return m > 2 && m >= MR
        && PackedMatrix.panels(n, VectorGemm.NR) >= VectorGemm.PACK_A_PANELS;
  }

  /** Elements per block of an update refreshing a {@code k}-column A: whole row tiles. */
  static int block(int k) {
    return Math.max(1, Updates.BLOCK / Math.max(1, k * MR)) * MR * Math.max(1, k);
  }

  /**
   * Copies elements {@code [from, to)} of A ({@code m x k}, row-major from 0) that lie in whole
   * row tiles into {@code tiles}, as {@link VectorGemm#packRows} placed them.
   */
  static void refresh(int m, int k, float[] a, int from, int to, float[] tiles) {
    if (k == 0 || from >= to) {
      return;
    }
    int tiled = m / MR * MR;
    for (int r = from / k; r < tiled && r * k < to; r++) {
      if (r % MR == 0 && r + MR <= tiled && r * k >= from && (r + MR) * k <= to) {
        // A whole tile of updated rows: packed as the GEMM packs it, six rows side by side.
        int ib = r / VectorGemm.MC_PACKED * VectorGemm.MC_PACKED;
        int blockTiles = Math.min(VectorGemm.MC_PACKED, m - ib) / MR;
        for (int kb = 0; kb < k; kb += VectorGemm.KC) {
          int kc = Math.min(VectorGemm.KC, k - kb);
          RowTiles.packA(a, r * k + kb, k, 1, kc, tiles,
              VectorGemm.sharedOffset(ib, k, blockTiles, kb) + (r - ib) / MR * RowTiles.STEP * kc);
        }
        r += MR - 1;
        continue;
      }
      int p0 = Math.max(from - r * k, 0);
      int p1 = Math.min(to - r * k, k);
      int ib = r / VectorGemm.MC_PACKED * VectorGemm.MC_PACKED;
      int blockTiles = Math.min(VectorGemm.MC_PACKED, m - ib) / MR;
      int t = (r - ib) / MR;
      int rr = r % MR;
      int src = r * k;
      for (int kb = p0 / VectorGemm.KC * VectorGemm.KC; kb < p1; kb += VectorGemm.KC) {
        int kc = Math.min(VectorGemm.KC, k - kb);
        int strip = VectorGemm.sharedOffset(ib, k, blockTiles, kb) + t * RowTiles.STEP * kc;
        int q0 = Math.max(p0, kb);
        int q1 = Math.min(p1, kb + kc);
        if (RowTiles.BY_ROWS) {
          System.arraycopy(a, src + q0, tiles, strip + rr * kc + q0 - kb, q1 - q0);
        } else {
          int d = strip + (q0 - kb) * RowTiles.STEP + rr;
          for (int p = q0; p < q1; p++, d += RowTiles.STEP) {
            tiles[d] = a[src + p];
          }
        }
      }
    }
  }
}
