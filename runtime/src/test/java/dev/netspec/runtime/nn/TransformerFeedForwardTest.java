package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The Transformer layers' feed-forward block ({@link TransformerParts}) records for a backward
 * pass whenever linear1's weight or bias alone needs a gradient (the input then needs none:
 * every other parameter is frozen), with ReLU and with GELU: linear1's gradient against
 * central finite differences of the unrecorded forward. And the sizes they refuse.
 */
class TransformerFeedForwardTest {
  private static final float EPS = 1e-2f;

  private static double loss(TransformerEncoderLayer layer, Tensor x, Tensor g) {
    try (GradMode.Scope s = GradMode.noGrad()) {
      float[] y = layer.forward(x).toFloatArray();
      float[] w = g.toFloatArray();
      double sum = 0;
      for (int i = 0; i < y.length; i++) {
        sum += (double) y[i] * w[i];
      }
      return sum;
    }
  }

  private static void check(String activation, boolean weight) {
    TransformerEncoderLayer layer =
        new TransformerEncoderLayer(4, 2, 6, 0.0, activation, 1e-5, false, false);
    layer.initialize(11);
    for (Parameter p : layer.parameters()) {
      p.requiresGrad(false);
    }
    Parameter trained = weight ? layer.linear1.weight : layer.linear1.bias;
    trained.requiresGrad(true);
    Tensor x = Tensor.randn(new Generator(5), 3, 2, 4); // (L, N, E), needs no gradient
    Tensor g = Tensor.randn(new Generator(6), 3, 2, 4);
    layer.forward(x).mul(g).sum().backward();
    Tensor grad = trained.grad();
    String what = activation + " linear1." + (weight ? "weight" : "bias");
    assertTrue(grad != null, what + ": recorded, so it has a gradient");
    assertNull(layer.linear2.weight.grad(), "frozen");
    float[] got = grad.toFloatArray();
    Tensor data = trained.data();
    float[] values = data.toFloatArray();
    for (int i = 0; i < Math.min(values.length, 8); i++) {
      float v = values[i];
      values[i] = v + EPS;
      data.copy_(Tensor.of(values).view(data.shape()));
      double plus = loss(layer, x, g);
      values[i] = v - EPS;
      data.copy_(Tensor.of(values).view(data.shape()));
      double minus = loss(layer, x, g);
      values[i] = v;
      data.copy_(Tensor.of(values).view(data.shape()));
      double want = (plus - minus) / (2 * EPS);
      assertTrue(Math.abs(want - got[i]) <= 3e-3 + 3e-3 * Math.abs(want),
          what + "[" + i + "]: autograd " + got[i] + ", finite differences " + want);
    }
  }

  @Test
  void linear1sBiasAloneMakesTheBlockRecord() {
    check("relu", false);
    check("gelu", false);
  }

  @Test
  void linear1sWeightAloneMakesTheBlockRecord() {
    check("relu", true);
    check("gelu", true);
  }

  @Test
  void sizesMustBePositive() {
    assertEquals("TransformerEncoderLayer: d_model must be greater than 0, got 0", assertThrows(
        IllegalArgumentException.class, () -> new TransformerEncoderLayer(0, 1)).getMessage());
    assertEquals("TransformerEncoderLayer: dim_feedforward must be greater than 0, got 0",
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(4, 2, 0,
            0.0, "relu", 1e-5, false, false)).getMessage());
    assertEquals("TransformerEncoder: num_layers must be greater than 0, got 0",
        assertThrows(IllegalArgumentException.class,
            () -> new TransformerEncoder(new TransformerEncoderLayer(4, 2), 0)).getMessage());
    assertEquals(1, new TransformerEncoder(new TransformerEncoderLayer(4, 2), 1).layers.size());
  }
}
