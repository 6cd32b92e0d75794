package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import dev.netspec.runtime.tensor.TensorFormat;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Layer behaviour beyond the PyTorch forward fixtures: modes, lazy shapes, errors. */
class LayerBehaviorTest {
  @Test
  void linearLaysItsWeightOutAsPyTorch() {
    Linear l = new Linear(20, 256);
    assertArrayEquals(new int[] {256, 20}, l.weight.shape());
    assertArrayEquals(new int[] {256}, l.bias.shape());
    assertEquals(20, l.inFeatures());
    assertEquals(256, l.outFeatures());
    assertSame(l.weight, l.weight());
    Linear noBias = new Linear(3, 4, false);
    assertNull(noBias.bias);
    assertNull(noBias.bias());
    assertEquals(Map.of("weight", noBias.weight), noBias.namedParameters());
  }

  @Test
  void linearNamesTheInputItCannotTake() {
    Linear l = new Linear(20, 256);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> l.forward(Tensor.zeros(2, 21)));
    assertEquals("Linear(in_features=20): expected an input whose last dim is 20, got shape"
        + " [2, 21]", e.getMessage());
    assertEquals("out_features must be >= 0, got -1",
        assertThrows(IllegalArgumentException.class, () -> new Linear(2, -1)).getMessage());
  }

  @Test
  void lazyLinearLearnsItsInputSizeOnce() {
    LazyLinear l = new LazyLinear(3);
    assertFalse(l.isMaterialized());
    assertEquals(0, l.inFeatures());
    assertTrue(l instanceof Linear);
    assertArrayEquals(new int[] {2, 5, 3}, l.forward(Tensor.zeros(2, 5, 7)).shape());
    assertTrue(l.isMaterialized());
    assertEquals(7, l.inFeatures());
    assertArrayEquals(new int[] {3, 7}, l.weight.shape());
    assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(2, 8)));
  }

  @Test
  void dropoutIsTheIdentityInEvalAndSeededInTraining() {
    Tensor x = Tensor.ones(200, 500);
    Dropout d = new Dropout(0.3);
    d.eval();
    assertSame(x, d.forward(x));
    d.train();
    float[] y = d.forward(x).toFloatArray();
    int zeros = 0;
    for (float v : y) {
      if (v == 0) {
        zeros++;
      } else {
        assertEquals(1 / 0.7, v, 1e-6, "kept values are scaled by 1 / (1 - p)");
      }
    }
    // 30% of 100 000 zeroed, sd sqrt(n p (1 - p)) = 145: within 6 sd
    assertEquals(30_000, zeros, 6 * 145);
    // a seeded model draws the same masks on every run
    Sequential a = new Sequential(new Dropout(0.5)).initialize(3);
    Sequential b = new Sequential(new Dropout(0.5)).initialize(3);
    Tensor first = a.forward(x);
    assertTrue(first.contentEquals(b.forward(x)));
    assertFalse(first.contentEquals(a.forward(x)), "each forward draws a fresh mask");
  }

  @Test
  void dropoutRefusesABadProbabilityAsPyTorch() {
    assertEquals("dropout probability has to be between 0 and 1, but got 1.5",
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN));
    // PyTorch 1.13: F.dropout(torch.ones(3), p=float('nan')) raises RuntimeError "dropout
    // probability has to be between 0 and 1, but got nan".
    assertEquals("dropout probability has to be between 0 and 1, but got nan",
        assertThrows(IllegalArgumentException.class,
            () -> Functional.dropout(Tensor.ones(3), Float.NaN, true, null)).getMessage());
    assertEquals("dropout probability has to be between 0 and 1, but got 1.1",
        assertThrows(IllegalArgumentException.class,
            () -> Functional.dropout(Tensor.ones(3), 1.1f, true, null)).getMessage());
    Tensor x = Tensor.ones(3);
    assertTrue(new Dropout(1).forward(x).contentEquals(Tensor.zeros(3)));
    assertTrue(new Dropout(0).forward(x).contentEquals(x));
  }

  @Test
  void geluKnowsPyTorchsTwoModes() {
    assertEquals("GELU: approximate must be 'none' or 'tanh', got 'erf'",
        assertThrows(IllegalArgumentException.class, () -> new GELU("erf")).getMessage());
    assertEquals("GELU(approximate='none')", new GELU("none").toString());
  }

  @Test
  void layerNormStartsAsTheIdentityAffineMap() {
    LayerNorm ln = new LayerNorm(new int[] {2, 3}, 1e-5, true);
    assertTrue(ln.weight.data().contentEquals(Tensor.ones(2, 3)));
    assertTrue(ln.bias.data().contentEquals(Tensor.zeros(2, 3)));
    ln.weight.data().fill_(5f);
    ln.initialize(1);
    assertTrue(ln.weight.data().contentEquals(Tensor.ones(2, 3)), "reset: ones again");
    assertEquals("LayerNorm: normalized dims must be positive, got (0,)",
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm(0)).getMessage());
    assertEquals(Map.of(), new LayerNorm(new int[] {4}, 1e-5, false).namedParameters());
  }

  @Test
  void parameterPrintsAsPyTorch() {
    Map<String, Object> p = Fixtures.map(Fixtures.load("modules.json").get("parameter"));
    Parameter param = new Parameter(Tensor.of(-0.25f, 1.5f));
    assertTrue(param.toString().startsWith("Parameter containing:\ntensor("));
    Assumptions.assumeTrue(TensorFormat.format(Tensor.of(-0.25f, 1.5f), "")
        .equals("tensor([-0.2500,  1.5000])"), "TensorFormat does not print as PyTorch yet");
    assertEquals(p.get("repr"), param.toString());
    assertEquals(p.get("frozen_repr"),
        new Parameter(Tensor.of(2f)).requiresGrad(false).toString());
  }
}
