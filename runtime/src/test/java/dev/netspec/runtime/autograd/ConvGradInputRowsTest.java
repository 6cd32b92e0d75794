package dev.netspec.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The convolution's input gradient where its rows of patches are added back as whole planes
 * (the kernel's centre column, stride 1, output as wide as the input), as short rows (under
 * 16 wide) and as long rows, with padding, strides and dilation: against the definition summed
 * in double by plain loops.
 */
class ConvGradInputRowsTest {
  @Test
  void inputGradientsMatchTheDefinition() {
    // n, cin, h, w, cout, kh, kw, sh, sw, pad top, pad left, dh, dw
    int[][] shapes = {
        {2, 3, 14, 14, 4, 3, 3, 1, 1, 1, 1, 1, 1}, // the CNN's second conv: whole planes, short rows
        {1, 2, 9, 20, 3, 3, 3, 1, 1, 1, 1, 1, 1}, // rows of 19-20: long rows, planes
        {1, 2, 11, 13, 2, 5, 3, 1, 1, 2, 1, 1, 1}, // taller kernel
        {1, 2, 12, 18, 2, 3, 3, 2, 1, 1, 1, 1, 1}, // stride 2 down: rows one by one
        {1, 1, 10, 10, 2, 3, 3, 1, 1, 2, 2, 2, 2}, // dilation 2
        {1, 2, 7, 7, 2, 3, 3, 1, 1, 0, 0, 1, 1}, // no padding: narrower output
    };
    Random rnd = new Random(5);
    for (int[] s : shapes) {
      int n = s[0], cin = s[1], h = s[2], w = s[3], cout = s[4], kh = s[5], kw = s[6];
      int sh = s[7], sw = s[8], pt = s[9], pl = s[10], dh = s[11], dw = s[12];
      int oh = (h + 2 * pt - dh * (kh - 1) - 1) / sh + 1;
      int ow = (w + 2 * pl - dw * (kw - 1) - 1) / sw + 1;
      float[] x = random(rnd, n * cin * h * w);
      float[] wt = random(rnd, cout * cin * kh * kw);
      float[] g = random(rnd, n * cout * oh * ow);
      ConvGrad.Result r = ConvGrad.backward(Tensor.fromArray(g, n, cout, oh, ow),
          Tensor.fromArray(x, n, cin, h, w), Tensor.fromArray(wt, cout, cin, kh, kw), false,
          new int[] {sh, sw}, new int[] {pt, pl}, new int[] {pt, pl}, new int[] {dh, dw}, 1,
          "zeros", true);
      float[] dx = r.input().toFloatArray();
      double[] sum = new double[dx.length];
      double[] abs = new double[dx.length];
      for (int b = 0; b < n; b++) {
        for (int o = 0; o < cout; o++) {
          for (int c = 0; c < cin; c++) {
            for (int i = 0; i < kh; i++) {
              for (int j = 0; j < kw; j++) {
                for (int y = 0; y < oh; y++) {
                  for (int z = 0; z < ow; z++) {
                    int ih = y * sh - pt + i * dh;
                    int iw = z * sw - pl + j * dw;
                    if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                      int at = ((b * cin + c) * h + ih) * w + iw;
                      double t = (double) g[((b * cout + o) * oh + y) * ow + z]
                          * wt[((o * cin + c) * kh + i) * kw + j];
                      sum[at] += t;
                      abs[at] += Math.abs(t);
                    }
                  }
                }
              }
            }
          }
        }
      }
      for (int at = 0; at < dx.length; at++) {
        assertTrue(Math.abs(dx[at] - sum[at]) <= 1e-5 * abs[at] + 1e-7, java.util.Arrays
            .toString(s) + ": grad input " + at + ": " + dx[at] + " against " + sum[at]);
      }
    }
  }

  private static float[] random(Random rnd, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }
}
