package dev.netspec.runtime.kernels;

/**
 * Pooling over {@code (planes, height, width)} arrays, as PyTorch computes it: plain loops
 * (pooling reads each input a few times and does no multiply-adds, so it is bound by memory,
 * not by arithmetic). The geometry ({@link ConvGeometry}, with {@code inChannels} planes per
 * image and {@code outChannels == inChannels}) gives the windows; the layers compute the
 * output size (with {@code ceil_mode}) and check it.
 */
public final class Pooling {
  private Pooling() {}

  /**
   * {@code max_pool2d}: each output is the largest input of its window (dilated, padding
   * excluded), NaN if any is NaN. {@code indices}, if not null, receives for each output the
   * flat index {@code ih * width + iw} of the chosen input within its plane (the first of
   * equal maxima, the last NaN), as PyTorch's {@code return_indices}; a backward needs them.
   */
  public static void maxPool2d(ConvGeometry g, float[] x, int xOff, float[] y, int yOff,
      int[] indices) {
    if (isPairs(g)) {
      maxPoolPairs(g, x, xOff, y, yOff, indices);
      return;
    }
    int planes = g.batch() * g.inChannels();
    for (int c = 0; c < planes; c++) {
      int plane = xOff + c * g.inPlane();
      int out = c * g.positions();
      for (int oh = 0; oh < g.outHeight(); oh++) {
        for (int ow = 0; ow < g.outWidth(); ow++) {
          int arg = argmax(g, x, plane, oh, ow);
          y[yOff + out + oh * g.outWidth() + ow] = arg < 0 ? Float.NEGATIVE_INFINITY
              : x[plane + arg];
          if (indices != null) {
            indices[out + oh * g.outWidth() + ow] = arg;
          }
        }
      }
    }
  }

  /** Whether every window of {@code g} is 2 x 2 at stride 2, inside the input. */
  static boolean isPairs(ConvGeometry g) {
    return g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2 && g.strideW() == 2
        && g.padTop() == 0 && g.padLeft() == 0 && g.dilationH() == 1 && g.dilationW() == 1
        && 2 * g.outHeight() <= g.height() && 2 * g.outWidth() <= g.width();
  }

  /**
   * {@link #maxPool2d} of 2 x 2 windows at stride 2 (the usual pooling of a CNN), with {@link
   * #argmax}'s rule unrolled: each step picks an index, not a value, so the choice can compile
   * to a conditional move (the general loop's branch mispredicted on every other window).
   */
  private static void maxPoolPairs(ConvGeometry g, float[] x, int xOff, float[] y, int yOff,
      int[] indices) {
    int planes = g.batch() * g.inChannels();
    int width = g.width();
    int outWidth = g.outWidth();
    for (int c = 0; c < planes; c++) {
      int plane = xOff + c * g.inPlane();
      int out = c * g.positions();
      for (int oh = 0; oh < g.outHeight(); oh++) {
        int o = out + oh * outWidth;
        for (int ow = 0; ow < outWidth; ow++) {
          int i = 2 * oh * width + 2 * ow;
          int arg = pick(x, plane, i, i + 1);
          arg = pick(x, plane, arg, i + width);
          arg = pick(x, plane, arg, i + width + 1);
          y[yOff + o + ow] = x[plane + arg];
          if (indices != null) {
            indices[o + ow] = arg;
          }
        }
      }
    }
  }

  /**
   * {@code candidate} if its input beats {@code arg}'s (larger, or NaN), else {@code arg}. Both
   * comparisons are evaluated ({@code |}, not {@code ||}): with a second branch C2 kept a jump
   * that mispredicted on random data (19% of the Fashion CNN's training step, JFR).
   */
  private static int pick(float[] x, int plane, int arg, int candidate) {
    float v = x[plane + candidate];
    return v > x[plane + arg] | v != v ? candidate : arg;
  }

  /**
   * The window of output {@code (oh, ow)} of the plane from {@code x[plane]}: the flat index
   * {@code ih * width + iw} of its largest input (the first of equal maxima, the last NaN),
   * or -1 if the window holds no input. The rule of every max pooling kernel: scanning the
   * window in row-major order, an input replaces the maximum so far when it is larger or NaN.
   */
  static int argmax(ConvGeometry g, float[] x, int plane, int oh, int ow) {
    int h0 = oh * g.strideH() - g.padTop();
    int w0 = ow * g.strideW() - g.padLeft();
    float max = Float.NEGATIVE_INFINITY;
    int arg = -1;
    for (int i = 0; i < g.kernelH(); i++) {
      int ih = h0 + i * g.dilationH();
      if (ih < 0 || ih >= g.height()) {
        continue;
      }
      for (int j = 0; j < g.kernelW(); j++) {
        int iw = w0 + j * g.dilationW();
        if (iw < 0 || iw >= g.width()) {
          continue;
        }
        float v = x[plane + ih * g.width() + iw];
        if (arg < 0 || v > max || Float.isNaN(v)) { // PyTorch's rule: NaN wins
          max = v;
          arg = ih * g.width() + iw;
        }
      }
    }
    return arg;
  }

  /**
   * {@code avg_pool2d}: each output is the sum of its window's inputs divided by {@code
   * divisor} if positive, else by the window's size clipped to the padded input ({@code
   * countIncludePad}) or by the number of its inputs inside the input; a window with no input
   * gives 0.
   */
  public static void avgPool2d(ConvGeometry g, float[] x, int xOff, float[] y, int yOff,
      boolean countIncludePad, int divisor) {
    int planes = g.batch() * g.inChannels();
    int hPad = g.height() + g.padTop();
    int wPad = g.width() + g.padLeft();
    for (int c = 0; c < planes; c++) {
      int plane = xOff + c * g.inPlane();
      int out = yOff + c * g.positions();
      for (int oh = 0; oh < g.outHeight(); oh++) {
        int h0 = oh * g.strideH() - g.padTop();
        int h1 = Math.min(h0 + g.kernelH(), hPad);
        for (int ow = 0; ow < g.outWidth(); ow++) {
          int w0 = ow * g.strideW() - g.padLeft();
          int w1 = Math.min(w0 + g.kernelW(), wPad);
          int poolSize = (h1 - h0) * (w1 - w0);
          int hs = Math.max(h0, 0);
          int ws = Math.max(w0, 0);
          int he = Math.min(h1, g.height());
          int we = Math.min(w1, g.width());
          float v = 0f;
          if (hs < he && ws < we) {
            float sum = 0f;
            for (int ih = hs; ih < he; ih++) {
              for (int iw = ws; iw < we; iw++) {
                sum += x[plane + ih * g.width() + iw];
              }
            }
            int d = divisor > 0 ? divisor
                : countIncludePad ? poolSize : (he - hs) * (we - ws);
            v = sum / d;
          }
          y[out + oh * g.outWidth() + ow] = v;
        }
      }
    }
  }

  /**
   * {@code adaptive_avg_pool2d} ({@code max == false}) or {@code adaptive_max_pool2d}: output
   * {@code (oh, ow)} covers input rows {@code floor(oh * H / OH)} to {@code ceil((oh + 1) * H /
   * OH)} (columns likewise), so windows overlap when the sizes do not divide. The max is NaN if
   * any input is; {@code indices} as in {@link #maxPool2d}.
   */
  public static void adaptivePool2d(boolean max, int planes, int height, int width,
      int outHeight, int outWidth, float[] x, int xOff, float[] y, int yOff, int[] indices) {
    for (int c = 0; c < planes; c++) {
      int plane = xOff + c * height * width;
      int out = c * outHeight * outWidth;
      for (int oh = 0; oh < outHeight; oh++) {
        int hs = start(oh, height, outHeight);
        int he = end(oh, height, outHeight);
        for (int ow = 0; ow < outWidth; ow++) {
          int ws = start(ow, width, outWidth);
          int we = end(ow, width, outWidth);
          float v;
          int arg = -1;
          if (max) {
            v = Float.NEGATIVE_INFINITY;
            for (int ih = hs; ih < he; ih++) {
              for (int iw = ws; iw < we; iw++) {
                float u = x[plane + ih * width + iw];
                if (arg < 0 || u > v || Float.isNaN(u)) {
                  v = u;
                  arg = ih * width + iw;
                }
              }
            }
          } else {
            float sum = 0f;
            for (int ih = hs; ih < he; ih++) {
              for (int iw = ws; iw < we; iw++) {
                sum += x[plane + ih * width + iw];
              }
            }
            v = sum / ((he - hs) * (we - ws));
          }
          y[yOff + out + oh * outWidth + ow] = v;
          if (indices != null) {
            indices[out + oh * outWidth + ow] = arg;
          }
        }
      }
    }
  }

  /** {@code floor(i * in / out)}: where adaptive window {@code i} starts. */
  public static int start(int i, int in, int out) {
    return (int) ((long) i * in / out);
  }

  /** {@code ceil((i + 1) * in / out)}: where adaptive window {@code i} ends (exclusive). */
  public static int end(int i, int in, int out) {
    return (int) (((long) (i + 1) * in + out - 1) / out);
  }
}
