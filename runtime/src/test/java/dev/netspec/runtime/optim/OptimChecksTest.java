package dev.netspec.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The optimizers' argument checks at their edges and {@code clip_grad_norm_}'s default norm,
 * against torch 1.13: {@code torch.optim.Adam([p], lr=-1.0)} raises {@code Invalid learning
 * rate: -1.0} (and the same for eps, each beta at 1.0, weight_decay, SGD's momentum), while 0
 * is accepted for each; {@code clip_grad_norm_([p, q], 1.0)} with grads {@code [3, 0]} and
 * {@code [4]} returns 5.0 and leaves {@code [0.5999999046325684, 0]} and {@code
 * [0.7999998331069946]} (max_norm / (total + 1e-6), in float32).
 */
class OptimChecksTest {
  private static List<Parameter> params() {
    return List.of(new Parameter(Tensor.zeros(2)));
  }

  private static List<ParamGroup> groups() {
    return List.of(ParamGroup.of(params()));
  }

  private static String refused(Runnable make) {
    return assertThrows(IllegalArgumentException.class, make::run).getMessage();
  }

  @Test
  void adamAndSgdRefuseNegativesAndBetasOfOneAndTakeZeros() {
    for (boolean w : new boolean[] {false, true}) {
      Adams adams = w ? (lr, b1, b2, eps, wd) -> new AdamW(groups(), lr, b1, b2, eps, wd, false)
          : (lr, b1, b2, eps, wd) -> new Adam(groups(), lr, b1, b2, eps, wd, false);
      assertEquals("Invalid learning rate: -1.0", refused(() -> adams.make(-1, 0.9, 0.999, 1e-8, 0)));
      assertEquals("Invalid epsilon value: -1.0", refused(() -> adams.make(1e-3, 0.9, 0.999, -1, 0)));
      assertEquals("Invalid beta parameter at index 0: 1.0", refused(() -> adams.make(1e-3, 1, 0.999, 1e-8, 0)));
      assertEquals("Invalid beta parameter at index 0: -0.5", refused(() -> adams.make(1e-3, -0.5, 0.999, 1e-8, 0)));
      assertEquals("Invalid beta parameter at index 1: 1.0", refused(() -> adams.make(1e-3, 0.9, 1, 1e-8, 0)));
      assertEquals("Invalid beta parameter at index 1: -0.5", refused(() -> adams.make(1e-3, 0.9, -0.5, 1e-8, 0)));
      assertEquals("Invalid weight_decay value: -1.0", refused(() -> adams.make(1e-3, 0.9, 0.999, 1e-8, -1)));
      adams.make(0, 0, 0, 0, 0); // each at 0: accepted, as torch
    }
    assertEquals("Invalid learning rate: -1.0", refused(() -> new SGD(params(), -1, 0, 0, 0, false)));
    assertEquals("Invalid momentum value: -0.5", refused(() -> new SGD(params(), 0.1, -0.5, 0, 0, false)));
    assertEquals("Invalid weight_decay value: -1.0", refused(() -> new SGD(params(), 0.1, 0, 0, -1, false)));
    new SGD(params(), 0, 0, 0, 0, false);
  }

  @Test
  void aRefusedGroupKeepsOnlyItsOwnOptionsAndCanBeGivenAgain() {
    // torch checks the arguments before it touches a group: Adam([g], lr=-1) raises and g
    // still has only 'params' and its own options, so Adam([g], lr=0.01) then works
    ParamGroup group = ParamGroup.of(params()).set("beta1", 0.8);
    assertEquals("Invalid learning rate: -1.0",
        refused(() -> new Adam(List.of(group), -1, 0.9, 0.999, 1e-8, 0, false)));
    assertEquals(List.of("beta1"), List.copyOf(group.options().keySet()));
    Adam adam = new Adam(List.of(group), 0.01, 0.9, 0.999, 1e-8, 0, false);
    assertEquals(0.01, adam.paramGroups().get(0).lr());
    assertEquals(0.8, adam.paramGroups().get(0).getDouble("beta1"));
  }

  private interface Adams {
    Optimizer make(double lr, double beta1, double beta2, double eps, double weightDecay);
  }

  @Test
  void clipGradNormIsTheTwoNormAsTorch() {
    Parameter p = new Parameter(Tensor.zeros(2));
    Parameter q = new Parameter(Tensor.zeros(1));
    p.setGrad(Tensor.of(3f, 0f));
    q.setGrad(Tensor.of(4f));
    assertEquals(5f, ClipGrad.clipGradNorm(List.of(p, q), 1.0));
    assertArrayEquals(new float[] {0.5999999046325684f, 0f}, p.grad().toFloatArray());
    assertArrayEquals(new float[] {0.7999998331069946f}, q.grad().toFloatArray());
    assertEquals("clip_grad_norm_: norm_type must be positive, got 0.0",
        refused(() -> ClipGrad.clipGradNorm(List.of(p, q), 1.0, 0.0)));
  }
}
