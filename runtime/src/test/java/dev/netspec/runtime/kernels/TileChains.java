package dev.netspec.runtime.kernels;

/**
 * The reference the register tiles' tests compare with: each element of a {@code rows x nr}
 * block of C as one FMA chain over the reduction, in order ({@code c = fma(a, b, c)}, from
 * zero when {@code first}), which a tile must reproduce to the bit.
 */
final class TileChains {
  private TileChains() {}

  static void chains(int rows, int nr, int kc, float[] a, int a0, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, boolean first) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < nr; j++) {
        float s = first ? 0f : c[c0 + r * ldc + j];
        for (int p = 0; p < kc; p++) {
          s = Math.fma(a[a0 + r * lda + p], b[b0 + p * nr + j], s);
        }
        c[c0 + r * ldc + j] = s;
      }
    }
  }
}
