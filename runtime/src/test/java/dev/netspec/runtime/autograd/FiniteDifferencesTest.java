package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.FiniteDifferences.assertMatches;
import static dev.netspec.runtime.autograd.FiniteDifferences.numeric;
import static dev.netspec.runtime.autograd.FiniteDifferences.randn;
import static dev.netspec.runtime.autograd.FiniteDifferences.values;

import dev.netspec.runtime.kernels.Erf;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every derivative against double-precision central differences of a reference forward
 * written here in double, for L = sum(y * g) with a random upstream g.
 */
class FiniteDifferencesTest {


  @Test
  void linear() {
    Tensor x = randn(1, 3, 4);
    Tensor w = randn(2, 5, 4);
    Tensor b = randn(3, 5);
    Tensor g = randn(4, 3, 5);
    Function<double[][], double[]> f = in -> {
      double[] y = new double[15];
      for (int r = 0; r < 3; r++) {
        for (int o = 0; o < 5; o++) {
          double s = in[2][o];
          for (int i = 0; i < 4; i++) {
            s += in[0][r * 4 + i] * in[1][o * 4 + i];
          }
          y[r * 5 + o] = s;
        }
      }
      return y;
    };
    double[][] in = {values(x), values(w), values(b)};
    Parameter pw = new Parameter(w);
    Parameter pb = new Parameter(b);
    Tensor dx = LinearGrad.backward(g, x, pw, pb, true);
    assertMatches(numeric(f, in, 0, values(g)), dx, "linear x");
    assertMatches(numeric(f, in, 1, values(g)), pw.grad(), "linear weight");
    assertMatches(numeric(f, in, 2, values(g)), pb.grad(), "linear bias");
  }

  private static Function<double[][], double[]> elementwise(DoubleUnaryOperator op) {
    return in -> {
      double[] y = new double[in[0].length];
      for (int i = 0; i < y.length; i++) {
        y[i] = op.applyAsDouble(in[0][i]);
      }
      return y;
    };
  }

  @Test
  void activations() {
    Tensor x = randn(5, 4, 6).mul(2f);
    // relu is not differentiable at 0: keep the probes away from it
    Tensor xr = x.map(v -> Math.abs(v) < 0.01 ? 0.5 : v);
    Tensor g = randn(6, 4, 6);
    double[] gv = values(g);
    assertMatches(numeric(elementwise(v -> v < 0 ? 0 : v), new double[][] {values(xr)}, 0, gv),
        ActivationGrad.relu(g, xr.relu()), "relu");
    assertMatches(numeric(elementwise(Math::tanh), new double[][] {values(x)}, 0, gv),
        ActivationGrad.tanh(g, x.tanh()), "tanh");
    assertMatches(numeric(elementwise(v -> 1 / (1 + Math.exp(-v))), new double[][] {values(x)},
        0, gv), ActivationGrad.sigmoid(g, x.sigmoid()), "sigmoid");
    assertMatches(numeric(elementwise(v -> v * 0.5 * (1 + Erf.erf(v / Math.sqrt(2)))),
        new double[][] {values(x)}, 0, gv), ActivationGrad.gelu(g, x), "gelu");
    double c = Math.sqrt(2 / Math.PI);
    assertMatches(numeric(elementwise(v -> 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v
        * v)))), new double[][] {values(x)}, 0, gv), ActivationGrad.geluTanh(g, x), "gelu tanh");
  }

  /** Softmax (or log-softmax) of a (2, 3, 4) tensor along dim 1, in double. */
  private static Function<double[][], double[]> softmaxDim1(boolean log) {
    return in -> {
      double[] y = new double[24];
      for (int o = 0; o < 2; o++) {
        for (int k = 0; k < 4; k++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < 3; j++) {
            max = Math.max(max, in[0][o * 12 + j * 4 + k]);
          }
          double sum = 0;
          for (int j = 0; j < 3; j++) {
            sum += Math.exp(in[0][o * 12 + j * 4 + k] - max);
          }
          for (int j = 0; j < 3; j++) {
            double z = in[0][o * 12 + j * 4 + k] - max;
            y[o * 12 + j * 4 + k] = log ? z - Math.log(sum) : Math.exp(z) / sum;
          }
        }
      }
      return y;
    };
  }

  @Test
  void softmaxAndLogSoftmax() {
    Tensor x = randn(7, 2, 3, 4);
    Tensor g = randn(8, 2, 3, 4);
    double[][] in = {values(x)};
    assertMatches(numeric(softmaxDim1(false), in, 0, values(g)),
        SoftmaxGrad.softmax(g, x.softmax(1), 1), "softmax");
    assertMatches(numeric(softmaxDim1(true), in, 0, values(g)),
        SoftmaxGrad.logSoftmax(g, x.logSoftmax(1), 1), "log_softmax");
  }

  @Test
  void layerNorm() {
    Tensor x = randn(9, 3, 5).mul(2f).add(1f);
    Tensor w = randn(10, 5);
    Tensor b = randn(11, 5);
    Tensor g = randn(12, 3, 5);
    double eps = 1e-5;
    Function<double[][], double[]> f = in -> {
      double[] y = new double[15];
      for (int r = 0; r < 3; r++) {
        double mean = 0;
        for (int j = 0; j < 5; j++) {
          mean += in[0][r * 5 + j] / 5;
        }
        double var = 0;
        for (int j = 0; j < 5; j++) {
          var += Math.pow(in[0][r * 5 + j] - mean, 2) / 5;
        }
        for (int j = 0; j < 5; j++) {
          y[r * 5 + j] = (in[0][r * 5 + j] - mean) / Math.sqrt(var + eps) * in[1][j] + in[2][j];
        }
      }
      return y;
    };
    double[][] in = {values(x), values(w), values(b)};
    Parameter pw = new Parameter(w);
    Parameter pb = new Parameter(b);
    Tensor dx = LayerNormGrad.backward(g, x, new int[] {5}, pw, pb, eps);
    assertMatches(numeric(f, in, 0, values(g)), dx, "layer_norm x");
    assertMatches(numeric(f, in, 1, values(g)), pw.grad(), "layer_norm weight");
    assertMatches(numeric(f, in, 2, values(g)), pb.grad(), "layer_norm bias");
  }

  @Test
  void broadcastMulAndDiv() {
    Tensor a = randn(13, 3, 4);
    Tensor b = randn(14, 4).abs().add(0.5f);
    Tensor g = randn(15, 3, 4);
    for (boolean div : new boolean[] {false, true}) {
      Function<double[][], double[]> f = in -> {
        double[] y = new double[12];
        for (int i = 0; i < 12; i++) {
          y[i] = div ? in[0][i] / in[1][i % 4] : in[0][i] * in[1][i % 4];
        }
        return y;
      };
      double[][] in = {values(a), values(b)};
      BroadcastGrad.Pair p = div ? BroadcastGrad.div(g, a, b) : BroadcastGrad.mul(g, a, b);
      String op = div ? "div" : "mul";
      assertMatches(numeric(f, in, 0, values(g)), p.a(), op + " a");
      assertMatches(numeric(f, in, 1, values(g)), p.b(), op + " b (broadcast)");
    }
  }

  @Test
  void batchedMatmulWithABroadcastRightOperand() {
    Tensor a = randn(16, 2, 3, 4);
    Tensor b = randn(17, 4, 5);
    Tensor g = randn(18, 2, 3, 5);
    Function<double[][], double[]> f = in -> {
      double[] y = new double[30];
      for (int n = 0; n < 2; n++) {
        for (int i = 0; i < 3; i++) {
          for (int j = 0; j < 5; j++) {
            double s = 0;
            for (int k = 0; k < 4; k++) {
              s += in[0][n * 12 + i * 4 + k] * in[1][k * 5 + j];
            }
            y[n * 15 + i * 5 + j] = s;
          }
        }
      }
      return y;
    };
    double[][] in = {values(a), values(b)};
    BroadcastGrad.Pair p = MatMulGrad.backward(g, a, b);
    assertMatches(numeric(f, in, 0, values(g)), p.a(), "matmul a");
    assertMatches(numeric(f, in, 1, values(g)), p.b(), "matmul b (summed over the batch)");
  }

  @Test
  void elementwiseMath() {
    Tensor x = randn(19, 3, 5).abs().add(0.2f); // positive, away from abs's kink
    Tensor g = randn(20, 3, 5);
    double[][] in = {values(x)};
    double[] gv = values(g);
    assertMatches(numeric(elementwise(Math::exp), in, 0, gv), UnaryGrad.exp(g, x.exp()), "exp");
    assertMatches(numeric(elementwise(Math::log), in, 0, gv), UnaryGrad.log(g, x), "log");
    assertMatches(numeric(elementwise(Math::sqrt), in, 0, gv), UnaryGrad.sqrt(g, x.sqrt()),
        "sqrt");
    assertMatches(numeric(elementwise(v -> Math.pow(v, 2.5)), in, 0, gv),
        UnaryGrad.pow(g, x, 2.5), "pow 2.5");
    Tensor signed = x.mul(randn(21, 3, 5).map(v -> v < 0 ? -1 : 1));
    assertMatches(numeric(elementwise(Math::abs), new double[][] {values(signed)}, 0, gv),
        UnaryGrad.abs(g, signed), "abs");
  }

  @Test
  void meanAlongADim() {
    Tensor x = randn(22, 2, 3, 4);
    Tensor g = randn(23, 2, 4);
    Function<double[][], double[]> f = in -> {
      double[] y = new double[8];
      for (int o = 0; o < 2; o++) {
        for (int k = 0; k < 4; k++) {
          for (int j = 0; j < 3; j++) {
            y[o * 4 + k] += in[0][o * 12 + j * 4 + k] / 3;
          }
        }
      }
      return y;
    };
    assertMatches(numeric(f, new double[][] {values(x)}, 0, values(g)),
        ReductionGrad.mean(g, x.shape(), 1, false), "mean(dim=1)");
  }
}
