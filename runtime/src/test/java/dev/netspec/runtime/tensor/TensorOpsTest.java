package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netspec.runtime.nn.Functional;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * Tensor ops against PyTorch 1.13 results ({@code fixtures/tensor/ops.json}): broadcasting,
 * scalar forms, unary functions, masks, matmul's shape rules, F.linear, reductions, softmax
 * and shape ops. Exact ops must match bit for bit; the others within the stated tolerance.
 */
class TensorOpsTest {
  @TestFactory
  List<DynamicTest> matchesPyTorch() {
    JsonNode root = Fixtures.load("ops.json");
    List<Tensor> tensors = new ArrayList<>();
    for (JsonNode t : root.get("tensors")) {
      tensors.add(Fixtures.tensor(t));
    }
    List<DynamicTest> tests = new ArrayList<>();
    int i = 0;
    for (JsonNode c : root.get("cases")) {
      String op = c.get("op").asString();
      List<Tensor> in = new ArrayList<>();
      StringBuilder shapes = new StringBuilder();
      for (JsonNode ref : c.get("inputs")) {
        Tensor t = tensors.get(ref.asInt());
        in.add(t);
        shapes.append(' ').append(java.util.Arrays.toString(t.shape()));
      }
      JsonNode args = c.get("args");
      Tensor want = Fixtures.tensor(c.get("out"));
      String name = (i++) + " " + op + shapes + (args == null ? "" : " " + args);
      tests.add(DynamicTest.dynamicTest(name, () -> {
        Tensor got = run(op, in, args);
        Tolerance tol = tolerance(op);
        assertClose(want, got, tol.rtol, tol.atol, name);
      }));
    }
    return tests;
  }

  private record Tolerance(double rtol, double atol) {}

  /** Exactly rounded ops must agree bit for bit; the rest within float32 roundoff. */
  private static Tolerance tolerance(String op) {
    switch (op) {
      case "exp":
      case "log":
      case "sigmoid":
      case "tanh":
      case "softmax":
      case "log_softmax":
      case "mean":
      case "mean_dim":
        return new Tolerance(2e-6, 1e-7);
      case "gelu":
        // PyTorch's float formula loses digits for x << 0; 1 ulp of erf there is ~6e-7.
        return new Tolerance(2e-6, 1e-6);
      case "sum":
      case "sum_dim":
      case "matmul":
      case "matmul_bt":
      case "linear":
      case "linear_relu":
      case "linear_nobias":
        return new Tolerance(1e-5, 1e-5);
      default:
        return new Tolerance(0, 0);
    }
  }

  private static Tensor run(String op, List<Tensor> in, JsonNode args) {
    Tensor a = in.get(0);
    Tensor b = in.size() > 1 ? in.get(1) : null;
    float s = args != null && args.has("scalar") ? (float) args.get("scalar").asDouble() : 0f;
    int dim = args != null && args.has("dim") ? args.get("dim").asInt() : 0;
    boolean keep = args != null && args.has("keepdim") && args.get("keepdim").asBoolean();
    switch (op) {
      case "add": return a.add(b);
      case "sub": return a.sub(b);
      case "mul": return a.mul(b);
      case "div": return a.div(b);
      case "ge": return a.ge(b);
      case "lt": return a.lt(b);
      case "add_scalar": return a.add(s);
      case "sub_scalar": return a.sub(s);
      case "mul_scalar": return a.mul(s);
      case "div_scalar": return a.div(s);
      case "ge_scalar": return a.ge(s);
      case "gt_scalar": return a.gt(s);
      case "le_scalar": return a.le(s);
      case "lt_scalar": return a.lt(s);
      case "eq_scalar": return a.eq(s);
      case "ne_scalar": return a.ne(s);
      case "neg": return a.neg();
      case "abs": return a.abs();
      case "exp": return a.exp();
      case "log": return a.log();
      case "sqrt": return a.sqrt();
      case "relu": return a.relu();
      case "sigmoid": return a.sigmoid();
      case "tanh": return a.tanh();
      case "gelu": return a.gelu();
      case "matmul": return a.matmul(b);
      case "matmul_bt": return a.matmul(b.clone().t()); // b.t() of a contiguous tensor
      case "linear": return Functional.linear(a, b, in.get(2));
      case "linear_relu": return Functional.linearRelu(a, b, in.get(2));
      case "linear_nobias": return Functional.linear(a, b, null);
      case "sum": return a.sum();
      case "mean": return a.mean();
      case "max": return a.max();
      case "min": return a.min();
      case "sum_dim": return a.sum(dim, keep);
      case "mean_dim": return a.mean(dim, keep);
      case "max_dim": return a.max(dim, keep);
      case "min_dim": return a.min(dim, keep);
      case "argmax_dim": return a.argmax(dim, keep);
      case "softmax": return a.softmax(dim);
      case "log_softmax": return a.logSoftmax(dim);
      case "transpose":
        return a.transpose(args.get("dim0").asInt(), args.get("dim1").asInt());
      case "reshape":
        return a.reshape(args.get("shape").get(0).asInt(), args.get("shape").get(1).asInt());
      case "flatten": return a.flatten(args.get("start").asInt(), args.get("end").asInt());
      case "concat": return Tensor.concat(List.of(a, b), dim);
      default: throw new AssertionError("unknown op " + op);
    }
  }

  static void assertClose(Tensor want, Tensor got, double rtol, double atol, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    float[] w = want.toFloatArray();
    float[] g = got.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      boolean ok = Float.isNaN(w[i]) ? Float.isNaN(g[i])
          : rtol == 0 && atol == 0 ? Float.compare(w[i], g[i]) == 0 || w[i] == g[i]
          : Math.abs(w[i] - g[i]) <= atol + rtol * Math.abs(w[i]);
      if (!ok) {
        fail(what + ": element " + i + " is " + g[i] + ", PyTorch gives " + w[i] + " (rtol="
            + rtol + ", atol=" + atol + ")");
      }
    }
  }
}
