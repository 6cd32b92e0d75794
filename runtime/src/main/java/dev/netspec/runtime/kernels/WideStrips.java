package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The wide register tile of the direct convolution ({@link DirectConv}) for 512-bit vectors:
 * {@value DirectConv#POSITIONS} output positions by four vectors of output channels, two of
 * {@link ConvStrips}' strips side by side (64 channels), so 24 accumulators, 4 filter loads
 * and 6 broadcasts per 24 FMAs, 29 of AVX-512's 32 registers. A strip of two vectors loads a
 * filter or broadcasts an input for every 1.5 FMAs; this tile for every 2.4, and each input
 * it broadcasts feeds four FMAs instead of two, so a group's inputs are read from the cache
 * half as often. The filters stay in {@link DirectConv#pack}'s layout: the two strips' are
 * {@code w1 - w0} floats apart.
 *
 * <p>Each accumulator is one FMA chain in order of the step, as in {@link ConvStrips#strip}:
 * the pair is bit for bit two strips ({@link ScalarBackend#convStripPair}, two calls of the
 * scalar twin). The loop counts steps and reads six bases ({@code x[p_j + r]}), the form
 * {@link ConvStrips#stepped}: the strip alone (16 strips over one kernel row, inputs and
 * filters in cache, AMD EPYC Zen 5, CPU time) ran it at 0.99-1.10x two {@code paired} strips
 * on JDK 17 and 25, where the input index as induction variable ran 0.94-1.03x and two steps a
 * loop turn 0.94-1.10x on JDK 17 but 0.53-0.69x on JDK 25 (docs/performance.md,
 * "Convolutions").
 */
final class WideStrips {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  /** Output channels of one of the two strips: two vectors, as {@link ConvStrips#WIDTH}. */
  private static final int WIDTH = ConvStrips.WIDTH;
  /**
   * Whether {@link DirectConv} pairs its strips: with 512-bit vectors (the 24 accumulators
   * do not fit AVX2's 16 registers), unless {@code -Dnetspec.conv.wide=false} (for A/B runs).
   */
  static final boolean ENABLED = L >= 16
      && !"false".equalsIgnoreCase(System.getProperty("netspec.conv.wide"));

  /** The distance between positions {@link #spaced128} reads: a row on 128 channels. */
  static final int SPACING_128 = ConvStrips.SPACING_128;
  /** The distance {@link #spaced256} reads: a row on 256 channels. */
  static final int SPACING_256 = ConvStrips.SPACING_256;

  private WideStrips() {}

  /**
   * {@link #strip}, or for six positions evenly {@link #SPACING_128} or {@link #SPACING_256}
   * apart its copy with the distances as constants ({@link #spaced128}, {@link #spaced256}).
   */
  static void pair(int steps, float[] x, int p0, int p1, int p2, int p3, int p4, int p5,
      float[] w, int w0, int w1, float[] acc0, float[] acc1) {
    int d = ConvStrips.spacing(p0, p1, p2, p3, p4, p5);
    if (d == SPACING_128) {
      spaced128(steps, x, p0, w, w0, w1, acc0, acc1);
    } else if (d == SPACING_256) {
      spaced256(steps, x, p0, w, w0, w1, acc0, acc1);
    } else {
      strip(steps, x, p0, p1, p2, p3, p4, p5, w, w0, w1, acc0, acc1);
    }
  }

  /**
   * {@code acc0[j * WIDTH + c] += sum over r < steps of x[p_j + r] * w[w0 + r * WIDTH + c]}
   * and {@code acc1} the same from {@code w1}: {@link ConvStrips#strip} twice, in one pass.
   */
  static void strip(int steps, float[] x, int p0, int p1, int p2, int p3, int p4, int p5,
      float[] w, int w0, int w1, float[] acc0, float[] acc1) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc0, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc0, L));
    FloatVector c02 = EXACT.cast(FloatVector.fromArray(S, acc1, 0));
    FloatVector c03 = EXACT.cast(FloatVector.fromArray(S, acc1, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc0, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc0, WIDTH + L));
    FloatVector c12 = EXACT.cast(FloatVector.fromArray(S, acc1, WIDTH));
    FloatVector c13 = EXACT.cast(FloatVector.fromArray(S, acc1, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc0, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc0, 2 * WIDTH + L));
    FloatVector c22 = EXACT.cast(FloatVector.fromArray(S, acc1, 2 * WIDTH));
    FloatVector c23 = EXACT.cast(FloatVector.fromArray(S, acc1, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc0, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc0, 3 * WIDTH + L));
    FloatVector c32 = EXACT.cast(FloatVector.fromArray(S, acc1, 3 * WIDTH));
    FloatVector c33 = EXACT.cast(FloatVector.fromArray(S, acc1, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc0, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc0, 4 * WIDTH + L));
    FloatVector c42 = EXACT.cast(FloatVector.fromArray(S, acc1, 4 * WIDTH));
    FloatVector c43 = EXACT.cast(FloatVector.fromArray(S, acc1, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc0, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc0, 5 * WIDTH + L));
    FloatVector c52 = EXACT.cast(FloatVector.fromArray(S, acc1, 5 * WIDTH));
    FloatVector c53 = EXACT.cast(FloatVector.fromArray(S, acc1, 5 * WIDTH + L));
    int off = w1 - w0;
    for (int r = 0; r < steps; r++) {
      int wr = w0 + r * WIDTH;
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector b2 = EXACT.cast(FloatVector.fromArray(S, w, wr + off));
      FloatVector b3 = EXACT.cast(FloatVector.fromArray(S, w, wr + off + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      c02 = v.fma(b2, c02);
      c03 = v.fma(b3, c03);
      v = EXACT.cast(FloatVector.broadcast(S, x[p1 + r]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      c12 = v.fma(b2, c12);
      c13 = v.fma(b3, c13);
      v = EXACT.cast(FloatVector.broadcast(S, x[p2 + r]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      c22 = v.fma(b2, c22);
      c23 = v.fma(b3, c23);
      v = EXACT.cast(FloatVector.broadcast(S, x[p3 + r]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      c32 = v.fma(b2, c32);
      c33 = v.fma(b3, c33);
      v = EXACT.cast(FloatVector.broadcast(S, x[p4 + r]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      c42 = v.fma(b2, c42);
      c43 = v.fma(b3, c43);
      v = EXACT.cast(FloatVector.broadcast(S, x[p5 + r]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
      c52 = v.fma(b2, c52);
      c53 = v.fma(b3, c53);
    }
    EXACT.cast(c00).intoArray(acc0, 0);
    EXACT.cast(c01).intoArray(acc0, L);
    EXACT.cast(c02).intoArray(acc1, 0);
    EXACT.cast(c03).intoArray(acc1, L);
    EXACT.cast(c10).intoArray(acc0, WIDTH);
    EXACT.cast(c11).intoArray(acc0, WIDTH + L);
    EXACT.cast(c12).intoArray(acc1, WIDTH);
    EXACT.cast(c13).intoArray(acc1, WIDTH + L);
    EXACT.cast(c20).intoArray(acc0, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc0, 2 * WIDTH + L);
    EXACT.cast(c22).intoArray(acc1, 2 * WIDTH);
    EXACT.cast(c23).intoArray(acc1, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc0, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc0, 3 * WIDTH + L);
    EXACT.cast(c32).intoArray(acc1, 3 * WIDTH);
    EXACT.cast(c33).intoArray(acc1, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc0, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc0, 4 * WIDTH + L);
    EXACT.cast(c42).intoArray(acc1, 4 * WIDTH);
    EXACT.cast(c43).intoArray(acc1, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc0, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc0, 5 * WIDTH + L);
    EXACT.cast(c52).intoArray(acc1, 5 * WIDTH);
    EXACT.cast(c53).intoArray(acc1, 5 * WIDTH + L);
  }
  /**
   * {@link #strip} for six positions {@link #SPACING_128} apart ({@code p_j = p0 + j *
   * SPACING_128}: six outputs of one row of a stride-1 convolution on 128 input channels, 86%
   * of the strips of ResNet's 28x28 layer), the distances constants in the broadcasts'
   * addresses: one base register instead of six. The same sums in the same order. ResNet's
   * 128-channel 3x3 layer at batch 8 ran 1.15x faster on JDK 25 in both orders, 1.01-1.17x on
   * JDK 17; the 256-channel one (rows of 14, 71% of its strips) 1.00-1.10x and 1.03-1.16x
   * ({@code AbCompare}, CPU time, loaded). One copy per
   * spacing, as {@link ConvStrips#spaced}: C2 does not inline a method this large to fold a
   * constant argument into it.
   */
  static void spaced128(int steps, float[] x, int p0, float[] w, int w0, int w1,
      float[] acc0, float[] acc1) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc0, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc0, L));
    FloatVector c02 = EXACT.cast(FloatVector.fromArray(S, acc1, 0));
    FloatVector c03 = EXACT.cast(FloatVector.fromArray(S, acc1, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc0, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc0, WIDTH + L));
    FloatVector c12 = EXACT.cast(FloatVector.fromArray(S, acc1, WIDTH));
    FloatVector c13 = EXACT.cast(FloatVector.fromArray(S, acc1, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc0, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc0, 2 * WIDTH + L));
    FloatVector c22 = EXACT.cast(FloatVector.fromArray(S, acc1, 2 * WIDTH));
    FloatVector c23 = EXACT.cast(FloatVector.fromArray(S, acc1, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc0, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc0, 3 * WIDTH + L));
    FloatVector c32 = EXACT.cast(FloatVector.fromArray(S, acc1, 3 * WIDTH));
    FloatVector c33 = EXACT.cast(FloatVector.fromArray(S, acc1, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc0, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc0, 4 * WIDTH + L));
    FloatVector c42 = EXACT.cast(FloatVector.fromArray(S, acc1, 4 * WIDTH));
    FloatVector c43 = EXACT.cast(FloatVector.fromArray(S, acc1, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc0, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc0, 5 * WIDTH + L));
    FloatVector c52 = EXACT.cast(FloatVector.fromArray(S, acc1, 5 * WIDTH));
    FloatVector c53 = EXACT.cast(FloatVector.fromArray(S, acc1, 5 * WIDTH + L));
    int off = w1 - w0;
    for (int r = 0; r < steps; r++) {
      int wr = w0 + r * WIDTH;
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector b2 = EXACT.cast(FloatVector.fromArray(S, w, wr + off));
      FloatVector b3 = EXACT.cast(FloatVector.fromArray(S, w, wr + off + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      c02 = v.fma(b2, c02);
      c03 = v.fma(b3, c03);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 1 * SPACING_128]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      c12 = v.fma(b2, c12);
      c13 = v.fma(b3, c13);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 2 * SPACING_128]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      c22 = v.fma(b2, c22);
      c23 = v.fma(b3, c23);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 3 * SPACING_128]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      c32 = v.fma(b2, c32);
      c33 = v.fma(b3, c33);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 4 * SPACING_128]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      c42 = v.fma(b2, c42);
      c43 = v.fma(b3, c43);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 5 * SPACING_128]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
      c52 = v.fma(b2, c52);
      c53 = v.fma(b3, c53);
    }
    EXACT.cast(c00).intoArray(acc0, 0);
    EXACT.cast(c01).intoArray(acc0, L);
    EXACT.cast(c02).intoArray(acc1, 0);
    EXACT.cast(c03).intoArray(acc1, L);
    EXACT.cast(c10).intoArray(acc0, WIDTH);
    EXACT.cast(c11).intoArray(acc0, WIDTH + L);
    EXACT.cast(c12).intoArray(acc1, WIDTH);
    EXACT.cast(c13).intoArray(acc1, WIDTH + L);
    EXACT.cast(c20).intoArray(acc0, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc0, 2 * WIDTH + L);
    EXACT.cast(c22).intoArray(acc1, 2 * WIDTH);
    EXACT.cast(c23).intoArray(acc1, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc0, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc0, 3 * WIDTH + L);
    EXACT.cast(c32).intoArray(acc1, 3 * WIDTH);
    EXACT.cast(c33).intoArray(acc1, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc0, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc0, 4 * WIDTH + L);
    EXACT.cast(c42).intoArray(acc1, 4 * WIDTH);
    EXACT.cast(c43).intoArray(acc1, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc0, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc0, 5 * WIDTH + L);
    EXACT.cast(c52).intoArray(acc1, 5 * WIDTH);
    EXACT.cast(c53).intoArray(acc1, 5 * WIDTH + L);
  }
  /** {@link #spaced128} for positions {@link #SPACING_256} apart (256 input channels). */
  static void spaced256(int steps, float[] x, int p0, float[] w, int w0, int w1,
      float[] acc0, float[] acc1) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc0, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc0, L));
    FloatVector c02 = EXACT.cast(FloatVector.fromArray(S, acc1, 0));
    FloatVector c03 = EXACT.cast(FloatVector.fromArray(S, acc1, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc0, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc0, WIDTH + L));
    FloatVector c12 = EXACT.cast(FloatVector.fromArray(S, acc1, WIDTH));
    FloatVector c13 = EXACT.cast(FloatVector.fromArray(S, acc1, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc0, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc0, 2 * WIDTH + L));
    FloatVector c22 = EXACT.cast(FloatVector.fromArray(S, acc1, 2 * WIDTH));
    FloatVector c23 = EXACT.cast(FloatVector.fromArray(S, acc1, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc0, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc0, 3 * WIDTH + L));
    FloatVector c32 = EXACT.cast(FloatVector.fromArray(S, acc1, 3 * WIDTH));
    FloatVector c33 = EXACT.cast(FloatVector.fromArray(S, acc1, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc0, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc0, 4 * WIDTH + L));
    FloatVector c42 = EXACT.cast(FloatVector.fromArray(S, acc1, 4 * WIDTH));
    FloatVector c43 = EXACT.cast(FloatVector.fromArray(S, acc1, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc0, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc0, 5 * WIDTH + L));
    FloatVector c52 = EXACT.cast(FloatVector.fromArray(S, acc1, 5 * WIDTH));
    FloatVector c53 = EXACT.cast(FloatVector.fromArray(S, acc1, 5 * WIDTH + L));
    int off = w1 - w0;
    for (int r = 0; r < steps; r++) {
      int wr = w0 + r * WIDTH;
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector b2 = EXACT.cast(FloatVector.fromArray(S, w, wr + off));
      FloatVector b3 = EXACT.cast(FloatVector.fromArray(S, w, wr + off + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      c02 = v.fma(b2, c02);
      c03 = v.fma(b3, c03);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 1 * SPACING_256]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      c12 = v.fma(b2, c12);
      c13 = v.fma(b3, c13);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 2 * SPACING_256]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      c22 = v.fma(b2, c22);
      c23 = v.fma(b3, c23);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 3 * SPACING_256]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      c32 = v.fma(b2, c32);
      c33 = v.fma(b3, c33);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 4 * SPACING_256]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      c42 = v.fma(b2, c42);
      c43 = v.fma(b3, c43);
      v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r + 5 * SPACING_256]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
      c52 = v.fma(b2, c52);
      c53 = v.fma(b3, c53);
    }
    EXACT.cast(c00).intoArray(acc0, 0);
    EXACT.cast(c01).intoArray(acc0, L);
    EXACT.cast(c02).intoArray(acc1, 0);
    EXACT.cast(c03).intoArray(acc1, L);
    EXACT.cast(c10).intoArray(acc0, WIDTH);
    EXACT.cast(c11).intoArray(acc0, WIDTH + L);
    EXACT.cast(c12).intoArray(acc1, WIDTH);
    EXACT.cast(c13).intoArray(acc1, WIDTH + L);
    EXACT.cast(c20).intoArray(acc0, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc0, 2 * WIDTH + L);
    EXACT.cast(c22).intoArray(acc1, 2 * WIDTH);
    EXACT.cast(c23).intoArray(acc1, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc0, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc0, 3 * WIDTH + L);
    EXACT.cast(c32).intoArray(acc1, 3 * WIDTH);
    EXACT.cast(c33).intoArray(acc1, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc0, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc0, 4 * WIDTH + L);
    EXACT.cast(c42).intoArray(acc1, 4 * WIDTH);
    EXACT.cast(c43).intoArray(acc1, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc0, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc0, 5 * WIDTH + L);
    EXACT.cast(c52).intoArray(acc1, 5 * WIDTH);
    EXACT.cast(c53).intoArray(acc1, 5 * WIDTH + L);
  }

  /**
   * {@link #strip} for position 0 only ({@code acc0[c]}, {@code acc1[c]}, {@code c < WIDTH}):
   * the ragged last strip of a batch whose positions leave one over (ResNet's 7x7 stage at
   * batch 1: 49 = 8 * 6 + 1), which the full tile would run as six copies of that position.
   * Four FMA chains of one step each per loop turn, so the FMAs' latency, not their
   * throughput, sets its pace: a third of the full tile's time, where the full tile took all
   * of it. The same sums in the same order.
   */
  static void position(int steps, float[] x, int p, float[] w, int w0, int w1, float[] acc0,
      float[] acc1) {
    FloatVector c0 = EXACT.cast(FloatVector.fromArray(S, acc0, 0));
    FloatVector c1 = EXACT.cast(FloatVector.fromArray(S, acc0, L));
    FloatVector c2 = EXACT.cast(FloatVector.fromArray(S, acc1, 0));
    FloatVector c3 = EXACT.cast(FloatVector.fromArray(S, acc1, L));
    int off = w1 - w0;
    for (int r = 0; r < steps; r++) {
      int wr = w0 + r * WIDTH;
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[p + r]));
      c0 = v.fma(EXACT.cast(FloatVector.fromArray(S, w, wr)), c0);
      c1 = v.fma(EXACT.cast(FloatVector.fromArray(S, w, wr + L)), c1);
      c2 = v.fma(EXACT.cast(FloatVector.fromArray(S, w, wr + off)), c2);
      c3 = v.fma(EXACT.cast(FloatVector.fromArray(S, w, wr + off + L)), c3);
    }
    EXACT.cast(c0).intoArray(acc0, 0);
    EXACT.cast(c1).intoArray(acc0, L);
    EXACT.cast(c2).intoArray(acc1, 0);
    EXACT.cast(c3).intoArray(acc1, L);
  }
}
