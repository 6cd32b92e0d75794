package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM's main register tile ({@link VectorGemm}): {@code MR} rows of C, two vectors
 * wide, from a packed strip of A and a packed panel of B. Its 2 * MR accumulators, the two
 * vectors of B and a broadcast of A must all stay in registers: 8 rows need 19, which the
 * 32 registers of AVX-512 hold, but not the 16 of AVX2 (there C2 spills: in a standalone
 * loop on AMD EPYC, a busy guest, the 8-row tile ran at 0.64-0.9 of the 6-row one's rate).
 * So the tile is 8 rows with 512-bit vectors and wider, 6 rows (15 registers) otherwise.
 * Loaded by {@link VectorBackend} only.
 *
 * <p>The 6-row tile has 15 registers in use and only one to spare, so it runs at full speed
 * only if C2 loads each broadcast of A just before its two FMAs; where it hoists three of
 * them, an accumulator lives on the stack and every step waits for a store and a load (seen
 * in the compiled code: {@code vmovdqu 0x28(%rsp)} around an FMA; 37-40 GFLOP/s instead of
 * 60-75, AMD EPYC Zen 3, CPU time). Which form of the loop C2 schedules that way depends on
 * the JDK: JDK 17 the strip interleaved by step ({@code ap[x0 + r]} with {@code x0 = a0 + p *
 * STEP6}), JDK 25 the strip row after row read from six bases ({@code ap[a_r + p]}), each the
 * other's slow one. So on JDK 25 and later ({@link #BY_ROWS}) the strips are packed and read
 * row after row; both forms sum in the same order, to the same bits. The interleaved strip
 * takes 8 floats a step ({@link #STEP6}) and its tile loads B after the first broadcast: 40
 * instructions a step on JDK 17 instead of 43 (docs/performance.md).
 */
final class RowTiles {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  private static final int NR = 2 * L;
  /** Rows of the main register tile: 8 with 512-bit vectors or wider, else 6. */
  static final int MR = L >= 16 ? 8 : 6;
  /** Zeros to start the accumulators from (two vectors). */
  private static final float[] ZEROS = new float[NR];
  /**
   * Whether the 6-row strips of A are laid out row after row ({@link #tile6x2ByRows}) rather
   * than interleaved by step: on JDK 25 and later (measured on 17 and 25 only).
   */
  static final boolean BY_ROWS = MR == 6 && Runtime.version().feature() >= 25;
  /**
   * Floats per reduction step of a 6-row strip interleaved by step, 2 of them unused: the
   * tile's index is then {@code p * 8}, a shift (JDK 17's C2 turns {@code p * 6} into two
   * shifts and an add, and then keeps the strip's bounds checks in the loop).
   */
  static final int STEP6 = 8;
  /** Floats per reduction step of a strip: a strip of {@code kc} steps is {@code STEP * kc}. */
  static final int STEP = MR == 6 && !BY_ROWS ? STEP6 : MR;

  private RowTiles() {}

  /**
   * Copies {@code tiles} row tiles of A ({@code kc} columns from {@code a0}) into {@code ap}:
   * tile {@code t} at {@code at + t * STEP * kc}, element {@code (r, p)} at {@code p * STEP +
   * r} from there, or at {@code r * kc + p} if {@link #BY_ROWS}.
   */
  static void packA(float[] a, int a0, int lda, int tiles, int kc, float[] ap, int at) {
    for (int t = 0; t < tiles; t++) {
      if (BY_ROWS) {
        packByRows(a, a0 + t * MR * lda, lda, MR, kc, ap, at + t * STEP * kc);
      } else if (MR == 8) {
        packTile8(a, a0 + t * MR * lda, lda, kc, ap, at + t * STEP * kc);
      } else {
        packTile6(a, a0 + t * MR * lda, lda, kc, ap, at + t * STEP * kc);
      }
    }
  }

  /** One tile of {@code rows} rows, row after row ({@link #BY_ROWS}). */
  static void packByRows(float[] a, int s0, int lda, int rows, int kc, float[] ap, int d) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(a, s0 + r * lda, ap, d + r * kc, kc);
    }
  }

  /**
   * One 6-row tile, a column of A at a time: the six reads are six sequential streams and the
   * writes one, each written once (row by row, with a stride of 6 floats, the loop ran at
   * half this speed: 0.8 against 0.38-0.53 ms for a 1024 x 1024 A, AMD EPYC, busy guest).
   */
  static void packTile6(float[] a, int s0, int lda, int kc, float[] ap, int d) {
    int s1 = s0 + lda;
    int s2 = s1 + lda;
    int s3 = s2 + lda;
    int s4 = s3 + lda;
    int s5 = s4 + lda;
    for (int p = 0; p < kc; p++, d += STEP6) {
      ap[d] = a[s0 + p];
      ap[d + 1] = a[s1 + p];
      ap[d + 2] = a[s2 + p];
      ap[d + 3] = a[s3 + p];
      ap[d + 4] = a[s4 + p];
      ap[d + 5] = a[s5 + p];
    }
  }

  /** One 8-row tile, as {@link #packTile6}. */
  private static void packTile8(float[] a, int s0, int lda, int kc, float[] ap, int d) {
    PackedMatrix.columns8(a, s0, lda, kc, ap, d, 8);
  }

  /**
   * One {@code MR x NR} tile: {@code C = A @ B} over {@code kc} steps, from zero if {@code
   * first}, else added to the C already there.
   */
  static void tile(int kc, float[] ap, int a0, float[] b, int b0, float[] c, int c0, int ldc,
      boolean first) {
    if (MR == 8) {
      tile8x2(kc, ap, a0, b, b0, c, c0, ldc, first);
    } else if (BY_ROWS) {
      tile6x2ByRows(kc, ap, a0, b, b0, c, c0, ldc, first);
    } else {
      tile6x2(kc, ap, a0, b, b0, c, c0, ldc, first);
    }
  }

  /**
   * 8 rows of C, two vectors wide: 16 accumulators, 8 broadcasts and 2 loads per step, from a
   * packed strip of A ({@code ap[a0 + p * 8 + r]}) and a packed panel of B (row stride NR, a
   * constant, so C2 can hoist the bounds checks). Each element is one FMA chain over p, as in
   * the smaller tiles, so the tile size never changes a result.
   */
  private static void tile8x2(int kc, float[] ap, int a0, float[] b, int b0, float[] c,
      int c0, int ldc, boolean first) {
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
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * NR;
      int x0 = a0 + p * 8;
      FloatVector b0v = EXACT.cast(FloatVector.fromArray(S, b, bp));
      FloatVector b1v = EXACT.cast(FloatVector.fromArray(S, b, bp + L));
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, ap[x0]));
      c00 = x.fma(b0v, c00);
      c01 = x.fma(b1v, c01);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 1]));
      c10 = x.fma(b0v, c10);
      c11 = x.fma(b1v, c11);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 2]));
      c20 = x.fma(b0v, c20);
      c21 = x.fma(b1v, c21);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 3]));
      c30 = x.fma(b0v, c30);
      c31 = x.fma(b1v, c31);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 4]));
      c40 = x.fma(b0v, c40);
      c41 = x.fma(b1v, c41);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 5]));
      c50 = x.fma(b0v, c50);
      c51 = x.fma(b1v, c51);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 6]));
      c60 = x.fma(b0v, c60);
      c61 = x.fma(b1v, c61);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 7]));
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
   * 6 rows of C, two vectors wide: 12 accumulators, 6 broadcasts and 2 loads per step, from a
   * packed strip of A ({@code ap[a0 + p * STEP6 + r]}) and a packed panel of B (row stride NR, a
   * constant, so C2 can hoist the bounds checks). Each element is one FMA chain over p, as in
   * the smaller tiles, so the tile size never changes a result.
   */
  static void tile6x2(int kc, float[] ap, int a0, float[] b, int b0, float[] c,
      int c0, int ldc, boolean first) {
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
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * NR;
      int x0 = a0 + p * STEP6;
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, ap[x0]));
      FloatVector b0v = EXACT.cast(FloatVector.fromArray(S, b, bp));
      FloatVector b1v = EXACT.cast(FloatVector.fromArray(S, b, bp + L));
      c00 = x.fma(b0v, c00);
      c01 = x.fma(b1v, c01);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 1]));
      c10 = x.fma(b0v, c10);
      c11 = x.fma(b1v, c11);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 2]));
      c20 = x.fma(b0v, c20);
      c21 = x.fma(b1v, c21);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 3]));
      c30 = x.fma(b0v, c30);
      c31 = x.fma(b1v, c31);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 4]));
      c40 = x.fma(b0v, c40);
      c41 = x.fma(b1v, c41);
      x = EXACT.cast(FloatVector.broadcast(S, ap[x0 + 5]));
      c50 = x.fma(b0v, c50);
      c51 = x.fma(b1v, c51);
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
  }

  /** {@link #tile6x2} from a strip of A packed row after row ({@code ap[a0 + r * kc + p]}). */
  static void tile6x2ByRows(int kc, float[] ap, int a0, float[] b, int b0, float[] c,
      int c0, int ldc, boolean first) {
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
    int a1 = a0 + kc;
    int a2 = a1 + kc;
    int a3 = a2 + kc;
    int a4 = a3 + kc;
    int a5 = a4 + kc;
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * NR;
      FloatVector b0v = EXACT.cast(FloatVector.fromArray(S, b, bp));
      FloatVector b1v = EXACT.cast(FloatVector.fromArray(S, b, bp + L));
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, ap[a0 + p]));
      c00 = x.fma(b0v, c00);
      c01 = x.fma(b1v, c01);
      x = EXACT.cast(FloatVector.broadcast(S, ap[a1 + p]));
      c10 = x.fma(b0v, c10);
      c11 = x.fma(b1v, c11);
      x = EXACT.cast(FloatVector.broadcast(S, ap[a2 + p]));
      c20 = x.fma(b0v, c20);
      c21 = x.fma(b1v, c21);
      x = EXACT.cast(FloatVector.broadcast(S, ap[a3 + p]));
      c30 = x.fma(b0v, c30);
      c31 = x.fma(b1v, c31);
      x = EXACT.cast(FloatVector.broadcast(S, ap[a4 + p]));
      c40 = x.fma(b0v, c40);
      c41 = x.fma(b1v, c41);
      x = EXACT.cast(FloatVector.broadcast(S, ap[a5 + p]));
      c50 = x.fma(b0v, c50);
      c51 = x.fma(b1v, c51);
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
  }
}
