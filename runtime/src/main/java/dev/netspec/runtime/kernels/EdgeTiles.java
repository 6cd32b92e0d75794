package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM's tiles that read A in place, unpacked ({@link VectorGemm}): the rows left below the
 * last whole {@link RowTiles} tile (4-row tiles, also for 3 and 5 rows, then 2- and 1-row ones),
 * every row of a product with too few panels to pack A, and half-wide last panels (one vector
 * wide, row stride L: {@link #narrow}). Two vectors wide otherwise, from a panel of op(B) with
 * row stride {@code ldb}. Each element of C is one FMA chain over the reduction, in order, as
 * in every other tile, so which tile computes it never changes a result. Each starts from zero
 * if {@code first}, else adds to the C already there. Loaded by {@link VectorBackend} only.
 */
final class EdgeTiles {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  /** Rows of the main register tile: {@link RowTiles#MR}. */
  private static final int MR = RowTiles.MR;
  private static final int NR = 2 * L;
  /** Zeros to start the accumulators from (two vectors). */
  private static final float[] ZEROS = new float[NR];

  private EdgeTiles() {}

  /** {@code rows} (1 to 4) rows of C, two vectors wide, A read in place. */
  static void tile(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      int ldb, float[] c, int c0, int ldc, boolean first) {
    switch (rows) {
      case 4:
      case 3:
        tile4x2(rows, kc, a, a0, lda, b, b0, ldb, c, c0, ldc, first);
        break;
      case 2:
        tile2x2(kc, a, a0, lda, b, b0, ldb, c, c0, ldc, first);
        break;
      default:
        tile1x2(kc, a, a0, b, b0, ldb, c, c0, first);
        break;
    }
  }

  /**
   * 8 rows of C, two vectors wide, A read in place from 8 rows {@code lda} apart and B from a
   * packed panel (row stride NR, a constant, so C2 hoists the bounds checks): {@link RowTiles}'
   * 8-row tile without its packed strip, for 512-bit vectors (19 registers of AVX-512's 32).
   * The same FMA chains as every other tile.
   */
  static void tile8x2(int kc, float[] a, int a0, int lda, float[] b, int b0, float[] c, int c0,
      int ldc, boolean first) {
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int sld = first ? 0 : ldc;
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, src, s0 + L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 3 * sld));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 3 * sld + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 4 * sld));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 4 * sld + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 5 * sld));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 5 * sld + L));
    FloatVector c60 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 6 * sld));
    FloatVector c61 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 6 * sld + L));
    FloatVector c70 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 7 * sld));
    FloatVector c71 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 7 * sld + L));
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    int a4 = a3 + lda;
    int a5 = a4 + lda;
    int a6 = a5 + lda;
    int a7 = a6 + lda;
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * NR;
      FloatVector b0v = EXACT.cast(FloatVector.fromArray(S, b, bp));
      FloatVector b1v = EXACT.cast(FloatVector.fromArray(S, b, bp + L));
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c00 = x.fma(b0v, c00);
      c01 = x.fma(b1v, c01);
      x = EXACT.cast(FloatVector.broadcast(S, a[a1 + p]));
      c10 = x.fma(b0v, c10);
      c11 = x.fma(b1v, c11);
      x = EXACT.cast(FloatVector.broadcast(S, a[a2 + p]));
      c20 = x.fma(b0v, c20);
      c21 = x.fma(b1v, c21);
      x = EXACT.cast(FloatVector.broadcast(S, a[a3 + p]));
      c30 = x.fma(b0v, c30);
      c31 = x.fma(b1v, c31);
      x = EXACT.cast(FloatVector.broadcast(S, a[a4 + p]));
      c40 = x.fma(b0v, c40);
      c41 = x.fma(b1v, c41);
      x = EXACT.cast(FloatVector.broadcast(S, a[a5 + p]));
      c50 = x.fma(b0v, c50);
      c51 = x.fma(b1v, c51);
      x = EXACT.cast(FloatVector.broadcast(S, a[a6 + p]));
      c60 = x.fma(b0v, c60);
      c61 = x.fma(b1v, c61);
      x = EXACT.cast(FloatVector.broadcast(S, a[a7 + p]));
      c70 = x.fma(b0v, c70);
      c71 = x.fma(b1v, c71);
    }
    EXACT.cast(c00).intoArray(c, c0);
    EXACT.cast(c01).intoArray(c, c0 + L);
    EXACT.cast(c10).intoArray(c, c0 + ldc);
    EXACT.cast(c11).intoArray(c, c0 + ldc + L);
    EXACT.cast(c20).intoArray(c, c0 + 2 * ldc);
    EXACT.cast(c21).intoArray(c, c0 + 2 * ldc + L);
    EXACT.cast(c30).intoArray(c, c0 + 3 * ldc);
    EXACT.cast(c31).intoArray(c, c0 + 3 * ldc + L);
    EXACT.cast(c40).intoArray(c, c0 + 4 * ldc);
    EXACT.cast(c41).intoArray(c, c0 + 4 * ldc + L);
    EXACT.cast(c50).intoArray(c, c0 + 5 * ldc);
    EXACT.cast(c51).intoArray(c, c0 + 5 * ldc + L);
    EXACT.cast(c60).intoArray(c, c0 + 6 * ldc);
    EXACT.cast(c61).intoArray(c, c0 + 6 * ldc + L);
    EXACT.cast(c70).intoArray(c, c0 + 7 * ldc);
    EXACT.cast(c71).intoArray(c, c0 + 7 * ldc + L);
  }

  /**
   * 3 or 4 rows of C, two vectors wide: 8 accumulators, 4 broadcasts and 2 loads per step. With
   * 3 rows the last row is computed twice and stored once, so 3 rows cost one pass over the
   * panel instead of two (a 2-row and a 1-row tile).
   */
  private static void tile4x2(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      int ldb, float[] c, int c0, int ldc, boolean first) {
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int sld = first ? 0 : ldc;
    int s3 = rows > 3 ? s0 + 3 * sld : s0 + 2 * sld;
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = rows > 3 ? a2 + lda : a2;
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, src, s0 + L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, src, s3));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, src, s3 + L));
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * ldb;
      FloatVector b0v = EXACT.cast(FloatVector.fromArray(S, b, bp));
      FloatVector b1v = EXACT.cast(FloatVector.fromArray(S, b, bp + L));
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c00 = x.fma(b0v, c00);
      c01 = x.fma(b1v, c01);
      x = EXACT.cast(FloatVector.broadcast(S, a[a1 + p]));
      c10 = x.fma(b0v, c10);
      c11 = x.fma(b1v, c11);
      x = EXACT.cast(FloatVector.broadcast(S, a[a2 + p]));
      c20 = x.fma(b0v, c20);
      c21 = x.fma(b1v, c21);
      x = EXACT.cast(FloatVector.broadcast(S, a[a3 + p]));
      c30 = x.fma(b0v, c30);
      c31 = x.fma(b1v, c31);
    }
    EXACT.cast(c00).intoArray(c, c0);
    EXACT.cast(c01).intoArray(c, c0 + L);
    EXACT.cast(c10).intoArray(c, c0 + ldc);
    EXACT.cast(c11).intoArray(c, c0 + ldc + L);
    EXACT.cast(c20).intoArray(c, c0 + 2 * ldc);
    EXACT.cast(c21).intoArray(c, c0 + 2 * ldc + L);
    if (rows > 3) {
      EXACT.cast(c30).intoArray(c, c0 + 3 * ldc);
      EXACT.cast(c31).intoArray(c, c0 + 3 * ldc + L);
    }
  }

  /** 2 rows of C, two vectors wide: one FMA chain per accumulator, as in the wide tile ({@link WideTiles}). */
  private static void tile2x2(int kc, float[] a, int a0, int lda, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean first) {
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int sld = first ? 0 : ldc;
    int a1 = a0 + lda;
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, src, s0 + L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld + L));
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * ldb;
      FloatVector u = EXACT.cast(FloatVector.fromArray(S, b, bp));
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, b, bp + L));
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c00 = x.fma(u, c00);
      c01 = x.fma(v, c01);
      x = EXACT.cast(FloatVector.broadcast(S, a[a1 + p]));
      c10 = x.fma(u, c10);
      c11 = x.fma(v, c11);
    }
    EXACT.cast(c00).intoArray(c, c0);
    EXACT.cast(c01).intoArray(c, c0 + L);
    EXACT.cast(c10).intoArray(c, c0 + ldc);
    EXACT.cast(c11).intoArray(c, c0 + ldc + L);
  }

  /** One row of C, two vectors wide. */
  private static void tile1x2(int kc, float[] a, int a0, float[] b, int b0, int ldb,
      float[] c, int c0, boolean first) {
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, src, s0 + L));
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * ldb;
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c00 = x.fma(EXACT.cast(FloatVector.fromArray(S, b, bp)), c00);
      c01 = x.fma(EXACT.cast(FloatVector.fromArray(S, b, bp + L)), c01);
    }
    EXACT.cast(c00).intoArray(c, c0);
    EXACT.cast(c01).intoArray(c, c0 + L);
  }

  /**
   * Up to 8 rows of C against a half-wide last panel, A read in place; in plain Java when
   * {@code plain} (the whole product's panel has few multiply-adds: {@link SmallPanels#plain}).
   */
  static void narrow(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, boolean first, boolean plain) {
    if (plain) { // the panel of a small product, which runs once per call: SmallPanels.plain
      SmallPanels.narrow(rows, kc, a, a0, lda, b, b0, L, c, c0, ldc, first);
    } else if (rows > 4) {
      tile8x1(rows, kc, a, a0, lda, b, b0, c, c0, ldc, first);
    } else {
      tile4x1(rows, kc, a, a0, lda, b, b0, c, c0, ldc, first);
    }
  }

  /**
   * 5 to 8 rows of C against a half-wide last panel (one vector, row stride L): as {@link
   * #tile4x1}, with 8 FMA chains in flight instead of 4, so the FMA latency is hidden (a
   * 10-class head at batch 32 or more).
   */
  private static void tile8x1(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, boolean first) {
    int a4 = a0 + 4 * lda;
    int a5 = rows > 5 ? a4 + lda : a4;
    int a6 = rows > 6 ? a5 + lda : a5;
    int a7 = rows > 7 ? a6 + lda : a6;
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int sld = first ? 0 : ldc;
    int s4 = s0 + 4 * sld;
    int s5 = rows > 5 ? s4 + sld : s4;
    int s6 = rows > 6 ? s5 + sld : s5;
    int s7 = rows > 7 ? s6 + sld : s6;
    FloatVector c0v = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c1v = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld));
    FloatVector c2v = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld));
    FloatVector c3v = EXACT.cast(FloatVector.fromArray(S, src, s0 + 3 * sld));
    FloatVector c4v = EXACT.cast(FloatVector.fromArray(S, src, s4));
    FloatVector c5v = EXACT.cast(FloatVector.fromArray(S, src, s5));
    FloatVector c6v = EXACT.cast(FloatVector.fromArray(S, src, s6));
    FloatVector c7v = EXACT.cast(FloatVector.fromArray(S, src, s7));
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    for (int p = 0; p < kc; p++) {
      FloatVector u = EXACT.cast(FloatVector.fromArray(S, b, b0 + p * L));
      c0v = EXACT.cast(FloatVector.broadcast(S, a[a0 + p])).fma(u, c0v);
      c1v = EXACT.cast(FloatVector.broadcast(S, a[a1 + p])).fma(u, c1v);
      c2v = EXACT.cast(FloatVector.broadcast(S, a[a2 + p])).fma(u, c2v);
      c3v = EXACT.cast(FloatVector.broadcast(S, a[a3 + p])).fma(u, c3v);
      c4v = EXACT.cast(FloatVector.broadcast(S, a[a4 + p])).fma(u, c4v);
      c5v = EXACT.cast(FloatVector.broadcast(S, a[a5 + p])).fma(u, c5v);
      c6v = EXACT.cast(FloatVector.broadcast(S, a[a6 + p])).fma(u, c6v);
      c7v = EXACT.cast(FloatVector.broadcast(S, a[a7 + p])).fma(u, c7v);
    }
    EXACT.cast(c0v).intoArray(c, c0);
    EXACT.cast(c1v).intoArray(c, c0 + ldc);
    EXACT.cast(c2v).intoArray(c, c0 + 2 * ldc);
    EXACT.cast(c3v).intoArray(c, c0 + 3 * ldc);
    EXACT.cast(c4v).intoArray(c, c0 + 4 * ldc);
    if (rows > 5) {
      EXACT.cast(c5v).intoArray(c, c0 + 5 * ldc);
    }
    if (rows > 6) {
      EXACT.cast(c6v).intoArray(c, c0 + 6 * ldc);
    }
    if (rows > 7) {
      EXACT.cast(c7v).intoArray(c, c0 + 7 * ldc);
    }
  }

  /**
   * Up to 4 rows of C against a half-wide last panel (one vector, row stride L, a constant):
   * {@code rows} rows of A from {@code a0} read in place, each element one FMA chain over p as
   * in the other tiles. Rows past {@code rows} repeat the last one and are not stored.
   */
  private static void tile4x1(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, boolean first) {
    int a1 = rows > 1 ? a0 + lda : a0;
    int a2 = rows > 2 ? a1 + lda : a1;
    int a3 = rows > 3 ? a2 + lda : a2;
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int s1 = first ? 0 : rows > 1 ? c0 + ldc : c0;
    int s2 = first ? 0 : rows > 2 ? c0 + 2 * ldc : s1;
    int s3 = first ? 0 : rows > 3 ? c0 + 3 * ldc : s2;
    FloatVector c0v = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c1v = EXACT.cast(FloatVector.fromArray(S, src, s1));
    FloatVector c2v = EXACT.cast(FloatVector.fromArray(S, src, s2));
    FloatVector c3v = EXACT.cast(FloatVector.fromArray(S, src, s3));
    for (int p = 0; p < kc; p++) {
      FloatVector u = EXACT.cast(FloatVector.fromArray(S, b, b0 + p * L));
      c0v = EXACT.cast(FloatVector.broadcast(S, a[a0 + p])).fma(u, c0v);
      c1v = EXACT.cast(FloatVector.broadcast(S, a[a1 + p])).fma(u, c1v);
      c2v = EXACT.cast(FloatVector.broadcast(S, a[a2 + p])).fma(u, c2v);
      c3v = EXACT.cast(FloatVector.broadcast(S, a[a3 + p])).fma(u, c3v);
    }
    EXACT.cast(c0v).intoArray(c, c0);
    if (rows > 1) {
      EXACT.cast(c1v).intoArray(c, c0 + ldc);
    }
    if (rows > 2) {
      EXACT.cast(c2v).intoArray(c, c0 + 2 * ldc);
    }
    if (rows > 3) {
      EXACT.cast(c3v).intoArray(c, c0 + 3 * ldc);
    }
  }
}
