package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of the direct convolution ({@link DirectConv}): {@value
 * DirectConv#POSITIONS} output positions by two vectors of output channels, 12 accumulators,
 * 2 loads of filters and 6 broadcasts of inputs per step (15 of AVX2's 16 registers, as the
 * GEMM's 6-row tile). The inputs come from a channels-last copy of the image, so the {@code
 * steps} values one position reads (the input channels of a kernel row's taps) are
 * consecutive and their bounds checks are hoisted. Loaded by {@link VectorBackend} only.
 *
 * <p>Which way of writing the loop C2 compiles well (its bounds checks) depends on the JDK,
 * and the other way runs at less than half the speed (the strip alone, inputs and filters in L1, AMD
 * EPYC Zen 3, CPU time): with the input index as the induction variable, 84-93 GFLOP/s on
 * JDK 17 and 35-40 on JDK 25; with a step counter and six bases, 39.5 on JDK 17 and 94.9 on
 * JDK 25 (docs/performance.md, "Convolutions"). So the loop is chosen by the running JDK's
 * feature version, a constant to C2; both sum in the same order, to the same bits. On JDK 17,
 * six positions {@value #SPACING}, {@value #SPACING_128} or {@value #SPACING_256} floats apart
 * (one output row of a stride-1 convolution on that many channels) take a copy of the loop
 * with the distances as constants ({@link #spaced}): 28 instructions a step instead of 38.
 * With 512-bit vectors (AVX-512, 32 registers) every strip runs {@link #paired} instead, two
 * steps a loop turn, on every JDK (positions {@value #SPACING} apart its copy with constant
 * distances, {@link #pairedSpaced}); where the output channels make an even number of strips,
 * {@link DirectConv} runs them two at a time in the wider tile of {@link WideStrips}.
 */
final class ConvStrips {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  /** Output channels per strip: two vectors. */
  static final int WIDTH = 2 * L;
  /**
   * Whether the loop counts steps ({@link #stepped}) rather than input indices ({@link
   * #running}): on JDK 25 and later (measured on 17 and 25 only).
   */
  private static final boolean STEPPED = Runtime.version().feature() >= 25;
  /**
   * Whether every strip runs {@link #paired}, two steps a loop turn: with 512-bit vectors,
   * where the x86 machines that have them (AVX-512) have 32 vector registers, so the two steps'
   * four filter vectors fit beside the 12 accumulators. 256-bit vectors keep the JDK-chosen
   * one-step forms (AVX2's 16 registers have room for one step's two).
   */
  private static final boolean PAIRED = L >= 16;
  /**
   * The distance between neighbouring positions' inputs that {@link #spaced} reads: positions
   * of one output row of a stride-1 convolution on 64 input channels (ResNet's first stage).
   */
  static final int SPACING = 64;
  /** The distance {@link #spaced128} reads: a row on 128 input channels. */
  static final int SPACING_128 = 128;
  /** The distance {@link #spaced256} reads: a row on 256 input channels. */
  static final int SPACING_256 = 256;

  private ConvStrips() {}

  /**
   * {@code acc[j * WIDTH + c] += sum over r < steps of x[p_j + r] * w[w0 + r * WIDTH + c]},
   * one FMA chain per accumulator in order of r (bit for bit {@link ScalarBackend#convStrip}).
   */
  static void strip(int steps, float[] x, int p0, int p1, int p2, int p3, int p4, int p5,
      float[] w, int w0, float[] acc) {
    int d = spacing(p0, p1, p2, p3, p4, p5);
    if (PAIRED) {
      if (d == SPACING) {
        pairedSpaced(steps, x, p0, w, w0, acc);
      } else {
        paired(steps, x, p0, p1, p2, p3, p4, p5, w, w0, acc);
      }
    } else if (STEPPED) {
      stepped(steps, x, p0, p1, p2, p3, p4, p5, w, w0, acc);
    } else if (d == SPACING) {
      spaced(steps, x, p0, w, w0, acc);
    } else if (d == SPACING_128) {
      spaced128(steps, x, p0, w, w0, acc);
    } else if (d == SPACING_256) {
      spaced256(steps, x, p0, w, w0, acc);
    } else {
      running(steps, x, p0, p1, p2, p3, p4, p5, w, w0, acc);
    }
  }

  /**
   * The distance between six positions evenly apart ({@code p_j = p0 + j * d}), which picks a
   * strip's copy with constant distances ({@link #spaced}, {@link WideStrips#pair}); -1 when
   * they are not.
   */
  static int spacing(int p0, int p1, int p2, int p3, int p4, int p5) {
    int d = p1 - p0;
    return p2 - p1 == d && p3 - p2 == d && p4 - p3 == d && p5 - p4 == d ? d : -1;
  }

  /** {@link #strip} with the input index as the induction variable (JDK 17). */
  static void running(int steps, float[] x, int p0, int p1, int p2, int p3, int p4,
      int p5, float[] w, int w0, float[] acc) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH + L));
    // The input index itself is the loop variable and the filters' index a running sum:
    // written with r and w0 + r * WIDTH, JDK 17's C2 kept the six bounds checks in the loop and
    // the strip ran at 0.45 of the FMA peak (0.9-1.0 this way, standalone on AMD EPYC Zen 3).
    int end = p0 + steps;
    int d1 = p1 - p0;
    int d2 = p2 - p0;
    int d3 = p3 - p0;
    int d4 = p4 - p0;
    int d5 = p5 - p0;
    for (int q = p0, wr = w0; q < end; q++, wr += WIDTH) {
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[q]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d1]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d2]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d3]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d4]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d5]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
    }
    EXACT.cast(c00).intoArray(acc, 0);
    EXACT.cast(c01).intoArray(acc, L);
    EXACT.cast(c10).intoArray(acc, WIDTH);
    EXACT.cast(c11).intoArray(acc, WIDTH + L);
    EXACT.cast(c20).intoArray(acc, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc, 5 * WIDTH + L);
  }

  /**
   * {@link #running} two steps a loop turn, then the odd step: the same sums in the same order.
   * C2 does not unroll a loop this large itself; the second step shares the first's loop
   * counter, bounds checks and branch ({@code x[q + d_j + 1]} is one address offset further):
   * 69 instructions for two steps on JDK 17 (44 a step in {@code running}), 62 on JDK 25 (34 a
   * step in {@code stepped}), read from C2's output. With 512-bit vectors only ({@link #PAIRED}): the strip alone (16 strips over one
   * kernel row, AMD EPYC Zen 4, CPU time, share of the FMA peak) ran at 0.97-0.99 on JDK 17 and
   * 25, at 64 or 512 channels, positions spaced evenly or not, where {@code running} ran at
   * 0.90-0.95 and {@code stepped} at 0.91-0.94; {@link #spaced} reached 0.97-0.99 on both JDKs
   * but only for its one spacing (docs/performance.md, "Convolutions").
   */
  static void paired(int steps, float[] x, int p0, int p1, int p2, int p3, int p4, int p5,
      float[] w, int w0, float[] acc) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH + L));
    int d1 = p1 - p0;
    int d2 = p2 - p0;
    int d3 = p3 - p0;
    int d4 = p4 - p0;
    int d5 = p5 - p0;
    int end = p0 + steps;
    int q = p0;
    int wr = w0;
    for (int pairs = p0 + (steps & ~1); q < pairs; q += 2, wr += 2 * WIDTH) {
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[q]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d1]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d2]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d3]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d4]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d5]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
      FloatVector b0n = EXACT.cast(FloatVector.fromArray(S, w, wr + WIDTH));
      FloatVector b1n = EXACT.cast(FloatVector.fromArray(S, w, wr + WIDTH + L));
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 1]));
      c00 = v.fma(b0n, c00);
      c01 = v.fma(b1n, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d1 + 1]));
      c10 = v.fma(b0n, c10);
      c11 = v.fma(b1n, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d2 + 1]));
      c20 = v.fma(b0n, c20);
      c21 = v.fma(b1n, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d3 + 1]));
      c30 = v.fma(b0n, c30);
      c31 = v.fma(b1n, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d4 + 1]));
      c40 = v.fma(b0n, c40);
      c41 = v.fma(b1n, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d5 + 1]));
      c50 = v.fma(b0n, c50);
      c51 = v.fma(b1n, c51);
    }
    if (q < end) { // the odd step
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[q]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d1]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d2]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d3]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d4]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + d5]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
    }
    EXACT.cast(c00).intoArray(acc, 0);
    EXACT.cast(c01).intoArray(acc, L);
    EXACT.cast(c10).intoArray(acc, WIDTH);
    EXACT.cast(c11).intoArray(acc, WIDTH + L);
    EXACT.cast(c20).intoArray(acc, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc, 5 * WIDTH + L);
  }
  /**
   * {@link #paired} for six positions {@link #SPACING} apart ({@code p_j = p0 + j * SPACING}:
   * six outputs of one row of a stride-1 convolution on 64 input channels, 93% of the strips
   * of ResNet's 56x56 layer), the distances constants folded into the broadcasts' addresses as
   * in {@link #spaced}: no register and no add per position and step. The same sums in the
   * same order. With 512-bit vectors only ({@link #PAIRED}), where the 64-channel layers run
   * the single strip: on Zen 5's two FMAs a cycle its instructions, not its FMAs, are the
   * bound. ResNet's 64-channel 3x3 layer at batch 8 ran 1.08-1.16x faster on JDK 17
   * ({@code AbCompare}, both orders, CPU time, loaded), unchanged on JDK 25 (0.99-1.00x), whose
   * {@code paired} was already as fast as JDK 17's is now.
   */
  static void pairedSpaced(int steps, float[] x, int p0, float[] w, int w0, float[] acc) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH + L));
    int end = p0 + steps;
    int q = p0;
    int wr = w0;
    for (int pairs = p0 + (steps & ~1); q < pairs; q += 2, wr += 2 * WIDTH) {
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[q]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 1 * SPACING]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 2 * SPACING]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 3 * SPACING]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 4 * SPACING]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 5 * SPACING]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
      FloatVector b0n = EXACT.cast(FloatVector.fromArray(S, w, wr + WIDTH));
      FloatVector b1n = EXACT.cast(FloatVector.fromArray(S, w, wr + WIDTH + L));
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 1]));
      c00 = v.fma(b0n, c00);
      c01 = v.fma(b1n, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 1 * SPACING + 1]));
      c10 = v.fma(b0n, c10);
      c11 = v.fma(b1n, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 2 * SPACING + 1]));
      c20 = v.fma(b0n, c20);
      c21 = v.fma(b1n, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 3 * SPACING + 1]));
      c30 = v.fma(b0n, c30);
      c31 = v.fma(b1n, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 4 * SPACING + 1]));
      c40 = v.fma(b0n, c40);
      c41 = v.fma(b1n, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 5 * SPACING + 1]));
      c50 = v.fma(b0n, c50);
      c51 = v.fma(b1n, c51);
    }
    if (q < end) { // the odd step
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[q]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 1 * SPACING]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 2 * SPACING]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 3 * SPACING]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 4 * SPACING]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 5 * SPACING]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
    }
    EXACT.cast(c00).intoArray(acc, 0);
    EXACT.cast(c01).intoArray(acc, L);
    EXACT.cast(c10).intoArray(acc, WIDTH);
    EXACT.cast(c11).intoArray(acc, WIDTH + L);
    EXACT.cast(c20).intoArray(acc, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc, 5 * WIDTH + L);
  }

  /**
   * {@link #running} for six positions {@link #SPACING} apart ({@code p_j = p0 + j *
   * SPACING}), the same sums in the same order. The distances are constants folded into the
   * broadcasts' addresses: {@code running} spends a register and two instructions per position
   * and step on {@code q + d_j} (38 instructions a step for 12 FMAs, past the 6 a cycle Zen 3
   * issues), this form 28, and ran 1.10-1.31x faster on JDK 17 (the strip alone on a 64-channel
   * 56x56 layer, CPU time, loaded; docs/performance.md, "Convolutions"). JDK 17 only: JDK 25
   * runs it as slowly as {@code running}. One copy per spacing ({@link #spaced128}, {@link
   * #spaced256}): the distances must be literals, since C2 does not inline a method this large
   * to fold a constant argument into it.
   */
  static void spaced(int steps, float[] x, int p0, float[] w, int w0, float[] acc) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH + L));
    int end = p0 + steps;
    for (int q = p0, wr = w0; q < end; q++, wr += WIDTH) {
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[q]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 1 * SPACING]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 2 * SPACING]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 3 * SPACING]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 4 * SPACING]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 5 * SPACING]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
    }
    EXACT.cast(c00).intoArray(acc, 0);
    EXACT.cast(c01).intoArray(acc, L);
    EXACT.cast(c10).intoArray(acc, WIDTH);
    EXACT.cast(c11).intoArray(acc, WIDTH + L);
    EXACT.cast(c20).intoArray(acc, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc, 5 * WIDTH + L);
  }

  /** {@link #spaced} for positions {@link #SPACING_128} apart (128 input channels). */
  static void spaced128(int steps, float[] x, int p0, float[] w, int w0, float[] acc) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH + L));
    int end = p0 + steps;
    for (int q = p0, wr = w0; q < end; q++, wr += WIDTH) {
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[q]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 1 * SPACING_128]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 2 * SPACING_128]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 3 * SPACING_128]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 4 * SPACING_128]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 5 * SPACING_128]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
    }
    EXACT.cast(c00).intoArray(acc, 0);
    EXACT.cast(c01).intoArray(acc, L);
    EXACT.cast(c10).intoArray(acc, WIDTH);
    EXACT.cast(c11).intoArray(acc, WIDTH + L);
    EXACT.cast(c20).intoArray(acc, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc, 5 * WIDTH + L);
  }

  /** {@link #spaced} for positions {@link #SPACING_256} apart (256 input channels). */
  static void spaced256(int steps, float[] x, int p0, float[] w, int w0, float[] acc) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH + L));
    int end = p0 + steps;
    for (int q = p0, wr = w0; q < end; q++, wr += WIDTH) {
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[q]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 1 * SPACING_256]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 2 * SPACING_256]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 3 * SPACING_256]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 4 * SPACING_256]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[q + 5 * SPACING_256]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
    }
    EXACT.cast(c00).intoArray(acc, 0);
    EXACT.cast(c01).intoArray(acc, L);
    EXACT.cast(c10).intoArray(acc, WIDTH);
    EXACT.cast(c11).intoArray(acc, WIDTH + L);
    EXACT.cast(c20).intoArray(acc, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc, 5 * WIDTH + L);
  }

  /** {@link #strip} with a step counter and six bases (JDK 25). */
  static void stepped(int steps, float[] x, int p0, int p1, int p2, int p3, int p4,
      int p5, float[] w, int w0, float[] acc) {
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, acc, 0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, acc, L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, acc, WIDTH + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, acc, 2 * WIDTH + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, acc, 3 * WIDTH + L));
    FloatVector c40 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH));
    FloatVector c41 = EXACT.cast(FloatVector.fromArray(S, acc, 4 * WIDTH + L));
    FloatVector c50 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH));
    FloatVector c51 = EXACT.cast(FloatVector.fromArray(S, acc, 5 * WIDTH + L));
    for (int r = 0; r < steps; r++) {
      int wr = w0 + r * WIDTH;
      FloatVector b0 = EXACT.cast(FloatVector.fromArray(S, w, wr));
      FloatVector b1 = EXACT.cast(FloatVector.fromArray(S, w, wr + L));
      FloatVector v = EXACT.cast(FloatVector.broadcast(S, x[p0 + r]));
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = EXACT.cast(FloatVector.broadcast(S, x[p1 + r]));
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = EXACT.cast(FloatVector.broadcast(S, x[p2 + r]));
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = EXACT.cast(FloatVector.broadcast(S, x[p3 + r]));
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = EXACT.cast(FloatVector.broadcast(S, x[p4 + r]));
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = EXACT.cast(FloatVector.broadcast(S, x[p5 + r]));
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
    }
    EXACT.cast(c00).intoArray(acc, 0);
    EXACT.cast(c01).intoArray(acc, L);
    EXACT.cast(c10).intoArray(acc, WIDTH);
    EXACT.cast(c11).intoArray(acc, WIDTH + L);
    EXACT.cast(c20).intoArray(acc, 2 * WIDTH);
    EXACT.cast(c21).intoArray(acc, 2 * WIDTH + L);
    EXACT.cast(c30).intoArray(acc, 3 * WIDTH);
    EXACT.cast(c31).intoArray(acc, 3 * WIDTH + L);
    EXACT.cast(c40).intoArray(acc, 4 * WIDTH);
    EXACT.cast(c41).intoArray(acc, 4 * WIDTH + L);
    EXACT.cast(c50).intoArray(acc, 5 * WIDTH);
    EXACT.cast(c51).intoArray(acc, 5 * WIDTH + L);
  }
}
