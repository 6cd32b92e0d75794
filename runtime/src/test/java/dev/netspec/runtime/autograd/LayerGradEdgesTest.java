package dev.netspec.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.BatchNorm1d;
import dev.netspec.runtime.nn.GroupNorm;
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

  @Test
  void elementwiseActivationGradientsCheckTheirOperandsAndBumpTheirOut() {
    // tanh: g (1 - y^2); y = {0, 0.5}, g = {2, 4}: {2, 3}
    Tensor out = Tensor.zeros(2);
    long before = out.version();
    assertSame(out, ActivationGrad.tanhInto(Tensor.of(2f, 4f), Tensor.of(0f, 0.5f), out));
    assertArrayEquals(new float[] {2, 3}, out.toFloatArray());
    assertTrue(out.version() > before, "out was written: its version moves");
    // a saved tensor of another shape with as many elements is refused, not read flat
    assertThrows(IllegalArgumentException.class, () -> ActivationGrad.tanhInto(
        Tensor.ones(2, 3), Tensor.zeros(3, 2), Tensor.zeros(2, 3)));
    assertThrows(IllegalArgumentException.class, () -> ActivationGrad.sigmoidInto(
        Tensor.ones(2, 3), Tensor.zeros(2, 3), Tensor.zeros(3, 2).t()));
    // relu: g where y > 0; y = {0, 3}, g = {5, 6}: {0, 6}
    Tensor reluOut = Tensor.zeros(2);
    long reluBefore = reluOut.version();
    assertSame(reluOut, ActivationGrad.reluInto(Tensor.of(5f, 6f), Tensor.of(0f, 3f), reluOut));
    assertArrayEquals(new float[] {0, 6}, reluOut.toFloatArray());
    assertTrue(reluOut.version() > reluBefore, "out was written: its version moves");
    assertThrows(IllegalArgumentException.class, () -> ActivationGrad.reluInto(
        Tensor.ones(2, 3), Tensor.ones(3, 2), Tensor.zeros(2, 3)));
  }

  @Test
  void batchNormRecordsWhenOnlyItsBiasNeedsAGradient() {
    // As PyTorch: NativeBatchNormBackward0 when any of input, weight, bias requires grad.
    // Training mode, batch statistics: d(sum y) / d bias = the batch size (4) per channel.
    BatchNorm1d norm = new BatchNorm1d(2);
    norm.weight.requiresGrad(false);
    Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 5, 0, 1, 4, 4}, 4, 2);
    Tensor y = norm.forward(x);
    assertEquals("NativeBatchNormBackward0", y.gradFn().name());
    y.sum().backward();
    assertArrayEquals(new float[] {4, 4}, norm.bias.grad().toFloatArray());
    assertNull(norm.weight.grad());

    // the same for group_norm: NativeGroupNormBackward0, d(sum y) / d bias = N * spatial = 2
    GroupNorm group = new GroupNorm(1, 2);
    group.weight.requiresGrad(false);
    Tensor z = group.forward(Tensor.fromArray(new float[] {1, 3, 2, 7}, 2, 2));
    assertEquals("NativeGroupNormBackward0", z.gradFn().name());
    z.sum().backward();
    assertArrayEquals(new float[] {2, 2}, group.bias.grad().toFloatArray());
  }

  @Test
  void embeddingGradientSkipsANegativePaddingIndexAndNamesAnIdAtTheEnd() {
    // ids {0, 2, 2, 1} into 3 rows, padding_idx -1 = row 2: rows 0 and 1 get their g, row 2 none
    Tensor ids = Tensor.ofLongs(new long[] {0, 2, 2, 1}, 4);
    Tensor g = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
    assertArrayEquals(new float[] {1, 2, 7, 8, 0, 0},
        EmbeddingGrad.weight(g, ids, 3, -1).toFloatArray());
    assertArrayEquals(new float[] {1, 2, 7, 8, 8, 10},
        EmbeddingGrad.weight(g, ids, 3, null).toFloatArray());
    // id 3 of 3 rows: one bound error naming it, not an array index error
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> EmbeddingGrad.weight(g, Tensor.ofLongs(new long[] {0, 3, 1, 1}, 4), 3, null));
    assertEquals("embedding backward: id 3 at position 1 is outside [0, 3)", e.getMessage());
  }

  @Test
  void groupNormBackwardOverATwoDimInputInOneGroup() {
    // x (2, 4), one group: each sample normalized over its 4 channels. A constant gradient:
    // d x = 0, d bias = 2 per channel (two samples), d weight = the sum of x_hat over samples.
    Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 2, 2, 2, 6}, 2, 4);
    GroupNormGrad.Result r = GroupNormGrad.backward(Tensor.ones(2, 4), x, 1, Tensor.ones(4),
        1e-5);
    double s1 = Math.sqrt(1.25 + 1e-5); // sample 1: mean 2.5, var 1.25
    double s2 = Math.sqrt(3 + 1e-5); // sample 2: mean 3, var (1 + 1 + 1 + 9) / 4 = 3
    float[] dw = new float[4];
    float[] xs = x.toFloatArray();
    for (int c = 0; c < 4; c++) {
      dw[c] = (float) ((xs[c] - 2.5) / s1 + (xs[4 + c] - 3) / s2);
    }
    assertArrayEquals(new float[8], r.input().toFloatArray(), 1e-6f);
    assertArrayEquals(dw, r.weight().toFloatArray(), 1e-5f);
    assertArrayEquals(new float[] {2, 2, 2, 2}, r.bias().toFloatArray());
  }
}
