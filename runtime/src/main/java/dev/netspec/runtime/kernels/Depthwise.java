package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector depthwise convolution (one input channel per group, {@code groups ==
 * in_channels}): a direct kernel, no im2col and no GEMM, since each output reads only
 * {@code kh * kw} values of one channel. Along an output row, the outputs whose every tap is
 * inside the input (the interior) are computed one vector at a time when the stride is 1: per
 * tap, a load of {@code L} consecutive inputs and an FMA with the broadcast weight; the edges,
 * a tail and strided rows are computed one output at a time. Every output is the bias plus its
 * taps in row-major order (skipping padding), the same order in both paths. Loaded by
 * {@link VectorBackend} only.
 */
final class Depthwise {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();

  private Depthwise() {}

  /** One image: see {@link Backend#depthwiseConv2d}. */
  static void conv2d(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias,
      int biasOff, boolean relu, float[] y, int yOff) {
    int mult = g.outChannels() / g.inChannels();
    int kh = g.kernelH();
    int kw = g.kernelW();
    int ow1 = g.outWidth();
    // The interior columns [lo, hi): every tap from ow * sw - padLeft to that + (kw - 1) * dw
    // lies in [0, width).
    int lo = Math.min(ow1, (g.padLeft() + g.strideW() - 1) / g.strideW());
    int span = g.width() - 1 + g.padLeft() - (kw - 1) * g.dilationW();
    int hi = span < 0 ? lo : Math.max(lo, Math.min(ow1, span / g.strideW() + 1));
    boolean vectors = g.strideW() == 1;
    float floor = relu ? 0f : Float.NEGATIVE_INFINITY; // ReLU as a compare against this
    for (int o = 0; o < g.outChannels(); o++) {
      int plane = xOff + o / mult * g.inPlane();
      int taps = wOff + o * kh * kw;
      float b = bias == null ? 0f : bias[biasOff + o];
      for (int oh = 0; oh < g.outHeight(); oh++) {
        int out = yOff + o * g.positions() + oh * ow1;
        int ow = 0;
        for (; ow < lo; ow++) {
          y[out + ow] = one(g, x, plane, w, taps, b, oh, ow, floor);
        }
        if (vectors) {
          int bound = lo + (hi - lo) / L * L;
          for (; ow < bound; ow += L) {
            row(g, x, plane, w, taps, b, oh, ow, floor, y, out + ow);
          }
        }
        for (; ow < ow1; ow++) {
          y[out + ow] = one(g, x, plane, w, taps, b, oh, ow, floor);
        }
      }
    }
  }

  /** {@code L} interior outputs of row {@code oh} from column {@code ow}, stride 1. */
  private static void row(ConvGeometry g, float[] x, int plane, float[] w, int taps, float b,
      int oh, int ow, float floor, float[] y, int at) {
    FloatVector acc = EXACT.cast(FloatVector.broadcast(S, b));
    int kw = g.kernelW();
    for (int i = 0; i < g.kernelH(); i++) {
      int ih = oh * g.strideH() - g.padTop() + i * g.dilationH();
      if (ih < 0 || ih >= g.height()) {
        continue;
      }
      int base = plane + ih * g.width() + ow - g.padLeft();
      int wi = taps + i * kw;
      for (int j = 0; j < kw; j++) {
        FloatVector v = EXACT.cast(FloatVector.fromArray(S, x, base + j * g.dilationW()));
        acc = v.fma(EXACT.cast(FloatVector.broadcast(S, w[wi + j])), acc);
      }
    }
    FloatVector lowest = EXACT.cast(FloatVector.broadcast(S, floor));
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    EXACT.cast(acc.blend(zero, EXACT.cast(acc).lt(lowest))).intoArray(y, at);
  }

  /** One output, in the order {@link #row} sums (bias, then taps row by row), in float. */
  private static float one(ConvGeometry g, float[] x, int plane, float[] w, int taps, float b,
      int oh, int ow, float floor) {
    float acc = b;
    for (int i = 0; i < g.kernelH(); i++) {
      int ih = oh * g.strideH() - g.padTop() + i * g.dilationH();
      if (ih < 0 || ih >= g.height()) {
        continue;
      }
      for (int j = 0; j < g.kernelW(); j++) {
        int iw = ow * g.strideW() - g.padLeft() + j * g.dilationW();
        if (iw >= 0 && iw < g.width()) {
          acc = Math.fma(x[plane + ih * g.width() + iw], w[taps + i * g.kernelW() + j], acc);
        }
      }
    }
    return acc < floor ? 0f : acc;
  }
}
