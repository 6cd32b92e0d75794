package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.FiniteDifferences.assertMatches;
import static dev.netspec.runtime.autograd.FiniteDifferences.numeric;
import static dev.netspec.runtime.autograd.FiniteDifferences.randn;
import static dev.netspec.runtime.autograd.FiniteDifferences.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.AttentionMask;
import dev.netspec.runtime.nn.AvgPool2d;
import dev.netspec.runtime.nn.Dropout;
import dev.netspec.runtime.nn.LSTM;
import dev.netspec.runtime.nn.MaxPool2d;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ParameterSeeds;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The layer derivatives against double-precision central differences of reference forwards
 * written here in double (plain loops over the definitions), for L = sum(y * g).
 */
class LayerFiniteDifferencesTest {


  /** The padded input index {@code i} reads ({@code -1}: a zero), as {@code F.pad} does. */
  private static int source(int i, int size, String mode) {
    if (i >= 0 && i < size) {
      return i;
    }
    switch (mode) {
      case "reflect":
        return i < 0 ? -i : 2 * (size - 1) - i;
      case "replicate":
        return i < 0 ? 0 : size - 1;
      default:
        return -1;
    }
  }

  /** conv2d of x (n, cin, h, w) with w (cout, cin / groups, kh, kw) and a bias, in double. */
  private static Function<double[][], double[]> conv(int n, int cin, int h, int w, int cout,
      int kh, int kw, int[] stride, int[] before, int[] after, int[] dil, int groups,
      String mode) {
    int oh = (h + before[0] + after[0] - dil[0] * (kh - 1) - 1) / stride[0] + 1;
    int ow = (w + before[1] + after[1] - dil[1] * (kw - 1) - 1) / stride[1] + 1;
    int ipg = cin / groups;
    int opg = cout / groups;
    return in -> {
      double[] y = new double[n * cout * oh * ow];
      for (int b = 0; b < n; b++) {
        for (int o = 0; o < cout; o++) {
          int grp = o / opg;
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              double s = in[2][o];
              for (int c = 0; c < ipg; c++) {
                for (int u = 0; u < kh; u++) {
                  int ih = source(i * stride[0] - before[0] + u * dil[0], h, mode);
                  for (int v = 0; v < kw; v++) {
                    int iw = source(j * stride[1] - before[1] + v * dil[1], w, mode);
                    if (ih >= 0 && iw >= 0) {
                      int ci = grp * ipg + c;
                      s += in[0][((b * cin + ci) * h + ih) * w + iw]
                          * in[1][((o * ipg + c) * kh + u) * kw + v];
                    }
                  }
                }
              }
              y[((b * cout + o) * oh + i) * ow + j] = s;
            }
          }
        }
      }
      return y;
    };
  }

  private static void checkConv(long seed, int cin, int h, int w, int cout, int kh, int kw,
      int[] stride, int[] before, int[] after, int[] dil, int groups, String mode) {
    Tensor x = randn(seed, 2, cin, h, w);
    Tensor wt = randn(seed + 1, cout, cin / groups, kh, kw);
    Tensor b = randn(seed + 2, cout);
    Function<double[][], double[]> f = conv(2, cin, h, w, cout, kh, kw, stride, before, after,
        dil, groups, mode);
    double[][] in = {values(x), values(wt), values(b)};
    Tensor g = randn(seed + 3, 2, cout, (h + before[0] + after[0] - dil[0] * (kh - 1) - 1)
        / stride[0] + 1, (w + before[1] + after[1] - dil[1] * (kw - 1) - 1) / stride[1] + 1);
    ConvGrad.Result r = ConvGrad.backward(g, x, wt, true, stride, before, after, dil, groups,
        mode, true);
    String what = "conv " + mode + " groups " + groups;
    assertMatches(numeric(f, in, 0, values(g)), r.input(), what + " x");
    assertMatches(numeric(f, in, 1, values(g)), r.weight(), what + " weight");
    assertMatches(numeric(f, in, 2, values(g)), r.bias(), what + " bias");
  }

  @Test
  void convolution() {
    checkConv(30, 3, 6, 7, 4, 3, 2, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2},
        new int[] {1, 2}, 1, "zeros");
    checkConv(40, 4, 5, 6, 6, 3, 3, new int[] {1, 1}, new int[] {1, 0}, new int[] {2, 1},
        new int[] {1, 1}, 2, "zeros"); // 'same'-like uneven padding, two groups
    checkConv(50, 3, 6, 6, 3, 3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1},
        new int[] {1, 1}, 3, "zeros"); // depthwise
    checkConv(60, 2, 5, 6, 3, 3, 3, new int[] {1, 2}, new int[] {2, 1}, new int[] {2, 1},
        new int[] {1, 1}, 1, "reflect");
    checkConv(70, 2, 5, 6, 2, 2, 3, new int[] {1, 1}, new int[] {1, 2}, new int[] {2, 2},
        new int[] {2, 1}, 2, "replicate");
  }

  @Test
  void averagePoolingCeilModeWithoutPadCount() {
    Tensor x = randn(80, 2, 2, 7, 8);
    AvgPool2d pool = new AvgPool2d(new int[] {3, 2}, new int[] {2, 2}, new int[] {1, 1}, true,
        false, null);
    Tensor y = pool.forward(x);
    Tensor g = randn(81, y.shape());
    Function<double[][], double[]> f = in -> {
      double[] out = new double[(int) y.numel()];
      int oh = y.size(2);
      int ow = y.size(3);
      for (int p = 0; p < 4; p++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            double s = 0;
            int count = 0;
            for (int u = 0; u < 3; u++) {
              for (int v = 0; v < 2; v++) {
                int ih = i * 2 - 1 + u;
                int iw = j * 2 - 1 + v;
                if (ih >= 0 && ih < 7 && iw >= 0 && iw < 8) {
                  s += in[0][(p * 7 + ih) * 8 + iw];
                  count++;
                }
              }
            }
            out[(p * oh + i) * ow + j] = count == 0 ? 0 : s / count;
          }
        }
      }
      return out;
    };
    assertMatches(numeric(f, new double[][] {values(x)}, 0, values(g)),
        PoolGrad.avgPool(g, x, pool), "avg_pool2d");
  }

  @Test
  void maxPoolingAwayFromTies() {
    Tensor x = randn(82, 2, 2, 7, 7);
    MaxPool2d pool = new MaxPool2d(3, 2, 1, 2, true);
    Tensor y = pool.forward(x);
    Tensor g = randn(83, y.shape());
    int oh = y.size(2);
    int ow = y.size(3);
    Function<double[][], double[]> f = in -> {
      double[] out = new double[(int) y.numel()];
      for (int p = 0; p < 4; p++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int u = 0; u < 3; u++) {
              for (int v = 0; v < 3; v++) {
                int ih = i * 2 - 1 + 2 * u;
                int iw = j * 2 - 1 + 2 * v;
                if (ih >= 0 && ih < 7 && iw >= 0 && iw < 7) {
                  m = Math.max(m, in[0][(p * 7 + ih) * 7 + iw]);
                }
              }
            }
            out[(p * oh + i) * ow + j] = m;
          }
        }
      }
      return out;
    };
    assertMatches(numeric(f, new double[][] {values(x)}, 0, values(g)),
        PoolGrad.maxPool(g, x, pool), "max_pool2d dilation 2 ceil_mode");
  }

  /** Normalization of x (n, c, l) over groups of {@code per} channels (and n when batch). */
  private static Function<double[][], double[]> norm(int n, int c, int l, int per,
      boolean batch, double eps) {
    return in -> {
      double[] y = new double[n * c * l];
      int groups = c / per;
      for (int s = 0; s < (batch ? 1 : n); s++) {
        for (int grp = 0; grp < (batch ? c : groups); grp++) {
          int[] members = new int[batch ? n * l : per * l];
          int k = 0;
          for (int b = batch ? 0 : s; b < (batch ? n : s + 1); b++) {
            for (int ch = batch ? grp : grp * per; ch < (batch ? grp + 1 : grp * per + per);
                ch++) {
              for (int q = 0; q < l; q++) {
                members[k++] = (b * c + ch) * l + q;
              }
            }
          }
          double mean = 0;
          for (int at : members) {
            mean += in[0][at] / members.length;
          }
          double var = 0;
          for (int at : members) {
            var += Math.pow(in[0][at] - mean, 2) / members.length;
          }
          for (int at : members) {
            int ch = (at / l) % c;
            y[at] = (in[0][at] - mean) / Math.sqrt(var + eps) * in[1][ch] + in[2][ch];
          }
        }
      }
      return y;
    };
  }

  @Test
  void batchNormTrainingAndGroupNorm() {
    Tensor x = randn(84, 4, 3, 5).mul(2f).add(1f);
    Tensor w = randn(85, 3);
    Tensor b = randn(86, 3);
    Tensor g = randn(87, 4, 3, 5);
    double[][] in = {values(x), values(w), values(b)};
    Function<double[][], double[]> bn = norm(4, 3, 5, 1, true, 1e-5);
    BatchNormGrad.Result r = BatchNormGrad.backward(g, x, w, null, null, true, 1e-5);
    assertMatches(numeric(bn, in, 0, values(g)), r.input(), "batch_norm x");
    assertMatches(numeric(bn, in, 1, values(g)), r.weight(), "batch_norm weight");
    assertMatches(numeric(bn, in, 2, values(g)), r.bias(), "batch_norm bias");

    Tensor xg = randn(88, 2, 6, 4);
    Tensor wg = randn(89, 6);
    Tensor bg = randn(90, 6);
    Tensor gg = randn(91, 2, 6, 4);
    double[][] ing = {values(xg), values(wg), values(bg)};
    Function<double[][], double[]> gn = norm(2, 6, 4, 2, false, 1e-5);
    GroupNormGrad.Result rg = GroupNormGrad.backward(gg, xg, 3, wg, 1e-5);
    assertMatches(numeric(gn, ing, 0, values(gg)), rg.input(), "group_norm x");
    assertMatches(numeric(gn, ing, 1, values(gg)), rg.weight(), "group_norm weight");
    assertMatches(numeric(gn, ing, 2, values(gg)), rg.bias(), "group_norm bias");
  }

  @Test
  void dropoutThroughTheMaskItsForwardDrew() {
    Dropout dropout = new Dropout(0.3).train();
    Tensor x = randn(92, 4, 6);
    Tensor y = dropout.forward(x);
    Tensor mask = dropout.mask();
    // the forward is unchanged: the same draws as before masks were kept, one per element
    Generator gen = ParameterSeeds.standalone().generator("mask"); // a fresh layer's stream
    float scale = 1f / 0.7f;
    Tensor expected = x.map(v -> gen.nextDouble() < 0.3 ? 0 : v * scale);
    GradFixtures.assertClose(expected, y, 0, 0, "dropout forward");
    Tensor g = randn(93, 4, 6);
    double[] m = values(mask);
    Function<double[][], double[]> f = in -> {
      double[] out = new double[in[0].length];
      for (int i = 0; i < out.length; i++) {
        out[i] = m[i] == 0 ? 0 : in[0][i] * m[i];
      }
      return out;
    };
    assertMatches(numeric(f, new double[][] {values(x)}, 0, values(g)),
        DropoutGrad.input(g, mask), "dropout");
    int dropped = 0;
    for (double v : m) {
      dropped += v == 0 ? 1 : 0;
    }
    assertEquals(true, dropped > 0 && dropped < m.length, "some dropped, some kept");
  }

  @Test
  void causalAttentionWithAFloatMask() {
    int l = 4;
    int n = 5;
    int e = 3;
    Tensor q = randn(94, 2, l, e);
    Tensor k = randn(95, 2, n, e);
    Tensor v = randn(96, 2, n, 2);
    Tensor mask = randn(97, l, n);
    Tensor g = randn(98, 2, l, 2);
    double s = 1 / Math.sqrt(e);
    Function<double[][], double[]> f = in -> {
      double[] y = new double[2 * l * 2];
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < l; i++) {
          double[] p = new double[n];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= Math.min(i, n - 1); j++) { // causal: keys j <= i
            double dotQK = 0;
            for (int t = 0; t < e; t++) {
              dotQK += in[0][(b * l + i) * e + t] * in[1][(b * n + j) * e + t];
            }
            p[j] = dotQK * s + in[3][i * n + j];
            max = Math.max(max, p[j]);
          }
          double sum = 0;
          for (int j = 0; j <= Math.min(i, n - 1); j++) {
            p[j] = Math.exp(p[j] - max);
            sum += p[j];
          }
          for (int j = 0; j <= Math.min(i, n - 1); j++) {
            for (int t = 0; t < 2; t++) {
              y[(b * l + i) * 2 + t] += p[j] / sum * in[2][(b * n + j) * 2 + t];
            }
          }
        }
      }
      return y;
    };
    double[][] in = {values(q), values(k), values(v), values(mask)};
    // the float mask and causality at once, as one additive mask (-1e30 for a future key)
    Tensor causalMask = mask.add(Tensor.fromArray(new float[] {
        0, -1e30f, -1e30f, -1e30f, -1e30f,
        0, 0, -1e30f, -1e30f, -1e30f,
        0, 0, 0, -1e30f, -1e30f,
        0, 0, 0, 0, -1e30f}, l, n));
    AttentionGrad.Result r = AttentionGrad.backward(g, q, k, v, AttentionMask.of(causalMask),
        false, null);
    assertMatches(numeric(f, in, 0, values(g)), r.q(), "attention q");
    assertMatches(numeric(f, in, 1, values(g)), r.k(), "attention k");
    assertMatches(numeric(f, in, 2, values(g)), r.v(), "attention v");
    AttentionGrad.Result causal = AttentionGrad.backward(g, q, k, v, null, true, null);
    Function<double[][], double[]> noMask = in2 -> f.apply(new double[][] {in2[0], in2[1],
        in2[2], new double[l * n]});
    assertMatches(numeric(noMask, in, 0, values(g)), causal.q(), "causal attention q");
    assertMatches(numeric(noMask, in, 1, values(g)), causal.k(), "causal attention k");
    assertMatches(numeric(noMask, in, 2, values(g)), causal.v(), "causal attention v");
  }

  @Test
  void lstmThroughTimeWithItsFinalStates() {
    int seq = 3;
    int batch = 2;
    int in = 2;
    int hid = 3;
    LSTM lstm = new LSTM(in, hid);
    lstm.initialize(7);
    Tensor x = randn(99, seq, batch, in);
    Tensor g = randn(100, seq, batch, hid);
    Tensor gh = randn(101, 1, batch, hid);
    Tensor gc = randn(102, 1, batch, hid);
    // y, h_n and c_n of one LSTM layer in double; the loss weighs all three
    Function<double[][], double[]> f = p -> {
      double[] y = new double[seq * batch * hid + 2 * batch * hid];
      double[] hs = new double[batch * hid];
      double[] cs = new double[batch * hid];
      for (int t = 0; t < seq; t++) {
        double[] hNew = new double[batch * hid];
        for (int b = 0; b < batch; b++) {
          double[] a = new double[4 * hid];
          for (int j = 0; j < 4 * hid; j++) {
            a[j] = p[3][j] + p[4][j];
            for (int q = 0; q < in; q++) {
              a[j] += p[1][j * in + q] * p[0][(t * batch + b) * in + q];
            }
            for (int q = 0; q < hid; q++) {
              a[j] += p[2][j * hid + q] * hs[b * hid + q];
            }
          }
          for (int j = 0; j < hid; j++) {
            double i = 1 / (1 + Math.exp(-a[j]));
            double fg = 1 / (1 + Math.exp(-a[hid + j]));
            double gg = Math.tanh(a[2 * hid + j]);
            double o = 1 / (1 + Math.exp(-a[3 * hid + j]));
            cs[b * hid + j] = fg * cs[b * hid + j] + i * gg;
            hNew[b * hid + j] = o * Math.tanh(cs[b * hid + j]);
            y[(t * batch + b) * hid + j] = hNew[b * hid + j];
          }
        }
        hs = hNew;
      }
      System.arraycopy(hs, 0, y, seq * batch * hid, batch * hid);
      System.arraycopy(cs, 0, y, seq * batch * hid + batch * hid, batch * hid);
      return y;
    };
    Map<String, Parameter> ps = lstm.namedParameters();
    double[][] args = {values(x), values(ps.get("weight_ih_l0").data()),
        values(ps.get("weight_hh_l0").data()), values(ps.get("bias_ih_l0").data()),
        values(ps.get("bias_hh_l0").data())};
    double[] weights = new double[seq * batch * hid + 2 * batch * hid];
    System.arraycopy(values(g), 0, weights, 0, seq * batch * hid);
    System.arraycopy(values(gh), 0, weights, seq * batch * hid, batch * hid);
    System.arraycopy(values(gc), 0, weights, seq * batch * hid + batch * hid, batch * hid);
    RecurrentGrad.Result r = RecurrentGrad.backward(lstm, x, null, null, g, gh, gc);
    assertMatches(numeric(f, args, 0, weights), r.input(), "lstm x");
    assertMatches(numeric(f, args, 1, weights), ps.get("weight_ih_l0").grad(), "lstm W_ih");
    assertMatches(numeric(f, args, 2, weights), ps.get("weight_hh_l0").grad(), "lstm W_hh");
    assertMatches(numeric(f, args, 3, weights), ps.get("bias_ih_l0").grad(), "lstm b_ih");
  }
}
