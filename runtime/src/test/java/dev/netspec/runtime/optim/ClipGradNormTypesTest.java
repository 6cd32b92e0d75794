package dev.netspec.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code clip_grad_norm_} with a p-norm other than 1, 2 and inf: the total is the p-norm of
 * the per-tensor p-norms, {@code (sum |g|^p)^(1/p)}. Grads {3, -4} and {1}; the numbers are
 * torch 1.13's ({@code torch.nn.utils.clip_grad_norm_([a, b], 1.0, norm_type=3)} returned
 * 4.514357566833496 and left {0.6645462512969971, -0.8860616683959961} and
 * {0.22151541709899902}; with {@code norm_type=0.5}: 22.392305374145508, {0.1339745819568634,
 * -0.17863278090953827}, {0.04465819522738457}); by hand 92^(1/3) = 4.5144 and
 * (sqrt 3 + 2 + 1)^2 = 22.392.
 */
class ClipGradNormTypesTest {
  private static float clip(double maxNorm, double normType, Parameter a, Parameter b) {
    a.setGrad(Tensor.of(3f, -4f));
    b.setGrad(Tensor.of(1f));
    return ClipGrad.clipGradNorm(List.of(a, b), maxNorm, normType);
  }

  @Test
  void threeNormAsTorch() {
    Parameter a = new Parameter(Tensor.zeros(2));
    Parameter b = new Parameter(Tensor.zeros(1));
    assertEquals(4.514357566833496f, clip(1.0, 3, a, b), 1e-6f);
    assertArrayEquals(new float[] {0.6645462512969971f, -0.8860616683959961f},
        a.grad().toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {0.22151541709899902f}, b.grad().toFloatArray(), 1e-6f);
  }

  @Test
  void halfNormAsTorch() {
    Parameter a = new Parameter(Tensor.zeros(2));
    Parameter b = new Parameter(Tensor.zeros(1));
    assertEquals(22.392305374145508f, clip(1.0, 0.5, a, b), 1e-5f);
    assertArrayEquals(new float[] {0.1339745819568634f, -0.17863278090953827f},
        a.grad().toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {0.04465819522738457f}, b.grad().toFloatArray(), 1e-6f);
  }

  @Test
  void oneNormIsTheSumOfMagnitudes() {
    // torch 1.13: norm_type=1 gives 3 + 4 + 1 = 8, coefficient 1 / (8 + 1e-6)
    Parameter a = new Parameter(Tensor.zeros(2));
    Parameter b = new Parameter(Tensor.zeros(1));
    assertEquals(8f, clip(1.0, 1, a, b));
    assertArrayEquals(new float[] {3 / 8f, -4 / 8f}, a.grad().toFloatArray(), 1e-6f);
  }

  @Test
  void aMaxNormAboveTheTotalLeavesTheGradsAsTheyWere() {
    Parameter a = new Parameter(Tensor.zeros(2));
    Parameter b = new Parameter(Tensor.zeros(1));
    assertEquals(8f, clip(100.0, 1, a, b));
    assertArrayEquals(new float[] {3f, -4f}, a.grad().toFloatArray());
    assertArrayEquals(new float[] {1f}, b.grad().toFloatArray());
  }
}
