package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM's dot-product tiles, for products whose B is read along the reduction: a raw
 * transposed B against fewer than 4 rows of A ({@link #dotRows}: W read in place, once per pair
 * of rows) and a narrow last panel packed for dot products ({@link #dotPanel}, {@link
 * PackedMatrix#isDotPanel}). Vectors run along the reduction, one reduction of the lanes per
 * output. Part of {@link VectorGemm}, which chooses them; every output is still one FMA chain
 * per lane over the reduction, in order.
 */
final class DotTiles {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  private static final int NR = VectorGemm.NR;

  private DotTiles() {}

  /**
   * {@code C = act(A @ W.T + bias)} for a few rows of A against a {@code [n, k]} weight read
   * in place: pairs of A rows against 4 weight rows at a time (8 dot products, each weight
   * vector loaded once for both rows), one reduction per output. The matrix-vector case is
   * bound by reading W, so W is read once per pair of rows and never copied.
   */
  static void dotRows(int m, int n, int k, float[] a, int aOff, int lda, float[] w, int wOff,
      int ldw, float[] c, int cOff, int ldc, float[] bias, int biasOff, boolean relu) {
    VectorGemm.Scratch s = VectorGemm.SCRATCH.get();
    float[] out = s.dots;
    if (m == 1) {
      // One row: 8 weight rows at a time, so more of the weight streams in at once.
      for (int j = 0; j < n; j += 8) {
        dot1x8(k, a, aOff, w, wOff + j * ldw, ldw, n - 1 - j, out, s.lanes);
        for (int jj = 0; jj < Math.min(8, n - j); jj++) {
          store(c, cOff + j + jj, out[jj], bias, biasOff + j + jj, relu);
        }
      }
      return;
    }
    for (int i = 0; i < m; i += 2) {
      int a0 = aOff + i * lda;
      int a1 = i + 1 < m ? a0 + lda : a0; // an odd last row is computed twice, stored once
      for (int j = 0; j < n; j += 4) {
        dot2x4(k, a, a0, a1, w, wOff + j * ldw, ldw, n - 1 - j, out, s.lanes);
        for (int jj = 0; jj < Math.min(4, n - j); jj++) {
          store(c, cOff + i * ldc + j + jj, out[jj], bias, biasOff + j + jj, relu);
          if (i + 1 < m) {
            store(c, cOff + (i + 1) * ldc + j + jj, out[4 + jj], bias, biasOff + j + jj, relu);
          }
        }
      }
    }
  }

  /**
   * {@code C = act(A @ op(B) + bias)} for the {@code cols} columns of a dot panel at {@code w0}
   * (see {@link PackedMatrix}): pairs of rows of A, read in place over the whole reduction,
   * against each group of 4 or 5 columns ({@link #dotTile2x4}, {@link #dotTile2x5}). An odd
   * last row is computed twice and stored once. Each result is the same sum whatever the batch:
   * its order depends on {@code k} alone.
   */
  static void dotPanel(int m, int k, float[] a, int aOff, int lda, float[] w, int w0,
      float[] c, int c0, int ldc, int cols, float[] bias, int biasOff, boolean relu,
      VectorGemm.Scratch s, boolean plain) {
    if (plain) { // the panel of a small product, which runs once per call: SmallPanels.plain
      SmallPanels.dots(m, k, a, aOff, lda, w, w0, c, c0, ldc, cols, bias, biasOff, relu, L,
          s.lanes);
      return;
    }
    int g = PackedMatrix.dotColumns(cols);
    int group = PackedMatrix.dotRows(k, NR) * g;
    float[] out = s.dots;
    for (int i = 0; i < m; i += 2) {
      int a0 = aOff + i * lda;
      int a1 = i + 1 < m ? a0 + lda : a0;
      for (int j = 0; j < cols; j += g) {
        if (g == 5) {
          dotTile2x5(k, a, a0, a1, w, w0 + j / g * group, out, s.lanes);
        } else {
          dotTile2x4(k, a, a0, a1, w, w0 + j / g * group, out, s.lanes);
        }
        for (int jj = 0; jj < Math.min(g, cols - j); jj++) {
          store(c, c0 + i * ldc + j + jj, out[jj], bias, biasOff + j + jj, relu);
          if (i + 1 < m) {
            store(c, c0 + (i + 1) * ldc + j + jj, out[g + jj], bias, biasOff + j + jj, relu);
          }
        }
      }
    }
  }

  /**
   * Rows {@code a0} and {@code a1} of A against one group of 5 columns of a dot panel at
   * {@code w0}: {@code out[r * 5 + c]}. Per block of {@code L} rows of op(B) (one vector), one
   * vector of each row of A and one per column, 10 FMAs into 10 accumulators, each holding
   * {@code L} partial sums (lane {@code l} the rows {@code p} with {@code p % L == l}, in
   * order); the lanes are summed once at the end ({@link #sumLanes}) and the last {@code k % L}
   * rows follow, one FMA each. (256-bit vectors ran the tutorial's 10-column layer 5% faster on
   * Zen 4 alone, but a second species in the same program makes the JDK's shared Vector API
   * code polymorphic, and C2 then boxes vectors: the tutorial MLP ran 9x slower.) Against a 10-column layer this does 1.6x fewer multiply-adds than
   * a tile of one 16-lane vector per row of A and loads no broadcasts (which bound that tile
   * on Zen 4); the lane sums cost a quarter of the time at {@code k = 256}.
   */
  private static void dotTile2x5(int k, float[] a, int a0, int a1, float[] w, int w0,
      float[] out, float[] lanes) {
    FloatVector s00 = EXACT.cast(FloatVector.zero(S));
    FloatVector s01 = s00;
    FloatVector s02 = s00;
    FloatVector s03 = s00;
    FloatVector s04 = s00;
    FloatVector s10 = s00;
    FloatVector s11 = s00;
    FloatVector s12 = s00;
    FloatVector s13 = s00;
    FloatVector s14 = s00;
    int p = 0;
    for (int bound = S.loopBound(k); p < bound; p += L) {
      FloatVector x0 = EXACT.cast(FloatVector.fromArray(S, a, a0 + p));
      FloatVector x1 = EXACT.cast(FloatVector.fromArray(S, a, a1 + p));
      int wp = w0 + p * 5; // block p / L starts at (p / L) * 5 * L
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, w, wp));
      s00 = x0.fma(v, s00);
      s10 = x1.fma(v, s10);
      v = EXACT.cast(FloatVector.fromArray(S, w, wp + L));
      s01 = x0.fma(v, s01);
      s11 = x1.fma(v, s11);
      v = EXACT.cast(FloatVector.fromArray(S, w, wp + 2 * L));
      s02 = x0.fma(v, s02);
      s12 = x1.fma(v, s12);
      v = EXACT.cast(FloatVector.fromArray(S, w, wp + 3 * L));
      s03 = x0.fma(v, s03);
      s13 = x1.fma(v, s13);
      v = EXACT.cast(FloatVector.fromArray(S, w, wp + 4 * L));
      s04 = x0.fma(v, s04);
      s14 = x1.fma(v, s14);
    }
    // Summed through an array in a fixed order, as in dot2x4.
    EXACT.cast(s00).intoArray(lanes, 0);
    EXACT.cast(s01).intoArray(lanes, L);
    EXACT.cast(s02).intoArray(lanes, 2 * L);
    EXACT.cast(s03).intoArray(lanes, 3 * L);
    EXACT.cast(s04).intoArray(lanes, 4 * L);
    EXACT.cast(s10).intoArray(lanes, 5 * L);
    EXACT.cast(s11).intoArray(lanes, 6 * L);
    EXACT.cast(s12).intoArray(lanes, 7 * L);
    EXACT.cast(s13).intoArray(lanes, 8 * L);
    EXACT.cast(s14).intoArray(lanes, 9 * L);
    dotTail(k, p, a, a0, a1, w, w0, 5, out, lanes);
  }

  /** {@link #dotTile2x5} for a group of 4 columns: {@code out[r * 4 + c]}, 8 accumulators. */
  private static void dotTile2x4(int k, float[] a, int a0, int a1, float[] w, int w0,
      float[] out, float[] lanes) {
    FloatVector s00 = EXACT.cast(FloatVector.zero(S));
    FloatVector s01 = s00;
    FloatVector s02 = s00;
    FloatVector s03 = s00;
    FloatVector s10 = s00;
    FloatVector s11 = s00;
    FloatVector s12 = s00;
    FloatVector s13 = s00;
    int p = 0;
    for (int bound = S.loopBound(k); p < bound; p += L) {
      FloatVector x0 = EXACT.cast(FloatVector.fromArray(S, a, a0 + p));
      FloatVector x1 = EXACT.cast(FloatVector.fromArray(S, a, a1 + p));
      int wp = w0 + p * 4;
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, w, wp));
      s00 = x0.fma(v, s00);
      s10 = x1.fma(v, s10);
      v = EXACT.cast(FloatVector.fromArray(S, w, wp + L));
      s01 = x0.fma(v, s01);
      s11 = x1.fma(v, s11);
      v = EXACT.cast(FloatVector.fromArray(S, w, wp + 2 * L));
      s02 = x0.fma(v, s02);
      s12 = x1.fma(v, s12);
      v = EXACT.cast(FloatVector.fromArray(S, w, wp + 3 * L));
      s03 = x0.fma(v, s03);
      s13 = x1.fma(v, s13);
    }
    EXACT.cast(s00).intoArray(lanes, 0);
    EXACT.cast(s01).intoArray(lanes, L);
    EXACT.cast(s02).intoArray(lanes, 2 * L);
    EXACT.cast(s03).intoArray(lanes, 3 * L);
    EXACT.cast(s10).intoArray(lanes, 4 * L);
    EXACT.cast(s11).intoArray(lanes, 5 * L);
    EXACT.cast(s12).intoArray(lanes, 6 * L);
    EXACT.cast(s13).intoArray(lanes, 7 * L);
    dotTail(k, p, a, a0, a1, w, w0, 4, out, lanes);
  }

  /**
   * The end of a dot tile of {@code g} columns whose accumulators are in {@code lanes}: each
   * one's lanes summed into {@code out}, then rows {@code p .. k} of op(B) (fewer than a block,
   * zero-padded in it) added one FMA at a time.
   */
  private static void dotTail(int k, int p, float[] a, int a0, int a1, float[] w, int w0, int g,
      float[] out, float[] lanes) {
    for (int r = 0; r < 2 * g; r++) {
      out[r] = sumLanes(lanes, r * L, L);
    }
    for (; p < k; p++) {
      float x0 = a[a0 + p];
      float x1 = a[a1 + p];
      int wp = w0 + (p - p % L) * g + p % L;
      for (int jj = 0; jj < g; jj++) {
        float wv = w[wp + jj * L];
        out[jj] = Math.fma(x0, wv, out[jj]);
        out[g + jj] = Math.fma(x1, wv, out[g + jj]);
      }
    }
  }

  static void store(float[] c, int at, float v, float[] bias, int biasOff,
      boolean relu) {
    float r = bias == null ? v : v + bias[biasOff];
    c[at] = relu ? UnaryOp.relu(r) : r;
  }

  /**
   * The dot products of rows {@code a0, a1} of A with the 4 weight rows from {@code w0}
   * (at most {@code last + 1} of them distinct): {@code out[r * 4 + jj]}.
   */
  private static void dot2x4(int k, float[] a, int a0, int a1, float[] w, int w0, int ldw,
      int last, float[] out, float[] lanes) {
    // Past the last weight row (index `last` from w0), the block repeats it.
    int w1 = w0 + Math.min(1, last) * ldw;
    int w2 = w0 + Math.min(2, last) * ldw;
    int w3 = w0 + Math.min(3, last) * ldw;
    FloatVector s00 = EXACT.cast(FloatVector.zero(S));
    FloatVector s01 = s00;
    FloatVector s02 = s00;
    FloatVector s03 = s00;
    FloatVector s10 = s00;
    FloatVector s11 = s00;
    FloatVector s12 = s00;
    FloatVector s13 = s00;
    int p = 0;
    for (int bound = S.loopBound(k); p < bound; p += L) {
      FloatVector x0 = EXACT.cast(FloatVector.fromArray(S, a, a0 + p));
      FloatVector x1 = EXACT.cast(FloatVector.fromArray(S, a, a1 + p));
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, w, w0 + p));
      s00 = x0.fma(v, s00);
      s10 = x1.fma(v, s10);
      v = EXACT.cast(FloatVector.fromArray(S, w, w1 + p));
      s01 = x0.fma(v, s01);
      s11 = x1.fma(v, s11);
      v = EXACT.cast(FloatVector.fromArray(S, w, w2 + p));
      s02 = x0.fma(v, s02);
      s12 = x1.fma(v, s12);
      v = EXACT.cast(FloatVector.fromArray(S, w, w3 + p));
      s03 = x0.fma(v, s03);
      s13 = x1.fma(v, s13);
    }
    // reduceLanes(ADD) may add the lanes in another order once compiled than interpreted,
    // so the lanes are summed here, always in the same order: through an array, since 8 of
    // VectorBackend.sumLanes's shuffle trees take dot1x8 past C2's inlining budget, and a
    // vector passed to a call that is not inlined is boxed (an allocation per call).
    EXACT.cast(s00).intoArray(lanes, 0);
    EXACT.cast(s01).intoArray(lanes, L);
    EXACT.cast(s02).intoArray(lanes, 2 * L);
    EXACT.cast(s03).intoArray(lanes, 3 * L);
    EXACT.cast(s10).intoArray(lanes, 4 * L);
    EXACT.cast(s11).intoArray(lanes, 5 * L);
    EXACT.cast(s12).intoArray(lanes, 6 * L);
    EXACT.cast(s13).intoArray(lanes, 7 * L);
    for (int r = 0; r < 8; r++) {
      out[r] = sumLanes(lanes, r * L, L);
    }
    for (; p < k; p++) { // the scalar tail
      float x0 = a[a0 + p];
      float x1 = a[a1 + p];
      for (int jj = 0; jj < 4; jj++) {
        float wv = w[(jj == 0 ? w0 : jj == 1 ? w1 : jj == 2 ? w2 : w3) + p];
        out[jj] = Math.fma(x0, wv, out[jj]);
        out[4 + jj] = Math.fma(x1, wv, out[4 + jj]);
      }
    }
  }

  /** The dot products of row {@code a0} of A with the 8 weight rows from {@code w0}. */
  private static void dot1x8(int k, float[] a, int a0, float[] w, int w0, int ldw, int last,
      float[] out, float[] lanes) {
    int w1 = w0 + Math.min(1, last) * ldw;
    int w2 = w0 + Math.min(2, last) * ldw;
    int w3 = w0 + Math.min(3, last) * ldw;
    int w4 = w0 + Math.min(4, last) * ldw;
    int w5 = w0 + Math.min(5, last) * ldw;
    int w6 = w0 + Math.min(6, last) * ldw;
    int w7 = w0 + Math.min(7, last) * ldw;
    FloatVector s0 = EXACT.cast(FloatVector.zero(S));
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    FloatVector s4 = s0;
    FloatVector s5 = s0;
    FloatVector s6 = s0;
    FloatVector s7 = s0;
    int p = 0;
    for (int bound = S.loopBound(k); p < bound; p += L) {
      FloatVector x = EXACT.cast(FloatVector.fromArray(S, a, a0 + p));
      s0 = x.fma(EXACT.cast(FloatVector.fromArray(S, w, w0 + p)), s0);
      s1 = x.fma(EXACT.cast(FloatVector.fromArray(S, w, w1 + p)), s1);
      s2 = x.fma(EXACT.cast(FloatVector.fromArray(S, w, w2 + p)), s2);
      s3 = x.fma(EXACT.cast(FloatVector.fromArray(S, w, w3 + p)), s3);
      s4 = x.fma(EXACT.cast(FloatVector.fromArray(S, w, w4 + p)), s4);
      s5 = x.fma(EXACT.cast(FloatVector.fromArray(S, w, w5 + p)), s5);
      s6 = x.fma(EXACT.cast(FloatVector.fromArray(S, w, w6 + p)), s6);
      s7 = x.fma(EXACT.cast(FloatVector.fromArray(S, w, w7 + p)), s7);
    }
    EXACT.cast(s0).intoArray(lanes, 0);
    EXACT.cast(s1).intoArray(lanes, L);
    EXACT.cast(s2).intoArray(lanes, 2 * L);
    EXACT.cast(s3).intoArray(lanes, 3 * L);
    EXACT.cast(s4).intoArray(lanes, 4 * L);
    EXACT.cast(s5).intoArray(lanes, 5 * L);
    EXACT.cast(s6).intoArray(lanes, 6 * L);
    EXACT.cast(s7).intoArray(lanes, 7 * L);
    for (int r = 0; r < 8; r++) {
      float v = sumLanes(lanes, r * L, L);
      int row = w0 + Math.min(r, last) * ldw;
      for (int q = p; q < k; q++) { // the scalar tail
        v = Math.fma(a[a0 + q], w[row + q], v);
      }
      out[r] = v;
    }
  }

  /**
   * The sum of {@code count} lanes from {@code at}, in a fixed order (groups of 4, then in
   * turn).
   */
  static float sumLanes(float[] lanes, int at, int count) {
    if (count < 4) {
      float s = lanes[at];
      for (int i = 1; i < count; i++) {
        s += lanes[at + i];
      }
      return s;
    }
    float s = 0f;
    for (int i = at; i < at + count; i += 4) {
      s += (lanes[i] + lanes[i + 1]) + (lanes[i + 2] + lanes[i + 3]);
    }
    return s;
  }
}
