package dev.netspec.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The convolution backward over several chunks of images: each image's patches here take more
 * than the 8 MiB a chunk holds, so each image is its own product and the weight gradient is
 * added up across chunks. Checked against the definition, summed in double by plain loops.
 */
class ConvGradChunksTest {
  private static final int N = 2;
  private static final int COUT = 2;
  private static final int H = 512;
  private static final int W = 520;

  @Test
  void gradientsOverSeveralChunksMatchTheDefinition() {
    Random rnd = new Random(3);
    float[] x = new float[N * H * W];
    float[] w = new float[COUT * 9];
    float[] g = new float[N * COUT * H * W];
    fill(rnd, x);
    fill(rnd, w);
    fill(rnd, g);
    ConvGrad.Result r = ConvGrad.backward(Tensor.fromArray(g, N, COUT, H, W),
        Tensor.fromArray(x, N, 1, H, W), Tensor.fromArray(w, COUT, 1, 3, 3), true,
        new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, "zeros",
        true);
    float[] dw = r.weight().toFloatArray();
    float[] dx = r.input().toFloatArray();
    for (int o = 0; o < COUT; o++) {
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          double sum = 0;
          double abs = 0;
          for (int n = 0; n < N; n++) {
            for (int oh = 0; oh < H; oh++) {
              for (int ow = 0; ow < W; ow++) {
                double t = g[((n * COUT + o) * H + oh) * W + ow] * (double) at(x, n, oh + i - 1,
                    ow + j - 1);
                sum += t;
                abs += Math.abs(t);
              }
            }
          }
          assertClose(sum, dw[o * 9 + i * 3 + j], abs, "grad weight " + o + "," + i + "," + j);
        }
      }
    }
    for (int n = 0; n < N; n++) {
      for (int ih = 0; ih < H; ih += 7) { // every 7th row, every column (edges included)
        for (int iw = 0; iw < W; iw++) {
          double sum = 0;
          double abs = 0;
          for (int o = 0; o < COUT; o++) {
            for (int i = 0; i < 3; i++) {
              for (int j = 0; j < 3; j++) {
                int oh = ih - i + 1;
                int ow = iw - j + 1;
                if (oh >= 0 && oh < H && ow >= 0 && ow < W) {
                  double t = g[((n * COUT + o) * H + oh) * W + ow] * (double) w[o * 9 + i * 3 + j];
                  sum += t;
                  abs += Math.abs(t);
                }
              }
            }
          }
          assertClose(sum, dx[(n * H + ih) * W + iw], abs, "grad input " + n + "," + ih + ","
              + iw);
        }
      }
    }
    float[] db = r.bias().toFloatArray();
    for (int o = 0; o < COUT; o++) {
      double sum = 0;
      double abs = 0;
      for (int n = 0; n < N; n++) {
        for (int p = 0; p < H * W; p++) {
          sum += g[(n * COUT + o) * H * W + p];
          abs += Math.abs(g[(n * COUT + o) * H * W + p]);
        }
      }
      assertClose(sum, db[o], abs, "grad bias " + o);
    }
    assertTrue(9L * H * W > 1L << 21, "each image's patches pass a chunk");
  }

  private static float at(float[] x, int n, int h, int w) {
    return h < 0 || h >= H || w < 0 || w >= W ? 0f : x[(n * H + h) * W + w];
  }

  private static void fill(Random rnd, float[] a) {
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
  }

  /** Within float rounding of a sum of terms whose magnitudes add up to {@code abs}. */
  private static void assertClose(double want, float got, double abs, String what) {
    assertEquals(want, got, 1e-5 * abs + 1e-6, what);
  }
}
