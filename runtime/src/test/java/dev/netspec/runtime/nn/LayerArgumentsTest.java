package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Layer arguments at their limits and the accessors PyTorch users read ({@code dim},
 * {@code inplace}, {@code bias}), with values by hand: Linear's init bounds
 * (U(-1/sqrt(fan_in), 1/sqrt(fan_in)), zeros for fan_in 0), LazyLinear without a bias,
 * LSTM's pair of initial states, softmax, flatten, and a batch norm fold with eps 0.
 */
class LayerArgumentsTest {
  @Test
  void linearSizesAndBiasBounds() {
    Linear empty = new Linear(0, 3); // nn.Linear(0, 3) is valid: its bias is zeros
    assertArrayEquals(new float[3], empty.bias.data().toFloatArray());
    assertEquals("in_features must be >= 0, got -1",
        assertThrows(IllegalArgumentException.class, () -> new Linear(-1, 3)).getMessage());
    Linear l = new Linear(16, 64); // bound 1/4
    assertSame(l.bias, l.bias());
    assertSame(l.weight, l.weight());
    double max = 0;
    for (float b : l.bias.data().toFloatArray()) {
      assertTrue(Math.abs(b) <= 0.25, b + " outside +-1/4");
      max = Math.max(max, Math.abs(b));
    }
    assertTrue(max > 0.125, "64 draws from U(-1/4, 1/4) reach past 1/8: " + max);
    assertEquals(null, new Linear(2, 2, false).bias());
  }

  @Test
  void aLazyLinearWithoutBiasIsMaterializedByItsFirstForward() {
    LazyLinear lazy = new LazyLinear(3, false);
    assertFalse(lazy.isMaterialized());
    lazy.forward(Tensor.zeros(2, 5));
    assertTrue(lazy.isMaterialized());
    assertEquals(5, lazy.inFeatures());
  }

  @Test
  void anLstmTakesBothInitialStatesOrNeither() {
    LSTM lstm = new LSTM(2, 3);
    Tensor x = Tensor.zeros(4, 1, 2);
    LSTM.Output out = lstm.newOutput(x);
    Tensor h0 = Tensor.zeros(1, 1, 3);
    for (Runnable call : new Runnable[] {() -> lstm.forwardInto(x, h0, null, out),
        () -> lstm.forwardInto(x, null, h0, out), () -> lstm.forwardWithState(x, h0, null)}) {
      assertEquals("LSTM: give both initial states h0 and c0, or neither (zeros)",
          assertThrows(IllegalArgumentException.class, call::run).getMessage());
    }
    assertSame(out, lstm.forwardInto(x, null, null, out));
  }

  @Test
  void softmaxFlattenAndReluAsPyTorch() {
    Softmax softmax = new Softmax(-2);
    assertEquals(-2, softmax.dim());
    // softmax of (0, ln 3) over dim 0: (1/4, 3/4)
    Tensor x = Tensor.of(0f, (float) Math.log(3)).view(2, 1);
    assertArrayEquals(new float[] {0.25f, 0.75f}, softmax.forward(x).toFloatArray(), 1e-6f);
    Tensor out = Tensor.zeros(2, 1);
    assertSame(out, softmax.forward(x, out));
    assertArrayEquals(new float[] {0.25f, 0.75f}, out.toFloatArray(), 1e-6f);
    LogSoftmax log = new LogSoftmax(-1);
    assertEquals(-1, log.dim());
    assertArrayEquals(new float[] {(float) Math.log(0.25), (float) Math.log(0.75)},
        log.forward(x.view(1, 2)).toFloatArray(), 1e-6f);
    Tensor logOut = Tensor.zeros(1, 2);
    assertSame(logOut, log.forward(x.view(1, 2), logOut));
    assertArrayEquals(new float[] {(float) Math.log(0.25), (float) Math.log(0.75)},
        logOut.toFloatArray(), 1e-6f);
    Tensor flat = Tensor.zeros(2, 12);
    assertSame(flat, new Flatten().forward(Tensor.ones(2, 3, 4), flat));
    assertEquals(24f, flat.sum().item(), "every element copied");
    assertArrayEquals(new int[] {2, 12}, new Flatten().forward(Tensor.zeros(2, 3, 4)).shape());
    assertArrayEquals(new int[] {6, 4}, new Flatten(0, 1).forward(Tensor.zeros(2, 3, 4)).shape());
    assertTrue(new ReLU(true).inplace());
    assertFalse(new ReLU().inplace());
  }

  @Test
  void aFoldTakesEpsZero() {
    BatchNormFold fold = new BatchNormFold(Tensor.zeros(2), Tensor.ones(2), null, null, 0.0);
    assertEquals(0.0, fold.eps());
    assertEquals("batch norm fold: eps must be at least 0, got -1.0E-9", assertThrows(
        IllegalArgumentException.class,
        () -> new BatchNormFold(Tensor.zeros(2), Tensor.ones(2), null, null, -1e-9))
        .getMessage());
  }
}
