package dev.netspec.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RMSprop's argument checks at their edges and the state it keeps, against torch 1.13:
 * {@code torch.optim.RMSprop([p], lr=-1.0)} raises {@code Invalid learning rate: -1.0} (and
 * the same for eps, momentum, weight_decay and alpha), 0 is accepted for each; after one step
 * {@code optimizer.state[p]} holds {@code step} and {@code square_avg}, plus
 * {@code momentum_buffer} only when momentum is above 0 and {@code grad_avg} only when
 * centered. Values by hand (and printed by torch 1.13): p = [1, -2], grad = [2, -4], lr 0.1,
 * alpha 0.5, eps 0: square_avg = 0.5 g^2 = [2, 8]; plain, p -= 0.1 g / sqrt(square_avg) =
 * 0.1 sqrt(2) [1, -1] (torch: [0.858578622341156, -1.8585786819458008]); centered with momentum
 * 0.9, grad_avg = 0.5 g = [1, -2], the denominator sqrt(square_avg - grad_avg^2) = [1, 2], the
 * buffer g / that = [2, -2] and p -= 0.1 buffer: [0.8, -1.8].
 */
class RMSpropChecksTest {
  private static List<ParamGroup> groups() {
    return List.of(ParamGroup.of(List.of(new Parameter(Tensor.zeros(2)))));
  }

  private static String refused(double lr, double alpha, double eps, double wd, double momentum) {
    return assertThrows(IllegalArgumentException.class,
        () -> new RMSprop(groups(), lr, alpha, eps, wd, momentum, false)).getMessage();
  }

  @Test
  void refusesNegativesAndTakesZeros() {
    assertEquals("Invalid learning rate: -1.0", refused(-1, 0.99, 1e-8, 0, 0));
    assertEquals("Invalid epsilon value: -1.0", refused(0.01, 0.99, -1, 0, 0));
    assertEquals("Invalid momentum value: -0.5", refused(0.01, 0.99, 1e-8, 0, -0.5));
    assertEquals("Invalid weight_decay value: -1.0", refused(0.01, 0.99, 1e-8, -1, 0));
    assertEquals("Invalid alpha value: -0.5", refused(0.01, -0.5, 1e-8, 0, 0));
    new RMSprop(groups(), 0, 0, 0, 0, 0, false); // each at 0: accepted, as torch
  }

  private static Parameter stepOnce(double momentum, boolean centered, RMSprop[] made) {
    Parameter p = new Parameter(Tensor.of(1f, -2f));
    RMSprop opt = new RMSprop(List.of(ParamGroup.of(List.of(p))), 0.1, 0.5, 0, 0, momentum,
        centered);
    p.setGrad(Tensor.of(2f, -4f));
    opt.step();
    made[0] = opt;
    return p;
  }

  @Test
  void keepsAMomentumBufferOnlyAboveZeroAndAGradAverageOnlyCentered() {
    RMSprop[] opt = new RMSprop[1];
    Parameter plain = stepOnce(0, false, opt);
    assertEquals(List.of("state.0.step", "state.0.square_avg"),
        List.copyOf(opt[0].stateDict().tensors().keySet()));
    assertArrayEquals(new float[] {2f, 8f},
        opt[0].stateDict().tensors().get("state.0.square_avg").toFloatArray());
    float d = (float) (0.1 * Math.sqrt(2));
    assertArrayEquals(new float[] {1f - d, -2f + d}, plain.data().toFloatArray(), 1e-6f);

    Parameter centered = stepOnce(0.9, true, opt);
    var tensors = opt[0].stateDict().tensors();
    assertEquals(List.of("state.0.step", "state.0.square_avg", "state.0.momentum_buffer",
        "state.0.grad_avg"), List.copyOf(tensors.keySet()));
    assertArrayEquals(new float[] {2f, -2f}, tensors.get("state.0.momentum_buffer").toFloatArray());
    assertArrayEquals(new float[] {1f, -2f}, tensors.get("state.0.grad_avg").toFloatArray());
    assertArrayEquals(new float[] {0.8f, -1.8f}, centered.data().toFloatArray(), 1e-6f);
  }
}
