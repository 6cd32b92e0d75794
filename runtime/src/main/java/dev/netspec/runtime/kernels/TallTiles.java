package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM's 12-row tile ({@link VectorGemm}), for 512-bit vectors where the 8-row tile would
 * read A in place and the product has at least {@link #PANELS} column panels (BERT's first
 * feed-forward product, 128 x 1536 x 384): 12 rows of C, two vectors wide, 24 accumulators
 * (27 of AVX-512's 32 registers with the two vectors of B and a broadcast), from a strip of A
 * packed per reduction block. Per step of the reduction it reads the panel's two vectors of B
 * for 24 FMAs where {@link EdgeTiles#tile8x2} reads them for 16, so a panel read cold from
 * memory (a weight at batch 1, read once a forward) is asked for at two thirds of the rate.
 * Read in place from 12 rows {@code lda} apart, the tile ran at 0.68 of the 8-row tile's
 * speed (12 row offsets are more than the general registers hold); packed, the copy costs
 * 18-28 us of a 208 us 128 x 384 x 384 product, which 12 panels do not pay back (0.88x) and
 * 48 do. The same FMA chains as every other tile. Loaded by {@link VectorBackend} only.
 */
final class TallTiles {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  private static final int NR = 2 * L;
  /** Rows of the tile. */
  static final int ROWS = 12;
  /** Column panels from which packing the 12-row strips pays (measured at 12 and 48 only). */
  static final int PANELS = 48;
  /**
   * Floats per reduction step of a strip, 4 of them unused: the tile's index is then {@code p
   * * 16}, a shift (see {@link RowTiles#STEP6}). A strip read row after row with a constant
   * row stride (one index, 12 fixed displacements; the copy 4 us instead of 18) ran the tile
   * at 0.75 of this one's speed.
   */
  static final int STEP = 16;
  /** Zeros to start the accumulators from (two vectors). */
  private static final float[] ZEROS = new float[NR];

  private TallTiles() {}

  /**
   * The rows the next tile of a block of 8-row tiles takes when {@code left} rows remain:
   * 12 while what is left after it still splits into 12s and 8s (128 rows: ten 12s and an 8),
   * else 8; fewer than 8 rows are left to the edge tiles.
   */
  static int rows(int left) {
    int units = left / 4;
    return units >= 3 && units != 4 ? ROWS : Math.min(left, 8);
  }

  /** How many 12-row tiles {@link #rows} gives a block of {@code rows} rows (they come first). */
  static int tiles(int rows) {
    int n = 0;
    for (int left = rows; left >= 8 && rows(left) == ROWS; left -= ROWS) {
      n++;
    }
    return n;
  }

  /**
   * {@code tiles} strips of 12 rows of A ({@code kc} columns from {@code a0}, rows {@code lda}
   * apart) into {@code ap}: strip {@code t} at {@code t * STEP * kc}, element {@code (r, p)}
   * at {@code p * STEP + r}, a row at a time (18 us for 120 x 384 floats against 28 us a
   * column at a time, loaded).
   */
  static void pack(float[] a, int a0, int lda, int tiles, int kc, float[] ap) {
    for (int t = 0; t < tiles; t++) {
      for (int r = 0; r < ROWS; r++) {
        int from = a0 + (t * ROWS + r) * lda;
        int d = t * STEP * kc + r;
        for (int p = 0; p < kc; p++) {
          ap[d + p * STEP] = a[from + p];
        }
      }
    }
  }

  /**
   * 12 rows of C, two vectors wide, from a packed strip of A ({@code ap[a0 + p * STEP + r]},
   * {@link #pack}) and a packed panel of B (row stride NR). Starts from zero if {@code first},
   * else adds to C.
   */
  static void tile12x2(int kc, float[] ap, int a0, float[] b, int b0, float[] c, int c0,
      int ldc, boolean first) {
    // cRRv: row RR, vector v
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int sld = first ? 0 : ldc;
    FloatVector c000 = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c001 = EXACT.cast(FloatVector.fromArray(S, src, s0 + L));
    FloatVector c010 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld));
    FloatVector c011 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld + L));
    FloatVector c020 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld));
    FloatVector c021 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld + L));
    FloatVector c030 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 3 * sld));
    FloatVector c031 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 3 * sld + L));
    FloatVector c040 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 4 * sld));
    FloatVector c041 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 4 * sld + L));
    FloatVector c050 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 5 * sld));
    FloatVector c051 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 5 * sld + L));
    FloatVector c060 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 6 * sld));
    FloatVector c061 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 6 * sld + L));
    FloatVector c070 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 7 * sld));
    FloatVector c071 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 7 * sld + L));
    FloatVector c080 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 8 * sld));
    FloatVector c081 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 8 * sld + L));
    FloatVector c090 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 9 * sld));
    FloatVector c091 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 9 * sld + L));
    FloatVector c100 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 10 * sld));
    FloatVector c101 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 10 * sld + L));
    FloatVector c110 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 11 * sld));
    FloatVector c111 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 11 * sld + L));
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * NR;
      int x0 = a0 + p * STEP;
      FloatVector b0v = EXACT.cast(FloatVector.fromArray(S, b, bp));
      FloatVector b1v = EXACT.cast(FloatVector.fromArray(S, b, bp + L));
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, ap[x0]));
      c000 = x.fma(b0v, c000);
      c001 = x.fma(b1v, c001);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 1]));
      c010 = x.fma(b0v, c010);
      c011 = x.fma(b1v, c011);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 2]));
      c020 = x.fma(b0v, c020);
      c021 = x.fma(b1v, c021);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 3]));
      c030 = x.fma(b0v, c030);
      c031 = x.fma(b1v, c031);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 4]));
      c040 = x.fma(b0v, c040);
      c041 = x.fma(b1v, c041);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 5]));
      c050 = x.fma(b0v, c050);
      c051 = x.fma(b1v, c051);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 6]));
      c060 = x.fma(b0v, c060);
      c061 = x.fma(b1v, c061);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 7]));
      c070 = x.fma(b0v, c070);
      c071 = x.fma(b1v, c071);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 8]));
      c080 = x.fma(b0v, c080);
      c081 = x.fma(b1v, c081);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 9]));
      c090 = x.fma(b0v, c090);
      c091 = x.fma(b1v, c091);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 10]));
      c100 = x.fma(b0v, c100);
      c101 = x.fma(b1v, c101);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 11]));
      c110 = x.fma(b0v, c110);
      c111 = x.fma(b1v, c111);
    }
    EXACT.cast(c000).intoArray(c, c0);
    EXACT.cast(c001).intoArray(c, c0 + L);
    EXACT.cast(c010).intoArray(c, c0 + ldc);
    EXACT.cast(c011).intoArray(c, c0 + ldc + L);
    EXACT.cast(c020).intoArray(c, c0 + 2 * ldc);
    EXACT.cast(c021).intoArray(c, c0 + 2 * ldc + L);
    EXACT.cast(c030).intoArray(c, c0 + 3 * ldc);
    EXACT.cast(c031).intoArray(c, c0 + 3 * ldc + L);
    EXACT.cast(c040).intoArray(c, c0 + 4 * ldc);
    EXACT.cast(c041).intoArray(c, c0 + 4 * ldc + L);
    EXACT.cast(c050).intoArray(c, c0 + 5 * ldc);
    EXACT.cast(c051).intoArray(c, c0 + 5 * ldc + L);
    EXACT.cast(c060).intoArray(c, c0 + 6 * ldc);
    EXACT.cast(c061).intoArray(c, c0 + 6 * ldc + L);
    EXACT.cast(c070).intoArray(c, c0 + 7 * ldc);
    EXACT.cast(c071).intoArray(c, c0 + 7 * ldc + L);
    EXACT.cast(c080).intoArray(c, c0 + 8 * ldc);
    EXACT.cast(c081).intoArray(c, c0 + 8 * ldc + L);
    EXACT.cast(c090).intoArray(c, c0 + 9 * ldc);
    EXACT.cast(c091).intoArray(c, c0 + 9 * ldc + L);
    EXACT.cast(c100).intoArray(c, c0 + 10 * ldc);
    EXACT.cast(c101).intoArray(c, c0 + 10 * ldc + L);
    EXACT.cast(c110).intoArray(c, c0 + 11 * ldc);
    EXACT.cast(c111).intoArray(c, c0 + 11 * ldc + L);
  }
}
