package dev.netspec.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.LayerNorm;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Edges of the layers' backward functions that the parity and finite-difference tests do not
 * reach: a gradient with the wrong number of features refused before a GEMM reads it at the
 * wrong stride, the version of a written gradient buffer, and {@code layer_norm}'s backward
 * over an input that is exactly the normalized shape (no batch dims). Values by hand.
 */
class LayerGradEdgesTest {
  @Test
  void linearInputGradientRefusesAGradientOfOtherFeaturesAndBumpsItsOut() {
    // weight (out 3, in 2): gradOutput must have 3 features. A (2, 4) gradient has the same
    // rows and would fill a (2, 2) out at the wrong stride without the check.
    Tensor weight = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LinearGrad.inputInto(Tensor.ones(2, 4), weight, Tensor.zeros(2, 2)));
    assertEquals("linear backward: gradOutput of shape [2, 4] does not have 3 features",
        e.getMessage());

    // g (1, 3) = {1, 0, 2}: g @ W = {1 + 10, 2 + 12} = {11, 14}
    Tensor out = Tensor.zeros(1, 2);
    long before = out.version();
    assertSame(out, LinearGrad.inputInto(Tensor.fromArray(new float[] {1, 0, 2}, 1, 3), weight,
        out));
    assertArrayEquals(new float[] {11, 14}, out.toFloatArray());
    assertTrue(out.version() > before, "out was written: its version moves");
  }

  @Test
  void layerNormBackwardOverAnUnbatchedInput() {
    // x = {1, 2, 3, 4} normalized over its only dim: mean 2.5, biased variance 1.25, x_hat =
    // (x - 2.5) / sqrt(1.25 + eps). With gradOutput all ones: d bias = 1 each, d weight =
    // x_hat, and d x = (w / sigma) (g - mean(g) - x_hat mean(g x_hat)) = 0 (g is constant and
    // x_hat sums to 0).
    Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4}, 4);
    LayerNormGrad.Result r = LayerNormGrad.backward(Tensor.ones(4), x, new int[] {4},
        Tensor.ones(4), 1e-5);
    double s = Math.sqrt(1.25 + 1e-5);
    float[] xHat = {(float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s)};
    assertArrayEquals(new float[4], r.input().toFloatArray(), 1e-6f);
    assertArrayEquals(xHat, r.weight().toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {1, 1, 1, 1}, r.bias().toFloatArray());

    // gradOutput = x_hat itself: d x = (1 / sigma) (x_hat - 0 - x_hat * mean(x_hat^2)), and
    // mean(x_hat^2) = 1.25 / (1.25 + eps), so d x = x_hat (eps / (1.25 + eps)) / sigma
    LayerNormGrad.Result g = LayerNormGrad.backward(Tensor.fromArray(xHat.clone(), 4), x,
        new int[] {4}, null, 1e-5);
    float[] want = new float[4];
    for (int i = 0; i < 4; i++) {
      want[i] = (float) (xHat[i] * (1e-5 / (1.25 + 1e-5)) / s);
    }
    assertArrayEquals(want, g.input().toFloatArray(), 2e-6f);
  }

  @Test
  void layerNormRecordsWhenOnlyItsBiasNeedsAGradient() {
    // PyTorch records NativeLayerNormBackward0 when any of input, weight, bias requires grad;
    // here only the bias does. d(sum y) / d bias = the number of rows for each element.
    LayerNorm norm = new LayerNorm(4);
    norm.weight.requiresGrad(false);
    Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 0, 1, 0, 1, 5, 5, 5, 6}, 3, 4);
    Tensor y = norm.forward(x);
    assertEquals("NativeLayerNormBackward0", y.gradFn().name());
    y.sum().backward();
    assertArrayEquals(new float[] {3, 3, 3, 3}, norm.bias.grad().toFloatArray());
    assertNull(norm.weight.grad());

    norm.bias.requiresGrad(false);
    assertNull(norm.forward(x).gradFn(), "nothing needs a gradient");
  }
}
