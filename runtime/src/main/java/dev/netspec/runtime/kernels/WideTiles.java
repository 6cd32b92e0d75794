package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM's tiles for batches of 1 and 2 ({@link VectorGemm}): one or two rows of A against
 * {@value #PANELS} consecutive packed panels over the whole reduction, the epilogue on the
 * registers. A panel there has no other row tile to share it with, so the tile is as wide as
 * the registers allow. Loaded by {@link VectorBackend} only.
 */
final class WideTiles {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  private static final int NR = 2 * L;
  /** Panels per wide tile. */
  static final int PANELS = 4;
  /** The bias of a wide tile when there is none: adding {@code -0.0} is exact for every float. */
  static final float[] NEGATIVE_ZEROS = new float[PANELS * NR];

  static {
    Arrays.fill(NEGATIVE_ZEROS, -0f);
  }

  private WideTiles() {}

  /**
   * One or two rows of C over {@link #PANELS} whole panels, the epilogue applied on the registers
   * before the only store: the sum plus the bias (or plus {@code -0.0}, which changes nothing,
   * not even a {@code -0.0}), then {@code x < below ? 0 : x} with {@code below} 0 for ReLU and
   * minus infinity (never true) otherwise. The same operations in the same order as {@link
   * GemmEpilogue#apply}, so the results equal those of the other tiles. The tiles write it out
   * per accumulator: a helper taking the vectors is not inlined into them, and C2 then boxes
   * every vector (the tutorial MLP ran 2-3x slower that way).
   */
  static void wide(int m, int k, float[] a, int aOff, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, float[] bias, int biasOff, Activation act) {
    float[] bv = bias == null ? NEGATIVE_ZEROS : bias;
    int bvOff = bias == null ? 0 : biasOff;
    float below = act == Activation.RELU ? 0f : Float.NEGATIVE_INFINITY;
    if (m == 2) {
      tile2x8(k, a, aOff, aOff + lda, b, b0, c, c0, c0 + ldc, bv, bvOff, below);
    } else {
      tile1x8(k, a, aOff, b, b0, c, c0, bv, bvOff, below);
    }
    GemmEpilogue.geluIf(act, m, PANELS * NR, c, c0, ldc);
  }

  /**
   * Rows {@code a0} and {@code a1} of A against 4 consecutive packed panels (8 vectors, 16
   * accumulators) over the whole reduction: the tile for batches of 1 and 2, where a panel
   * has no other row tile to share it with. Row 0 goes to {@code c[c0 ..]}, row 1 to {@code
   * c[d0 ..]}, each with the epilogue of {@link #wide}. Each accumulator is one FMA chain over
   * k, so the results equal those of {@link EdgeTiles}' 2- and 1-row tiles.
   */
  private static void tile2x8(int k, float[] a, int a0, int a1, float[] b, int b0, float[] c,
      int c0, int d0, float[] bias, int bo, float below) {
    // Each panel's index is (its start) + p * NR: C2 hoists the bounds checks of such indices
    // out of the loop, but not of (first start) + p * NR + (multiple of k).
    int b1 = b0 + k * NR;
    int b2 = b1 + k * NR;
    int b3 = b2 + k * NR;
    FloatVector c00 = EXACT.cast(FloatVector.zero(S));
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c03 = c00;
    FloatVector c04 = c00;
    FloatVector c05 = c00;
    FloatVector c06 = c00;
    FloatVector c07 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c13 = c00;
    FloatVector c14 = c00;
    FloatVector c15 = c00;
    FloatVector c16 = c00;
    FloatVector c17 = c00;
    for (int p = 0; p < k; p++) {
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      FloatVector y = EXACT.cast(FloatVector.broadcast(S, a[a1 + p]));
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, b, b0 + p * NR));
      c00 = x.fma(v, c00);
      c10 = y.fma(v, c10);
      v = EXACT.cast(FloatVector.fromArray(S, b, b0 + p * NR + L));
      c01 = x.fma(v, c01);
      c11 = y.fma(v, c11);
      v = EXACT.cast(FloatVector.fromArray(S, b, b1 + p * NR));
      c02 = x.fma(v, c02);
      c12 = y.fma(v, c12);
      v = EXACT.cast(FloatVector.fromArray(S, b, b1 + p * NR + L));
      c03 = x.fma(v, c03);
      c13 = y.fma(v, c13);
      v = EXACT.cast(FloatVector.fromArray(S, b, b2 + p * NR));
      c04 = x.fma(v, c04);
      c14 = y.fma(v, c14);
      v = EXACT.cast(FloatVector.fromArray(S, b, b2 + p * NR + L));
      c05 = x.fma(v, c05);
      c15 = y.fma(v, c15);
      v = EXACT.cast(FloatVector.fromArray(S, b, b3 + p * NR));
      c06 = x.fma(v, c06);
      c16 = y.fma(v, c16);
      v = EXACT.cast(FloatVector.fromArray(S, b, b3 + p * NR + L));
      c07 = x.fma(v, c07);
      c17 = y.fma(v, c17);
    }
    // At C2's node budget, as tile1x8: the epilogue uses the species' own calls and casts
    // each sum to the exact class (see there).
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector bias0 = FloatVector.fromArray(S, bias, bo);
    FloatVector v = EXACT.cast(c00.lanewise(VectorOperators.ADD, bias0));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0);
    v = EXACT.cast(c10.lanewise(VectorOperators.ADD, bias0));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0);
    FloatVector bias1 = FloatVector.fromArray(S, bias, bo + L);
    v = EXACT.cast(c01.lanewise(VectorOperators.ADD, bias1));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + L);
    v = EXACT.cast(c11.lanewise(VectorOperators.ADD, bias1));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + L);
    FloatVector bias2 = FloatVector.fromArray(S, bias, bo + 2 * L);
    v = EXACT.cast(c02.lanewise(VectorOperators.ADD, bias2));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 2 * L);
    v = EXACT.cast(c12.lanewise(VectorOperators.ADD, bias2));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 2 * L);
    FloatVector bias3 = FloatVector.fromArray(S, bias, bo + 3 * L);
    v = EXACT.cast(c03.lanewise(VectorOperators.ADD, bias3));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 3 * L);
    v = EXACT.cast(c13.lanewise(VectorOperators.ADD, bias3));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 3 * L);
    FloatVector bias4 = FloatVector.fromArray(S, bias, bo + 4 * L);
    v = EXACT.cast(c04.lanewise(VectorOperators.ADD, bias4));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 4 * L);
    v = EXACT.cast(c14.lanewise(VectorOperators.ADD, bias4));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 4 * L);
    FloatVector bias5 = FloatVector.fromArray(S, bias, bo + 5 * L);
    v = EXACT.cast(c05.lanewise(VectorOperators.ADD, bias5));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 5 * L);
    v = EXACT.cast(c15.lanewise(VectorOperators.ADD, bias5));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 5 * L);
    FloatVector bias6 = FloatVector.fromArray(S, bias, bo + 6 * L);
    v = EXACT.cast(c06.lanewise(VectorOperators.ADD, bias6));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 6 * L);
    v = EXACT.cast(c16.lanewise(VectorOperators.ADD, bias6));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 6 * L);
    FloatVector bias7 = FloatVector.fromArray(S, bias, bo + 7 * L);
    v = EXACT.cast(c07.lanewise(VectorOperators.ADD, bias7));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 7 * L);
    v = EXACT.cast(c17.lanewise(VectorOperators.ADD, bias7));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 7 * L);
  }

  /**
   * Row {@code a0} of A against 4 consecutive packed panels (8 accumulators) over the whole
   * reduction: the batch-1 tile, bound by streaming the panels from memory (8 loads per 8
   * FMAs). Each accumulator is one FMA chain over k, with the epilogue of {@link #wide}, as
   * in {@link #tile2x8}.
   */
  private static void tile1x8(int k, float[] a, int a0, float[] b, int b0, float[] c, int c0,
      float[] bias, int bo, float below) {
    int b1 = b0 + k * NR; // per-panel starts: see tile2x8
    int b2 = b1 + k * NR;
    int b3 = b2 + k * NR;
    FloatVector c0v = EXACT.cast(FloatVector.zero(S));
    FloatVector c1v = c0v;
    FloatVector c2v = c0v;
    FloatVector c3v = c0v;
    FloatVector c4v = c0v;
    FloatVector c5v = c0v;
    FloatVector c6v = c0v;
    FloatVector c7v = c0v;
    for (int p = 0; p < k; p++) {
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c0v = x.fma(FloatVector.fromArray(S, b, b0 + p * NR), c0v);
      c1v = x.fma(FloatVector.fromArray(S, b, b0 + p * NR + L), c1v);
      c2v = x.fma(FloatVector.fromArray(S, b, b1 + p * NR), c2v);
      c3v = x.fma(FloatVector.fromArray(S, b, b1 + p * NR + L), c3v);
      c4v = x.fma(FloatVector.fromArray(S, b, b2 + p * NR), c4v);
      c5v = x.fma(FloatVector.fromArray(S, b, b2 + p * NR + L), c5v);
      c6v = x.fma(FloatVector.fromArray(S, b, b3 + p * NR), c6v);
      c7v = x.fma(FloatVector.fromArray(S, b, b3 + p * NR + L), c7v);
    }
    // This method is at C2's node budget: past it C2 inlines only force-inlined JDK methods
    // and intrinsics, so a method of ours here would box (even with no other species). The
    // species' own lanewise, dispatched at this call site (its profile sees one class), and a
    // cast to the constant exact class (Class.cast, an intrinsic) type the sums and the
    // blends: without the casts, lt() and intoArray() dispatch at the JDK's own call sites,
    // whose profiles see every species in the JVM, and box once another species ran (1-3.6
    // KB a call).
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector v = EXACT.cast(
        c0v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0);
    v = EXACT.cast(
        c1v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + L);
    v = EXACT.cast(
        c2v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 2 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 2 * L);
    v = EXACT.cast(
        c3v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 3 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 3 * L);
    v = EXACT.cast(
        c4v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 4 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 4 * L);
    v = EXACT.cast(
        c5v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 5 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 5 * L);
    v = EXACT.cast(
        c6v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 6 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 6 * L);
    v = EXACT.cast(
        c7v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 7 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 7 * L);
  }
}
