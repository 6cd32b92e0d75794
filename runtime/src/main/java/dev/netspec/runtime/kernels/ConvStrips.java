package dev.netspec.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of the direct convolution ({@link DirectConv}): {@value
 * DirectConv#POSITIONS} output positions by two vectors of output channels, 12 accumulators,
 * 2 loads of filters and 6 broadcasts of inputs per step (15 of AVX2's 16 registers, as the
 * GEMM's 6-row tile). The inputs come from a channels-last copy of the image, so the {@code
 * steps} values one position reads (the input channels of a kernel row's taps) are
 * consecutive and their bounds checks are hoisted. Loaded by {@link VectorBackend} only.
 */
final class ConvStrips {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  /** Output channels per strip: two vectors. */
  static final int WIDTH = 2 * L;

  private ConvStrips() {}

  /**
   * {@code acc[j * WIDTH + c] += sum over r < steps of x[p_j + r] * w[w0 + r * WIDTH + c]},
   * one FMA chain per accumulator in order of r (bit for bit {@link ScalarBackend#convStrip}).
   */
  static void strip(int steps, float[] x, int p0, int p1, int p2, int p3, int p4, int p5,
      float[] w, int w0, float[] acc) {
    FloatVector c00 = FloatVector.fromArray(S, acc, 0);
    FloatVector c01 = FloatVector.fromArray(S, acc, L);
    FloatVector c10 = FloatVector.fromArray(S, acc, WIDTH);
    FloatVector c11 = FloatVector.fromArray(S, acc, WIDTH + L);
    FloatVector c20 = FloatVector.fromArray(S, acc, 2 * WIDTH);
    FloatVector c21 = FloatVector.fromArray(S, acc, 2 * WIDTH + L);
    FloatVector c30 = FloatVector.fromArray(S, acc, 3 * WIDTH);
    FloatVector c31 = FloatVector.fromArray(S, acc, 3 * WIDTH + L);
    FloatVector c40 = FloatVector.fromArray(S, acc, 4 * WIDTH);
    FloatVector c41 = FloatVector.fromArray(S, acc, 4 * WIDTH + L);
    FloatVector c50 = FloatVector.fromArray(S, acc, 5 * WIDTH);
    FloatVector c51 = FloatVector.fromArray(S, acc, 5 * WIDTH + L);
    // The input index itself is the loop variable and the filters' index a running sum:
    // written with r and w0 + r * WIDTH, C2 kept the six bounds checks in the loop and the
    // strip ran at 0.45 of the FMA peak (0.9-1.0 this way, standalone on AMD EPYC Zen 3).
    int end = p0 + steps;
    int d1 = p1 - p0;
    int d2 = p2 - p0;
    int d3 = p3 - p0;
    int d4 = p4 - p0;
    int d5 = p5 - p0;
    for (int q = p0, wr = w0; q < end; q++, wr += WIDTH) {
      FloatVector b0 = FloatVector.fromArray(S, w, wr);
      FloatVector b1 = FloatVector.fromArray(S, w, wr + L);
      FloatVector v = FloatVector.broadcast(S, x[q]);
      c00 = v.fma(b0, c00);
      c01 = v.fma(b1, c01);
      v = FloatVector.broadcast(S, x[q + d1]);
      c10 = v.fma(b0, c10);
      c11 = v.fma(b1, c11);
      v = FloatVector.broadcast(S, x[q + d2]);
      c20 = v.fma(b0, c20);
      c21 = v.fma(b1, c21);
      v = FloatVector.broadcast(S, x[q + d3]);
      c30 = v.fma(b0, c30);
      c31 = v.fma(b1, c31);
      v = FloatVector.broadcast(S, x[q + d4]);
      c40 = v.fma(b0, c40);
      c41 = v.fma(b1, c41);
      v = FloatVector.broadcast(S, x[q + d5]);
      c50 = v.fma(b0, c50);
      c51 = v.fma(b1, c51);
    }
    c00.intoArray(acc, 0);
    c01.intoArray(acc, L);
    c10.intoArray(acc, WIDTH);
    c11.intoArray(acc, WIDTH + L);
    c20.intoArray(acc, 2 * WIDTH);
    c21.intoArray(acc, 2 * WIDTH + L);
    c30.intoArray(acc, 3 * WIDTH);
    c31.intoArray(acc, 3 * WIDTH + L);
    c40.intoArray(acc, 4 * WIDTH);
    c41.intoArray(acc, 4 * WIDTH + L);
    c50.intoArray(acc, 5 * WIDTH);
    c51.intoArray(acc, 5 * WIDTH + L);
  }
}
