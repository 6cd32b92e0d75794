package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector max pooling against its scalar twin, to the bit (raw bits: NaN payloads and
 * signed zeros count), across kernel sizes, strides, paddings, dilations and widths around
 * the lane count {@code L}, on data with ties of 0.0 and -0.0, infinities and NaNs; and the
 * scalar rule itself against values worked out by hand. Seeded.
 */
class PoolingKernelsTest {
  private static final int L = VectorBackend.SPECIES.length();
  private final Backend vector = new VectorBackend();
  private final Backend scalar = new ScalarBackend();

  /** Values drawn from a few that tie often: signed zeros, infinities, NaNs, small ints. */
  private static float[] tricky(Random rnd, int n) {
    float[] pool = {0f, -0f, 1f, -1f, 2f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY,
        Float.NaN, Float.intBitsToFloat(0x7fc00001)};
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = rnd.nextInt(4) == 0 ? pool[rnd.nextInt(pool.length)] : (float) rnd.nextGaussian();
    }
    return x;
  }

  /**
   * Gaussian values with a few infinities of either sign, no signed zeros or NaNs: every
   * window stays on the vector path (a -0.0 or NaN sends its vector to the scalar rule).
   */
  private static float[] infinities(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      int pick = rnd.nextInt(16);
      x[i] = pick == 0 ? Float.NEGATIVE_INFINITY
          : pick == 1 ? Float.POSITIVE_INFINITY : (float) rnd.nextGaussian();
    }
    return x;
  }

  @Test
  void maxPoolMatchesItsScalarTwinToTheBit() {
    Random rnd = new Random(13);
    int cases = 0;
    for (int width : new int[] {1, 2, L - 1, L, L + 1, 2 * L + 3, 3 * L + 5, 37, 112}) {
      for (int k = 1; k <= 4; k++) {
        for (int stride = 1; stride <= 3; stride++) {
          for (int pad = 0; pad <= k / 2; pad++) {
            for (int dilation = 1; dilation <= 2; dilation++) {
              int height = 5;
              int oh = (height + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
              int ow = (width + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
              if (oh < 1 || ow < 1) {
                continue;
              }
              ConvGeometry g = new ConvGeometry(2, 3, height, width, 3, k, k, stride, stride,
                  pad, pad, dilation, dilation, 1, oh, ow);
              float[] x = tricky(rnd, 2 * 3 * height * width + 3);
              float[] want = new float[2 * 3 * oh * ow + 1];
              float[] got = new float[want.length];
              scalar.maxPool2d(g, x, 3, want, 1);
              vector.maxPool2d(g, x, 3, got, 1);
              for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                    "max_pool2d width=" + width + " kernel=" + k + " stride=" + stride
                        + " pad=" + pad + " dilation=" + dilation + ": output " + i + " is "
                        + got[i] + ", the scalar twin gives " + want[i]);
              }
              cases++;
            }
          }
        }
      }
    }
    assertEquals(true, cases > 300, "cases run: " + cases);
  }

  /**
   * The same once C2 has compiled the vector kernel (its max, reductions and checks can
   * differ from the interpreter's in NaN and signed-zero details): ResNet's 3x3 stride 2 on
   * the tricky values, thousands of windows a call, a few hundred calls.
   */
  @Test
  void maxPoolStaysExactOnceCompiled() {
    Random rnd = new Random(14);
    ConvGeometry g = new ConvGeometry(1, 8, 40, 40, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 20, 20);
    float[] want = new float[8 * 20 * 20];
    float[] got = new float[want.length];
    for (int call = 0; call < 400; call++) {
      float[] x = tricky(rnd, 8 * 40 * 40);
      poolBothAndCompare(g, x, want, got, call);
    }
  }

  /** Pools {@code x} by both backends and asserts the same bits, output by output. */
  private void poolBothAndCompare(ConvGeometry g, float[] x, float[] want, float[] got,
      int call) {
    scalar.maxPool2d(g, x, 0, want, 0);
    vector.maxPool2d(g, x, 0, got, 0);
    for (int i = 0; i < want.length; i++) {
      if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
            "call " + call + ", output " + i + " is " + got[i] + ", the scalar twin gives "
                + want[i]);
      }
    }
  }

  /**
   * The stride-2 path's planes as ordered ints (512 bits): a plane with no {@code -0.0} and no
   * NaN is pooled by the int max of its ordered bits, any other by the float rule. Planes of
   * zeros, negatives and infinities (ties of {@code 0.0}, which must stay {@code 0.0}), and
   * planes where one input is a {@code -0.0} (first in its windows, before {@code 0.0}s the
   * int max would pick) or a negative NaN (which orders below {@code -inf} as an int): the
   * scalar twin's bits, once C2 has compiled the kernel too.
   */
  @Test
  void orderedPlanesAndPlanesWithASignedZeroOrNaNStayExact() {
    Random rnd = new Random(18);
    ConvGeometry g = new ConvGeometry(1, 6, 40, 40, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 20, 20);
    float[] odd = {-0f, Float.intBitsToFloat(0xffc00001), Float.NaN};
    float[] want = new float[6 * 20 * 20];
    float[] got = new float[want.length];
    for (int call = 0; call < 300; call++) {
      float[] x = infinities(rnd, 6 * 40 * 40);
      for (int i = 0; i < x.length; i++) {
        x[i] = x[i] > 0.5f && x[i] < Float.POSITIVE_INFINITY ? 0f : x[i]; // ties of 0.0
      }
      for (int c = 0; c < 6; c += 2) { // every other plane: one odd input, among zeros
        int at = c * 1600 + rnd.nextInt(1600);
        x[at] = odd[(call + c) % odd.length];
        for (int j = 1; j < 4 && at % 40 + j < 40; j++) {
          x[at + j] = 0f;
        }
      }
      poolBothAndCompare(g, x, want, got, call);
    }
  }

  /**
   * With {@code ceil_mode}, a row's last window can reach past the input and its padding: the
   * strided path's {@code -inf} columns must cover it (and every tap before the input), so the
   * vectors give the scalar twin's bits there too. Output sizes by PyTorch's rule: rounded up,
   * one fewer when the last window would start past the input and its left padding.
   */
  @Test
  void maxPoolWithCeilModeMatchesItsScalarTwin() {
    Random rnd = new Random(17);
    int cases = 0;
    for (int width : new int[] {L + 1, 2 * L + 3, 37, 112, 113}) {
      for (int k = 2; k <= 4; k++) {
        for (int stride = 2; stride <= 3; stride++) {
          for (int pad = 0; pad <= k / 2; pad++) {
            for (int dilation = 1; dilation <= 2; dilation++) {
              int span = width + 2 * pad - dilation * (k - 1) - 1;
              if (span < 0) {
                continue;
              }
              int ow = (span + stride - 1) / stride + 1;
              if ((ow - 1) * stride >= width + pad) {
                ow--;
              }
              ConvGeometry g = new ConvGeometry(1, 2, 4, width, 2, k, k, stride, stride, pad,
                  pad, dilation, dilation, 1, 1, ow);
              // Tricky values, and ones without signed zeros or NaNs, which stay on vectors.
              for (float[] x : new float[][] {tricky(rnd, 2 * 4 * width),
                  infinities(rnd, 2 * 4 * width)}) {
                float[] want = new float[2 * ow];
                float[] got = new float[want.length];
                scalar.maxPool2d(g, x, 0, want, 0);
                vector.maxPool2d(g, x, 0, got, 0);
                for (int i = 0; i < want.length; i++) {
                  assertEquals(Float.floatToRawIntBits(want[i]),
                      Float.floatToRawIntBits(got[i]), "ceil_mode width=" + width + " kernel="
                          + k + " stride=" + stride + " pad=" + pad + " dilation=" + dilation
                          + ": output " + i);
                }
              }
              cases++;
            }
          }
        }
      }
    }
    assertEquals(true, cases > 100, "cases run: " + cases);
  }

  /** Planes split between kernel threads (a call with enough outputs) give the same bits. */
  @Test
  void maxPoolOnSeveralThreadsMatchesTheScalarTwin() {
    int before = Kernels.threads();
    try {
      Random rnd = new Random(16);
      ConvGeometry g = new ConvGeometry(2, 17, 128, 128, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 64,
          64);
      float[] x = tricky(rnd, 2 * 17 * 128 * 128);
      float[] want = new float[2 * 17 * 64 * 64];
      scalar.maxPool2d(g, x, 0, want, 0);
      for (int t = 2; t <= 3; t++) {
        Kernels.setThreads(t);
        float[] got = new float[want.length];
        vector.maxPool2d(g, x, 0, got, 0);
        for (int i = 0; i < want.length; i++) {
          assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
              t + " threads: output " + i);
        }
      }
    } finally {
      Kernels.setThreads(before);
    }
  }

  /**
   * The 2 x 2, stride-2 pooling with indices (a CNN's training forward), unrolled in the scalar
   * loop and on vectors ({@link VectorPoolPairs}), picks the indices and bits of the general
   * window rule ({@link Pooling#argmax}), ties of signed zeros and NaNs included, for rows of
   * outputs around the vector's {@code L / 2}, also when the input has an odd row or column left
   * over; nothing before the output is written.
   */
  @Test
  void twoByTwoPoolingWithIndicesFollowsTheWindowRule() {
    Random rnd = new Random(5);
    for (int height : new int[] {2, 5, 14}) {
      for (int width : new int[] {2, 3, L + 1, 14, 15, 17, 28, 31, 34, 56}) {
        int oh = height / 2;
        int ow = width / 2;
        ConvGeometry g = new ConvGeometry(2, 3, height, width, 3, 2, 2, 2, 2, 0, 0, 1, 1, 1, oh,
            ow);
        float[] x = tricky(rnd, 2 * 3 * height * width + 3);
        for (Backend b : new Backend[] {scalar, vector}) {
          float[] y = new float[2 * 3 * oh * ow + 1];
          int[] indices = new int[2 * 3 * oh * ow];
          b.maxPool2dWithIndices(g, x, 3, y, 1, indices);
          assertEquals(0, Float.floatToRawIntBits(y[0]), b.name() + ": before the output");
          for (int c = 0; c < 6; c++) {
            int plane = 3 + c * height * width;
            for (int i = 0; i < oh; i++) {
              for (int j = 0; j < ow; j++) {
                int at = c * oh * ow + i * ow + j;
                int want = Pooling.argmax(g, x, plane, i, j);
                String where = b.name() + " " + height + "x" + width + " plane " + c
                    + " output " + i + "," + j;
                assertEquals(want, indices[at], where);
                assertEquals(Float.floatToRawIntBits(x[plane + want]),
                    Float.floatToRawIntBits(y[1 + at]), where);
              }
            }
          }
        }
      }
    }
  }

  /** The vector 2 x 2 pooling with indices once C2 has compiled it: the scalar loop's bits. */
  @Test
  void twoByTwoPoolingWithIndicesStaysExactOnceCompiled() {
    Random rnd = new Random(7);
    ConvGeometry g = new ConvGeometry(2, 16, 28, 28, 16, 2, 2, 2, 2, 0, 0, 1, 1, 1, 14, 14);
    float[] x = tricky(rnd, 2 * 16 * 28 * 28);
    float[] want = new float[2 * 16 * 14 * 14];
    int[] wantIndices = new int[want.length];
    scalar.maxPool2dWithIndices(g, x, 0, want, 0, wantIndices);
    float[] y = new float[want.length];
    int[] indices = new int[want.length];
    for (int call = 0; call < 1500; call++) {
      vector.maxPool2dWithIndices(g, x, 0, y, 0, indices);
    }
    for (int i = 0; i < y.length; i++) {
      assertEquals(wantIndices[i], indices[i], "output " + i);
      assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(y[i]), "output " + i);
    }
  }

  @Test
  void scalarRuleKeepsTheFirstOfEqualMaximaAndTheLastNaN() {
    // One 2x3 plane, a 2x2 window with stride 1: outputs (0, 0) and (0, 1).
    float nan1 = Float.intBitsToFloat(0x7fc00001);
    float nan2 = Float.intBitsToFloat(0x7fc00002);
    float[] x = {-0f, 0f, nan1, 0f, -0f, nan2};
    ConvGeometry g = new ConvGeometry(1, 1, 2, 3, 1, 2, 2, 1, 1, 0, 0, 1, 1, 1, 1, 2);
    for (Backend b : new Backend[] {scalar, vector}) {
      float[] y = new float[2];
      b.maxPool2d(g, x, 0, y, 0);
      // Window 0 holds -0, 0, 0, -0: all equal, the first (-0) stays.
      assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(y[0]), b.name());
      // Window 1 holds 0, nan1, -0, nan2: the last NaN in row-major order.
      assertEquals(0x7fc00002, Float.floatToRawIntBits(y[1]), b.name());
    }
  }
}
