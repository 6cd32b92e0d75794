package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;
import static dev.netspec.runtime.kernels.Vectors.EXACT_INTS;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One LSTM step for a whole batch with the recurrent product and the gates fused ({@link
 * Kernels#lstmStep}): {@code h_{t-1} W_hh^T + b_hh} is computed a block of {@link #BLOCK}
 * hidden units at a time, all four gates of the block in one register tile ({@code 4} rows of
 * the batch x {@code 4} vectors: i, f, g, o of the same units), and the cell runs on that tile
 * while it is in L1: no {@code (batch, 4 * hidden)} product written to memory and read back,
 * no pass over the whole batch per row.
 *
 * <p>That needs the gates of a block side by side: the weights and biases are given with their
 * rows permuted (the layout {@link Kernels#lstmStep} describes), so {@code W_hh} packed ({@link PackedMatrix},
 * panels two vectors wide) holds block {@code u}'s i and f in panel {@code 2u} and its g and o
 * in panel {@code 2u + 1}, and the input projection, computed for every step at once by the
 * GEMM with the permuted {@code W_ih}, has each block's four gates contiguous.
 *
 * <p>The operations and their order are those of {@link VectorGemm} (each product one FMA chain
 * over the reduction from zero, then {@code + b_hh}) followed by {@link VectorGates#lstmCell}:
 * the same floats as the unfused step, to the bit. Only where vectors are 512 bits or wider:
 * the tile's 16 accumulators, 4 vectors of B and a broadcast need 21 registers (AVX-512 has
 * 32, AVX2 16). Loaded by {@link VectorBackend} only.
 */
final class LstmSteps {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  /** Panel width of a {@link PackedMatrix} on this backend. */
  private static final int NR = 2 * L;
  /** Hidden units per block: one vector, or 0 (no fused step) below 512-bit vectors. */
  static final int BLOCK = L >= 16 ? L : 0;
  /** Batch rows per register tile. */
  private static final int ROWS = 4;
  /** The finished tile, {@code (ROWS, 4 * L)}: per row i, f, g, o of one block. */
  private static final ThreadLocal<float[]> TILE =
      ThreadLocal.withInitial(() -> new float[ROWS * 4 * L]);

  private LstmSteps() {}

  /** See {@link Kernels#lstmStep}; arguments checked there. */
  static void step(int batch, float[] hp, int hpOff, int hpStride, PackedMatrix whh,
      float[] bhh, int bhhOff, float[] gx, int gxOff, int gxStride, float[] c, int cOff,
      int cStride, float[] h, int hOff, int hStride) {
    int k = whh.rows();
    float[] b = whh.data();
    float[] tile = TILE.get();
    for (int u = 0; u < k / L; u++) {
      int b0 = whh.panelOffset(2 * u);
      int b1 = whh.panelOffset(2 * u + 1);
      int r = 0;
      for (; r + ROWS <= batch; r += ROWS) {
        tile4(k, hp, hpOff + r * hpStride, hpStride, b, b0, b1, tile);
        cells(ROWS, tile, bhh, bhh == null ? 0 : bhhOff + 4 * L * u, gx,
            gxOff + r * gxStride + 4 * L * u, gxStride, c, cOff + r * cStride + L * u, cStride,
            h, hOff + r * hStride + L * u, hStride);
      }
      for (; r < batch; r++) {
        tile1(k, hp, hpOff + r * hpStride, b, b0, b1, tile);
        cells(1, tile, bhh, bhh == null ? 0 : bhhOff + 4 * L * u, gx,
            gxOff + r * gxStride + 4 * L * u, gxStride, c, cOff + r * cStride + L * u, cStride,
            h, hOff + r * hStride + L * u, hStride);
      }
    }
  }

  /**
   * 4 rows of A (read in place, row stride {@code lda}) times one block's four gate vectors:
   * 16 accumulators, 4 loads and 4 broadcasts per step, each element one FMA chain from zero.
   */
  private static void tile4(int k, float[] a, int a0, int lda, float[] b, int b0, int b1,
      float[] tile) {
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector c00 = zero;
    FloatVector c01 = zero;
    FloatVector c02 = zero;
    FloatVector c03 = zero;
    FloatVector c10 = zero;
    FloatVector c11 = zero;
    FloatVector c12 = zero;
    FloatVector c13 = zero;
    FloatVector c20 = zero;
    FloatVector c21 = zero;
    FloatVector c22 = zero;
    FloatVector c23 = zero;
    FloatVector c30 = zero;
    FloatVector c31 = zero;
    FloatVector c32 = zero;
    FloatVector c33 = zero;
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    for (int p = 0; p < k; p++) {
      int q0 = b0 + p * NR;
      int q1 = b1 + p * NR;
      FloatVector bi = EXACT.cast(FloatVector.fromArray(S, b, q0));
      FloatVector bf = EXACT.cast(FloatVector.fromArray(S, b, q0 + L));
      FloatVector bg = EXACT.cast(FloatVector.fromArray(S, b, q1));
      FloatVector bo = EXACT.cast(FloatVector.fromArray(S, b, q1 + L));
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c00 = x.fma(bi, c00);
      c01 = x.fma(bf, c01);
      c02 = x.fma(bg, c02);
      c03 = x.fma(bo, c03);
      x = EXACT.cast(FloatVector.broadcast(S, a[a1 + p]));
      c10 = x.fma(bi, c10);
      c11 = x.fma(bf, c11);
      c12 = x.fma(bg, c12);
      c13 = x.fma(bo, c13);
      x = EXACT.cast(FloatVector.broadcast(S, a[a2 + p]));
      c20 = x.fma(bi, c20);
      c21 = x.fma(bf, c21);
      c22 = x.fma(bg, c22);
      c23 = x.fma(bo, c23);
      x = EXACT.cast(FloatVector.broadcast(S, a[a3 + p]));
      c30 = x.fma(bi, c30);
      c31 = x.fma(bf, c31);
      c32 = x.fma(bg, c32);
      c33 = x.fma(bo, c33);
    }
    EXACT.cast(c00).intoArray(tile, 0);
    EXACT.cast(c01).intoArray(tile, L);
    EXACT.cast(c02).intoArray(tile, 2 * L);
    EXACT.cast(c03).intoArray(tile, 3 * L);
    EXACT.cast(c10).intoArray(tile, 4 * L);
    EXACT.cast(c11).intoArray(tile, 5 * L);
    EXACT.cast(c12).intoArray(tile, 6 * L);
    EXACT.cast(c13).intoArray(tile, 7 * L);
    EXACT.cast(c20).intoArray(tile, 8 * L);
    EXACT.cast(c21).intoArray(tile, 9 * L);
    EXACT.cast(c22).intoArray(tile, 10 * L);
    EXACT.cast(c23).intoArray(tile, 11 * L);
    EXACT.cast(c30).intoArray(tile, 12 * L);
    EXACT.cast(c31).intoArray(tile, 13 * L);
    EXACT.cast(c32).intoArray(tile, 14 * L);
    EXACT.cast(c33).intoArray(tile, 15 * L);
  }

  /** {@link #tile4} for one row (the batch's last rows). */
  private static void tile1(int k, float[] a, int a0, float[] b, int b0, int b1,
      float[] tile) {
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector c0 = zero;
    FloatVector c1 = zero;
    FloatVector c2 = zero;
    FloatVector c3 = zero;
    for (int p = 0; p < k; p++) {
      int q0 = b0 + p * NR;
      int q1 = b1 + p * NR;
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c0 = x.fma(EXACT.cast(FloatVector.fromArray(S, b, q0)), c0);
      c1 = x.fma(EXACT.cast(FloatVector.fromArray(S, b, q0 + L)), c1);
      c2 = x.fma(EXACT.cast(FloatVector.fromArray(S, b, q1)), c2);
      c3 = x.fma(EXACT.cast(FloatVector.fromArray(S, b, q1 + L)), c3);
    }
    EXACT.cast(c0).intoArray(tile, 0);
    EXACT.cast(c1).intoArray(tile, L);
    EXACT.cast(c2).intoArray(tile, 2 * L);
    EXACT.cast(c3).intoArray(tile, 3 * L);
  }

  /**
   * The cells of {@code rows} batch rows for one block: {@code hg = tile + b_hh} (the GEMM's
   * epilogue), then {@link VectorGates#lstmCell}'s steps on one vector per gate; {@code gx}
   * gets the activated gates, {@code c} the new cell state, {@code h} the new hidden state.
   * Every vector is made and used here: none is passed to a method (it would be boxed).
   */
  private static void cells(int rows, float[] tile, float[] bhh, int bOff, float[] gx,
      int gxOff, int gxStride, float[] c, int cOff, int cStride, float[] h, int hOff,
      int hStride) {
    FloatVector lo = EXACT.cast(FloatVector.broadcast(S, Gates.EXP_LO));
    FloatVector hi = EXACT.cast(FloatVector.broadcast(S, Gates.EXP_HI));
    FloatVector log2e = EXACT.cast(FloatVector.broadcast(S, Gates.LOG2E));
    FloatVector magic = EXACT.cast(FloatVector.broadcast(S, Gates.MAGIC));
    FloatVector ln2Hi = EXACT.cast(FloatVector.broadcast(S, -Gates.LN2_HI));
    FloatVector ln2Lo = EXACT.cast(FloatVector.broadcast(S, -Gates.LN2_LO));
    FloatVector p0 = EXACT.cast(FloatVector.broadcast(S, Gates.P0));
    FloatVector p1 = EXACT.cast(FloatVector.broadcast(S, Gates.P1));
    FloatVector p2 = EXACT.cast(FloatVector.broadcast(S, Gates.P2));
    FloatVector p3 = EXACT.cast(FloatVector.broadcast(S, Gates.P3));
    FloatVector p4 = EXACT.cast(FloatVector.broadcast(S, Gates.P4));
    FloatVector p5 = EXACT.cast(FloatVector.broadcast(S, Gates.P5));
    FloatVector one = EXACT.cast(FloatVector.broadcast(S, 1f));
    FloatVector minusOne = EXACT.cast(FloatVector.broadcast(S, -1f));
    for (int r = 0; r < rows; r++) {
      int t0 = r * 4 * L;
      int g0 = gxOff + r * gxStride;
      for (int q = 0; q < 4; q++) { // i, f, o: sigmoid (s = 1, t = 0); g: tanh (s = 2, t = 1)
        FloatVector hg = EXACT.cast(FloatVector.fromArray(S, tile, t0 + q * L));
        if (bhh != null) {
          hg = EXACT.cast(hg.add(EXACT.cast(FloatVector.fromArray(S, bhh, bOff + q * L))));
        }
        FloatVector v = EXACT.cast(FloatVector.fromArray(S, gx, g0 + q * L)).add(hg);
        FloatVector minusS = EXACT.cast(FloatVector.broadcast(S, q == 2 ? -2f : -1f));
        FloatVector minusT = EXACT.cast(FloatVector.broadcast(S, q == 2 ? -1f : -0f));
        // e = exp(v * -s), as Gates.exp
        FloatVector a = v.mul(minusS).max(lo).min(hi);
        FloatVector big = a.fma(log2e, magic);
        FloatVector n = big.sub(magic);
        FloatVector rr = n.fma(ln2Lo, n.fma(ln2Hi, a));
        FloatVector p = p0.fma(rr, p1).fma(rr, p2).fma(rr, p3).fma(rr, p4).fma(rr, p5);
        FloatVector scale = EXACT.cast(EXACT_INTS.cast(big.reinterpretAsInts()).add(Gates.BIAS)
            .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
        FloatVector e = p.fma(rr.mul(rr), rr).add(one).mul(scale);
        EXACT.cast(e.fma(minusT, one).div(e.add(one))).intoArray(gx, g0 + q * L);
      }
      int c0 = cOff + r * cStride;
      FloatVector i = EXACT.cast(FloatVector.fromArray(S, gx, g0));
      FloatVector f = EXACT.cast(FloatVector.fromArray(S, gx, g0 + L));
      FloatVector g = EXACT.cast(FloatVector.fromArray(S, gx, g0 + 2 * L));
      FloatVector cv = EXACT.cast(f.fma(EXACT.cast(FloatVector.fromArray(S, c, c0)), i.mul(g)));
      cv.intoArray(c, c0);
      // tanh(c) as act(c + c) with s = 1, t = 1, then o * tanh(c)
      FloatVector a = cv.add(cv).mul(minusOne).max(lo).min(hi);
      FloatVector big = a.fma(log2e, magic);
      FloatVector n = big.sub(magic);
      FloatVector rr = n.fma(ln2Lo, n.fma(ln2Hi, a));
      FloatVector p = p0.fma(rr, p1).fma(rr, p2).fma(rr, p3).fma(rr, p4).fma(rr, p5);
      FloatVector scale = EXACT.cast(EXACT_INTS.cast(big.reinterpretAsInts()).add(Gates.BIAS)
          .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
      FloatVector e = p.fma(rr.mul(rr), rr).add(one).mul(scale);
      FloatVector th = e.fma(minusOne, one).div(e.add(one));
      FloatVector o = EXACT.cast(FloatVector.fromArray(S, gx, g0 + 3 * L));
      EXACT.cast(th.mul(o)).intoArray(h, hOff + r * hStride);
    }
  }
}
