package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static dev.netspec.runtime.autograd.GradFixtures.g;
import static dev.netspec.runtime.autograd.GradFixtures.grad;
import static dev.netspec.runtime.autograd.GradFixtures.in;
import static dev.netspec.runtime.autograd.GradFixtures.list;
import static dev.netspec.runtime.autograd.GradFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every derivative against PyTorch's autograd ({@code fixtures/grad/derivatives.json}): for
 * each case, L = sum(y * g) with PyTorch's g, our gradients against PyTorch's to float
 * precision.
 */
class DerivativesParityTest {
  private static final double RTOL = 1e-5;
  private static final double ATOL = 1e-5;

  private static List<Map<String, Object>> cases(String name) {
    return GradFixtures.cases("derivatives.json", name);
  }

  @Test
  void linearAccumulatesIntoParameters() {
    for (String name : List.of("linear", "linear3d", "linear_nobias")) {
      for (Map<String, Object> c : cases(name)) {
        Tensor x = in(c, 0);
        Parameter w = new Parameter(in(c, 1));
        Parameter b = name.equals("linear_nobias") ? null : new Parameter(in(c, 2));
        assertClose(tensor(c.get("y")), Functional.linear(x, w.data(),
            b == null ? null : b.data()), RTOL, ATOL, name + " forward");
        Tensor dx = LinearGrad.backward(g(c), x, w, b, true);
        assertClose(grad(c, 0), dx, RTOL, ATOL, name + " grad x");
        assertClose(grad(c, 1), w.grad(), RTOL, ATOL, name + " grad weight");
        if (b != null) {
          assertClose(grad(c, 2), b.grad(), RTOL, ATOL, name + " grad bias");
        }
      }
    }
  }

  @Test
  void aWeightUsedTwiceGetsTheSumOfBothUses() {
    Map<String, Object> c = cases("linear_tied").get(0);
    Tensor x = in(c, 0);
    Parameter w = new Parameter(in(c, 1));
    // y = linear(tanh(linear(x, w)), w)
    Tensor h = Functional.linear(x, w.data(), null).tanh();
    Tensor y = Functional.linear(h, w.data(), null);
    assertClose(tensor(c.get("y")), y, RTOL, ATOL, "tied forward");
    Tensor dh = LinearGrad.backward(g(c), h, w, null, true);
    Tensor dz = ActivationGrad.tanh(dh, h);
    Tensor dx = LinearGrad.backward(dz, x, w, null, true);
    assertClose(grad(c, 0), dx, RTOL, ATOL, "tied grad x");
    assertClose(grad(c, 1), w.grad(), RTOL, ATOL, "tied grad weight (both uses)");
  }

  @Test
  void frozenParameterGetsNoGradient() {
    Map<String, Object> c = cases("linear").get(0);
    Parameter w = new Parameter(in(c, 1)).requiresGrad(false);
    Parameter b = new Parameter(in(c, 2));
    LinearGrad.backward(g(c), in(c, 0), w, b, false);
    assertNull(w.grad());
    assertClose(grad(c, 2), b.grad(), RTOL, ATOL, "bias beside a frozen weight");
  }

  @Test
  void activations() {
    Map<String, Object> relu = cases("relu").get(0);
    assertClose(grad(relu, 0), ActivationGrad.relu(g(relu), tensor(relu.get("y"))), 0, 0,
        "relu");
    Map<String, Object> tanh = cases("tanh").get(0);
    assertClose(grad(tanh, 0), ActivationGrad.tanh(g(tanh), tensor(tanh.get("y"))), RTOL, ATOL,
        "tanh");
    Map<String, Object> sig = cases("sigmoid").get(0);
    assertClose(grad(sig, 0), ActivationGrad.sigmoid(g(sig), tensor(sig.get("y"))), RTOL, ATOL,
        "sigmoid");
    Map<String, Object> gelu = cases("gelu").get(0);
    assertClose(grad(gelu, 0), ActivationGrad.gelu(g(gelu), in(gelu, 0)), RTOL, ATOL, "gelu");
    Map<String, Object> gt = cases("gelu_tanh").get(0);
    assertClose(grad(gt, 0), ActivationGrad.geluTanh(g(gt), in(gt, 0)), RTOL, ATOL,
        "gelu tanh");
  }

  @Test
  void softmaxAndLogSoftmaxAlongEveryDim() {
    for (Map<String, Object> c : cases("softmax")) {
      int dim = ((Number) c.get("dim")).intValue();
      Tensor y = in(c, 0).softmax(dim);
      assertClose(tensor(c.get("y")), y, RTOL, ATOL, "softmax forward dim " + dim);
      assertClose(grad(c, 0), SoftmaxGrad.softmax(g(c), y, dim), RTOL, ATOL,
          "softmax dim " + dim);
    }
    for (Map<String, Object> c : cases("log_softmax")) {
      int dim = ((Number) c.get("dim")).intValue();
      Tensor y = in(c, 0).logSoftmax(dim);
      assertClose(grad(c, 0), SoftmaxGrad.logSoftmax(g(c), y, dim), RTOL, ATOL,
          "log_softmax dim " + dim);
    }
  }

  @Test
  void layerNorm() {
    for (Map<String, Object> c : cases("layer_norm")) {
      int[] shape = list(c.get("normalized_shape")).stream()
          .mapToInt(v -> ((Number) v).intValue()).toArray();
      double eps = ((Number) c.get("eps")).doubleValue();
      Parameter w = new Parameter(in(c, 1));
      Parameter b = new Parameter(in(c, 2));
      Tensor dx = LayerNormGrad.backward(g(c), in(c, 0), shape, w, b, eps);
      assertClose(grad(c, 0), dx, 1e-4, 1e-5, "layer_norm grad x");
      assertClose(grad(c, 1), w.grad(), 1e-4, 1e-5, "layer_norm grad weight");
      assertClose(grad(c, 2), b.grad(), RTOL, ATOL, "layer_norm grad bias");
    }
    Map<String, Object> c = cases("layer_norm_noaffine").get(0);
    LayerNormGrad.Result r = LayerNormGrad.backward(g(c), in(c, 0), new int[] {6}, null, 1e-5);
    assertClose(grad(c, 0), r.input(), 1e-4, 1e-5, "layer_norm without affine");
  }

  @Test
  void broadcastingBinaryOps() {
    for (Map<String, Object> c : cases("add")) {
      BroadcastGrad.Pair p = BroadcastGrad.add(g(c), in(c, 0).shape(), in(c, 1).shape());
      assertClose(grad(c, 0), p.a(), RTOL, ATOL, "add a");
      assertClose(grad(c, 1), p.b(), RTOL, ATOL, "add b");
    }
    for (Map<String, Object> c : cases("sub")) {
      BroadcastGrad.Pair p = BroadcastGrad.sub(g(c), in(c, 0).shape(), in(c, 1).shape());
      assertClose(grad(c, 0), p.a(), RTOL, ATOL, "sub a");
      assertClose(grad(c, 1), p.b(), RTOL, ATOL, "sub b");
    }
    for (String op : List.of("mul", "div")) {
      for (Map<String, Object> c : cases(op)) {
        BroadcastGrad.Pair p = op.equals("mul") ? BroadcastGrad.mul(g(c), in(c, 0), in(c, 1))
            : BroadcastGrad.div(g(c), in(c, 0), in(c, 1));
        assertClose(grad(c, 0), p.a(), 1e-4, ATOL, op + " a");
        assertClose(grad(c, 1), p.b(), 1e-4, ATOL, op + " b");
      }
    }
  }

  @Test
  void matmulEveryShapeCase() {
    List<Map<String, Object>> all = cases("matmul");
    assertEquals(6, all.size());
    for (Map<String, Object> c : all) {
      Tensor a = in(c, 0);
      Tensor b = in(c, 1);
      assertClose(tensor(c.get("y")), a.matmul(b), RTOL, ATOL, "matmul forward");
      BroadcastGrad.Pair p = MatMulGrad.backward(g(c), a, b);
      String shapes = java.util.Arrays.toString(a.shape()) + " @ "
          + java.util.Arrays.toString(b.shape());
      assertClose(grad(c, 0), p.a(), 1e-4, ATOL, "matmul grad a " + shapes);
      assertClose(grad(c, 1), p.b(), 1e-4, ATOL, "matmul grad b " + shapes);
    }
  }

  @Test
  void elementwiseMathAndScalars() {
    Map<String, Object> exp = cases("exp").get(0);
    assertClose(grad(exp, 0), UnaryGrad.exp(g(exp), tensor(exp.get("y"))), RTOL, ATOL, "exp");
    Map<String, Object> log = cases("log").get(0);
    assertClose(grad(log, 0), UnaryGrad.log(g(log), in(log, 0)), RTOL, ATOL, "log");
    Map<String, Object> abs = cases("abs").get(0);
    assertClose(grad(abs, 0), UnaryGrad.abs(g(abs), in(abs, 0)), 0, 0, "abs (0 at 0)");
    Map<String, Object> neg = cases("neg").get(0);
    assertClose(grad(neg, 0), UnaryGrad.neg(g(neg)), 0, 0, "neg");
    Map<String, Object> sqrt = cases("sqrt").get(0);
    assertClose(grad(sqrt, 0), UnaryGrad.sqrt(g(sqrt), tensor(sqrt.get("y"))), RTOL, ATOL,
        "sqrt");
    for (Map<String, Object> c : cases("pow")) {
      double e = ((Number) c.get("exponent")).doubleValue();
      assertClose(grad(c, 0), UnaryGrad.pow(g(c), in(c, 0), e), 1e-5, ATOL, "pow " + e);
    }
    Map<String, Object> mul = cases("mul_scalar").get(0);
    assertClose(grad(mul, 0), UnaryGrad.mulScalar(g(mul), 2.5f), 0, 0, "x * 2.5");
    Map<String, Object> div = cases("div_scalar").get(0);
    assertClose(grad(div, 0), UnaryGrad.divScalar(g(div), 4f), 0, 0, "x / 4");
  }

  @Test
  void sumAndMean() {
    Map<String, Object> sum = cases("sum").get(0);
    assertClose(grad(sum, 0), ReductionGrad.sum(g(sum), in(sum, 0).shape()), 0, 0, "sum()");
    Map<String, Object> mean = cases("mean").get(0);
    assertClose(grad(mean, 0), ReductionGrad.mean(g(mean), in(mean, 0).shape()), RTOL, ATOL,
        "mean()");
    for (String op : List.of("sum_dim", "mean_dim")) {
      List<Map<String, Object>> all = cases(op);
      assertEquals(4, all.size());
      for (Map<String, Object> c : all) {
        int dim = ((Number) c.get("dim")).intValue();
        boolean keep = (Boolean) c.get("keepdim");
        int[] shape = in(c, 0).shape();
        Tensor got = op.equals("sum_dim") ? ReductionGrad.sum(g(c), shape, dim, keep)
            : ReductionGrad.mean(g(c), shape, dim, keep);
        assertClose(grad(c, 0), got, RTOL, ATOL, op + " dim " + dim + " keepdim " + keep);
      }
    }
  }
}
