package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static dev.netspec.runtime.autograd.GradFixtures.list;
import static dev.netspec.runtime.autograd.GradFixtures.map;
import static dev.netspec.runtime.autograd.GradFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.AttentionMask;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Every recording tensor operation against PyTorch ({@code fixtures/grad/tape.json}): the
 * output, PyTorch's grad_fn name and the gradients {@code y.backward(g)} leaves in the
 * inputs, and the same gradients against central differences of the float32 forward.
 */
class TapeParityTest {
  private static final double RTOL = 1e-5;
  private static final double ATOL = 1e-5;

  /** An operation as netspec's Java spells it; returns (output, the tensor whose grad_fn PyTorch names). */
  private static final Map<String, BiFunction<List<Tensor>, Map<String, Object>, Tensor[]>> OPS =
      Map.ofEntries(
          op("add", (in, a) -> in.get(0).add(in.get(1))),
          op("sub", (in, a) -> in.get(0).sub(in.get(1))),
          op("mul", (in, a) -> in.get(0).mul(in.get(1))),
          op("div", (in, a) -> in.get(0).div(in.get(1))),
          op("add_scalar", (in, a) -> in.get(0).add(f(a, "scalar"))),
          op("sub_scalar", (in, a) -> in.get(0).sub(f(a, "scalar"))),
          op("mul_scalar", (in, a) -> in.get(0).mul(f(a, "scalar"))),
          op("div_scalar", (in, a) -> in.get(0).div(f(a, "scalar"))),
          op("maximum", (in, a) -> in.get(0).maximum(in.get(1))),
          op("minimum", (in, a) -> in.get(0).minimum(in.get(1))),
          op("neg", (in, a) -> in.get(0).neg()),
          op("exp", (in, a) -> in.get(0).exp()),
          op("abs", (in, a) -> in.get(0).abs()),
          op("relu", (in, a) -> in.get(0).relu()),
          op("sigmoid", (in, a) -> in.get(0).sigmoid()),
          op("tanh", (in, a) -> in.get(0).tanh()),
          op("gelu", (in, a) -> in.get(0).gelu()),
          op("gelu_tanh", (in, a) -> Functional.gelu(in.get(0), "tanh")),
          op("log", (in, a) -> in.get(0).log()),
          op("sqrt", (in, a) -> in.get(0).sqrt()),
          op("pow", (in, a) -> in.get(0).pow(f(a, "exponent"))),
          op("pow_tensor", (in, a) -> in.get(0).pow(in.get(1))),
          op("softmax", (in, a) -> in.get(0).softmax(i(a, "dim"))),
          op("log_softmax", (in, a) -> in.get(0).logSoftmax(i(a, "dim"))),
          op("matmul", (in, a) -> in.get(0).matmul(in.get(1))),
          op("sum", (in, a) -> in.get(0).sum()),
          op("sum_dim", (in, a) -> in.get(0).sum(i(a, "dim"), b(a, "keepdim"))),
          op("mean", (in, a) -> in.get(0).mean()),
          op("mean_dim", (in, a) -> in.get(0).mean(i(a, "dim"), b(a, "keepdim"))),
          op("max", (in, a) -> in.get(0).max()),
          op("max_dim", (in, a) -> in.get(0).max(i(a, "dim"), b(a, "keepdim"))),
          op("min_dim", (in, a) -> in.get(0).min(i(a, "dim"), b(a, "keepdim"))),
          op("reshape", (in, a) -> in.get(0).reshape(ints(a, "shape"))),
          op("t_reshape", (in, a) -> in.get(0).t().reshape(ints(a, "shape"))),
          op("view", (in, a) -> in.get(0).view(ints(a, "shape"))),
          op("flatten", (in, a) -> in.get(0).flatten(i(a, "start"), i(a, "end"))),
          op("permute", (in, a) -> in.get(0).permute(ints(a, "dims"))),
          op("transpose", (in, a) -> in.get(0).transpose(i(a, "dim0"), i(a, "dim1"))),
          op("t", (in, a) -> in.get(0).t()),
          op("unsqueeze", (in, a) -> in.get(0).unsqueeze(i(a, "dim"))),
          op("squeeze", (in, a) -> in.get(0).squeeze(i(a, "dim"))),
          op("expand", (in, a) -> in.get(0).expand(ints(a, "shape"))),
          op("select", (in, a) -> in.get(0).select(i(a, "dim"), i(a, "index"))),
          op("narrow", (in, a) -> in.get(0).narrow(i(a, "dim"), i(a, "start"), i(a, "length"))),
          op("slice", (in, a) -> in.get(0).slice(i(a, "dim"), i(a, "start"), i(a, "end"),
              i(a, "step"))),
          op("clone", (in, a) -> in.get(0).clone()),
          op("contiguous", (in, a) -> in.get(0).t().contiguous()),
          op("cat", (in, a) -> Tensor.concat(in, i(a, "dim"))),
          op("stack", (in, a) -> Tensor.stack(in, i(a, "dim"))),
          parts("split", (in, a) -> in.get(0).split(i(a, "size"), i(a, "dim"))),
          parts("split_sizes", (in, a) -> in.get(0).split(ints(a, "sizes"), i(a, "dim"))),
          parts("chunk", (in, a) -> in.get(0).chunk(i(a, "chunks"), i(a, "dim"))),
          op("chunk_first", (in, a) -> in.get(0).chunk(i(a, "chunks"), i(a, "dim")).get(0)),
          op("masked_fill", (in, a) -> in.get(0).maskedFill(in.get(1), f(a, "value"))),
          op("where", (in, a) -> Tensor.where(in.get(0), in.get(1), in.get(2))),
          op("tril", (in, a) -> in.get(0).tril(i(a, "diagonal"))),
          op("triu", (in, a) -> in.get(0).triu(i(a, "diagonal"))),
          op("dropout", (in, a) -> Functional.dropout(in.get(0), in.get(1))),
          op("sdpa", (in, a) -> Functional.scaledDotProductAttention(in.get(0), in.get(1),
              in.get(2), in.size() > 3 ? AttentionMask.of(in.get(3)) : null, b(a, "causal"))));

  private static Map.Entry<String, BiFunction<List<Tensor>, Map<String, Object>, Tensor[]>> op(
      String name, BiFunction<List<Tensor>, Map<String, Object>, Tensor> f) {
    return Map.entry(name, (in, a) -> {
      Tensor y = f.apply(in, a);
      return new Tensor[] {y, y};
    });
  }

  /** A split: the parts scaled by 1, 2, ... and joined again, as the fixture does. */
  private static Map.Entry<String, BiFunction<List<Tensor>, Map<String, Object>, Tensor[]>> parts(
      String name, BiFunction<List<Tensor>, Map<String, Object>, List<Tensor>> f) {
    return Map.entry(name, (in, a) -> {
      List<Tensor> ps = f.apply(in, a);
      List<Tensor> scaled = new ArrayList<>();
      for (int k = 0; k < ps.size(); k++) {
        scaled.add(ps.get(k).mul((float) (k + 1)));
      }
      return new Tensor[] {Tensor.concat(scaled, i(a, "dim")), ps.get(0)};
    });
  }

  private static float f(Map<String, Object> a, String k) {
    return ((Number) a.get(k)).floatValue();
  }

  private static int i(Map<String, Object> a, String k) {
    return ((Number) a.get(k)).intValue();
  }

  private static boolean b(Map<String, Object> a, String k) {
    return (Boolean) a.get(k);
  }

  private static int[] ints(Map<String, Object> a, String k) {
    return list(a.get(k)).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
  }

  private static List<Map<String, Object>> cases() {
    List<Map<String, Object>> out = new ArrayList<>();
    list(GradFixtures.load("tape.json").get("cases")).forEach(c -> out.add(map(c)));
    return out;
  }

  /** The case's inputs, the ones PyTorch made leaves requiring grad marked so here. */
  private static List<Tensor> inputs(Map<String, Object> c) {
    List<Object> requires = list(c.get("requires_grad"));
    List<Tensor> in = new ArrayList<>();
    List<Object> raw = list(c.get("inputs"));
    for (int k = 0; k < raw.size(); k++) {
      Tensor t = tensor(raw.get(k));
      in.add((Boolean) requires.get(k) ? t.requiresGrad_(true) : t);
    }
    return in;
  }

  @Test
  void everyOperationRecordsPyTorchsNodeAndGradients() {
    List<Map<String, Object>> cases = cases();
    assertEquals(OPS.size(), cases.stream().map(c -> c.get("op")).distinct().count(),
        "one Java spelling per fixture op");
    for (Map<String, Object> c : cases) {
      String op = (String) c.get("op");
      String what = op + " " + map(c.get("args"));
      List<Tensor> in = inputs(c);
      Tensor[] y = OPS.get(op).apply(in, map(c.get("args")));
      assertClose(tensor(c.get("y")), y[0], RTOL, ATOL, what + " forward");
      assertEquals(c.get("grad_fn"), y[1].gradFn().name(), what + " grad_fn");
      y[0].backward(tensor(c.get("g")));
      List<Object> grads = list(c.get("grads"));
      for (int k = 0; k < in.size(); k++) {
        if (grads.get(k) == null) {
          assertNull(in.get(k).grad(), what + " input " + k + " has no gradient");
        } else {
          assertNotNull(in.get(k).grad(), what + " input " + k + " gradient");
          assertClose(tensor(grads.get(k)), in.get(k).grad(), RTOL, ATOL,
              what + " grad of input " + k);
        }
      }
    }
  }

  /**
   * The recorded gradients against central differences of the float32 forward (step 1e-2,
   * so the rounding error of float32 stays below the tolerance), for the smooth operations.
   */
  @Test
  void gradientsMatchCentralDifferences() {
    List<String> kinked = List.of("abs", "relu", "maximum", "minimum", "max", "max_dim",
        "min_dim");
    int checked = 0;
    for (Map<String, Object> c : cases()) {
      String op = (String) c.get("op");
      if (kinked.contains(op)) {
        continue;
      }
      Map<String, Object> args = map(c.get("args"));
      List<Tensor> in = inputs(c);
      Tensor g = tensor(c.get("g"));
      OPS.get(op).apply(in, args)[0].backward(g);
      for (int k = 0; k < in.size(); k++) {
        if (!in.get(k).requiresGrad()) {
          continue;
        }
        float[] analytic = in.get(k).grad().toFloatArray();
        float[] x = in.get(k).toFloatArray();
        for (int e = 0; e < x.length; e++) {
          double up = loss(c, args, k, x, e, 1e-2f, g);
          double down = loss(c, args, k, x, e, -1e-2f, g);
          double numeric = (up - down) / 2e-2;
          double tol = 2e-2 * Math.max(1, Math.abs(numeric));
          assertEquals(numeric, analytic[e], tol, op + " input " + k + " [" + e + "]");
          checked++;
        }
      }
    }
    assertTrue(checked > 500, "checked " + checked);
  }

  private static double loss(Map<String, Object> c, Map<String, Object> args, int k, float[] x,
      int e, float h, Tensor g) {
    try (GradMode.Scope scope = GradMode.noGrad()) {
      List<Tensor> in = inputs(c);
      float[] moved = x.clone();
      moved[e] += h;
      in.set(k, Tensor.fromArray(moved, in.get(k).shape()));
      Tensor y = OPS.get((String) c.get("op")).apply(in, args)[0];
      double sum = 0;
      float[] yv = y.toFloatArray();
      float[] gv = g.toFloatArray();
      for (int j = 0; j < yv.length; j++) {
        sum += (double) yv[j] * gv[j];
      }
      return sum;
    }
  }
}
