package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static dev.netspec.runtime.autograd.GradFixtures.g;
import static dev.netspec.runtime.autograd.GradFixtures.grad;
import static dev.netspec.runtime.autograd.GradFixtures.in;
import static dev.netspec.runtime.autograd.GradFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@code F.silu}, {@code F.leaky_relu} and {@code torch.clamp} against PyTorch 1.13 ({@code
 * fixtures/grad/activation_fns.json}, made by {@code tools/fixtures/activation_fns_fixtures.py}):
 * the output, the gradient autograd leaves in the input for L = sum(y * g), PyTorch's node
 * name, and the allocation-free forms into a buffer and into the input itself.
 */
class ActivationFunctionsTest {
  private static final double RTOL = 1e-6;
  private static final double ATOL = 1e-6;

  private record Fn(String name, String gradFn, UnaryOperator<Tensor> op, Into into) {}

  private interface Into {
    Tensor apply(Tensor x, Tensor out);
  }

  private static final List<Fn> FNS = List.of(
      new Fn("silu", "SiluBackward0", Functional::silu, Functional::siluInto),
      new Fn("leaky_relu", "LeakyReluBackward0", x -> Functional.leakyRelu(x, 0.01f),
          (x, o) -> Functional.leakyReluInto(x, 0.01f, o)),
      new Fn("leaky_relu_0.2", "LeakyReluBackward0", x -> Functional.leakyRelu(x, 0.2f),
          (x, o) -> Functional.leakyReluInto(x, 0.2f, o)),
      new Fn("leaky_relu_slope", "LeakyReluBackward0", x -> Functional.leakyRelu(x, -1.5f),
          (x, o) -> Functional.leakyReluInto(x, -1.5f, o)),
      new Fn("clamp", "ClampBackward1", x -> Functional.clamp(x, -0.5f, 0.7f),
          (x, o) -> Functional.clampInto(x, -0.5f, 0.7f, o)),
      new Fn("clamp_min", "ClampBackward1", x -> Functional.clamp(x, 0f, Float.POSITIVE_INFINITY),
          (x, o) -> Functional.clampInto(x, 0f, Float.POSITIVE_INFINITY, o)),
      new Fn("clamp_max", "ClampBackward1", x -> Functional.clamp(x, Float.NEGATIVE_INFINITY, 0.3f),
          (x, o) -> Functional.clampInto(x, Float.NEGATIVE_INFINITY, 0.3f, o)),
      new Fn("clamp_crossed", "ClampBackward1", x -> Functional.clamp(x, 1f, -1f),
          (x, o) -> Functional.clampInto(x, 1f, -1f, o)));

  @Test
  void outputsAndGradientsAreTorchs() {
    for (Fn fn : FNS) {
      Map<String, Object> c = GradFixtures.cases("activation_fns.json", fn.name()).get(0);
      Tensor x = in(c, 0).requiresGrad_(true);
      Tensor y = fn.op().apply(x);
      assertClose(tensor(c.get("y")), y, RTOL, ATOL, fn.name() + " forward");
      assertEquals(fn.gradFn(), y.gradFn().name(), fn.name() + " grad_fn");
      y.backward(g(c));
      assertClose(grad(c, 0), x.grad(), RTOL, ATOL, fn.name() + " grad x");
    }
  }

  @Test
  void intoABufferOrTheInputItselfGivesTheSameValues() {
    for (Fn fn : FNS) {
      Map<String, Object> c = GradFixtures.cases("activation_fns.json", fn.name()).get(0);
      Tensor expected = tensor(c.get("y"));
      Tensor out = Tensor.zeros(3, 8);
      assertSame(out, fn.into().apply(in(c, 0), out));
      assertClose(expected, out, RTOL, ATOL, fn.name() + " into a buffer");
      Tensor x = in(c, 0);
      fn.into().apply(x, x);
      assertClose(expected, x, RTOL, ATOL, fn.name() + " into its input");
      // a strided input (the transpose of the transpose) takes the copying path
      Tensor strided = in(c, 0).transpose(0, 1).contiguous().transpose(0, 1);
      assertTrue(!strided.isContiguous());
      Tensor out2 = Tensor.zeros(3, 8);
      fn.into().apply(strided, out2);
      assertClose(expected, out2, RTOL, ATOL, fn.name() + " from a strided input");
    }
  }
}
