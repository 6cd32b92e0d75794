package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * LayerNorm's paths: the one-pass kernel path of {@code forward(x, out)} allocates nothing
 * and marks {@code out} as edited; shapes it cannot take get one clear error, never numbers
 * computed over the wrong rows; values by hand (mean and biased variance per row).
 */
class LayerNormTest {
  /** Rows {1, 2, 3, 4} and {-3, -3, -3, -3}: means 2.5 and -3, biased variances 1.25 and 0. */
  private static final float[][] ROWS = {{1f, 2f, 3f, 4f}, {-3f, -3f, -3f, -3f}};

  private static float[] byHand(double weight, double bias, double eps) {
    double s = Math.sqrt(1.25 + eps);
    float[] want = new float[8];
    for (int i = 0; i < 4; i++) {
      want[i] = (float) (weight * ((i + 1) - 2.5) / s + bias);
      want[4 + i] = (float) bias;
    }
    return want;
  }

  @Test
  void twoNormalizedDimsAndNoAffine() {
    // LayerNorm([2, 2]) over x of shape [2, 2, 2] normalizes each 2x2 block: the same rows.
    LayerNorm n = new LayerNorm(new int[] {2, 2}, 1e-3, false);
    assertNull(n.weight);
    Tensor x = Tensor.of(ROWS).reshape(2, 2, 2);
    float[] want = byHand(1, 0, 1e-3);
    assertArrayEquals(want, n.forward(x).toFloatArray(), 1e-5f);
    Tensor out = Tensor.zeros(2, 2, 2);
    assertSame(out, n.forward(x, out));
    assertArrayEquals(want, out.toFloatArray(), 1e-5f);
    // A transposed view of the same values takes the copying path and agrees.
    Tensor strided = Tensor.of(ROWS).reshape(2, 2, 2).transpose(1, 2).contiguous().transpose(1, 2);
    assertFalse(strided.isContiguous());
    assertArrayEquals(want, n.forward(strided).toFloatArray(), 1e-5f);
    assertArrayEquals(want, n.forward(strided, Tensor.zeros(2, 2, 2)).toFloatArray(), 1e-5f);
  }

  @Test
  void forwardIntoBumpsTheVersion() {
    LayerNorm n = new LayerNorm(4);
    n.weight.data().fill_(2f);
    n.bias.data().fill_(1f);
    Tensor x = Tensor.of(ROWS);
    Tensor out = Tensor.zeros(2, 4);
    long before = out.version();
    n.forward(x, out);
    assertTrue(out.version() > before, "out was edited in place");
    assertArrayEquals(byHand(2, 1, 1e-5), out.toFloatArray(), 1e-5f);
    LayerNorm plain = new LayerNorm(new int[] {4}, 1e-5, false);
    plain.forward(x, out);
    assertArrayEquals(byHand(1, 0, 1e-5), out.toFloatArray(), 1e-5f);
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true|paths",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true (or =paths)")
  @Test
  void forwardIntoAllocatesNothing() {
    LayerNorm n = new LayerNorm(4);
    Tensor x = Tensor.of(ROWS);
    Tensor out = Tensor.zeros(2, 4);
    assertEquals(0, Allocations.steadyStateBytes(() -> n.forward(x, out), 2_000, 100));
    LayerNorm plain = new LayerNorm(new int[] {4}, 1e-5, false);
    assertEquals(0, Allocations.steadyStateBytes(() -> plain.forward(x, out), 2_000, 100));
  }

  @Test
  void residualFormNormalizesTheSum() {
    // x + residual = ROWS, so the rows by hand; the sum is never handed in.
    LayerNorm n = new LayerNorm(4);
    n.weight.data().fill_(2f);
    n.bias.data().fill_(1f);
    Tensor residual = Tensor.of(new float[][] {{0.5f, -1f, 7f, 0.25f}, {3f, -2f, 0f, 1e3f}});
    Tensor x = Tensor.of(ROWS).sub(residual);
    Tensor out = Tensor.zeros(2, 4);
    long before = out.version();
    assertSame(out, n.forwardResidual(x, residual, out));
    assertTrue(out.version() > before, "out was edited in place");
    assertArrayEquals(byHand(2, 1, 1e-5), out.toFloatArray(), 1e-4f);
    assertArrayEquals(Tensor.of(ROWS).sub(residual).toFloatArray(), x.toFloatArray(), "x unchanged");
  }

  @Test
  void residualFormIsTheAddThenTheNormBitForBit() {
    LayerNorm n = new LayerNorm(new int[] {3, 40}, 1e-12, true);
    Tensor x = Tensor.zeros(2, 5, 3, 40);
    Tensor residual = Tensor.zeros(2, 5, 3, 40);
    float[] xs = x.array();
    float[] rs = residual.array();
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) Math.sin(i * 0.37) * 3;
      rs[i] = (float) Math.cos(i * 1.3) + 0.5f;
    }
    for (int i = 0; i < 120; i++) {
      n.weight.data().array()[i] = 1 + 0.01f * i;
      n.bias.data().array()[i] = -0.5f + 0.02f * i;
    }
    float[] want = n.forward(x.add(residual), Tensor.zeros(2, 5, 3, 40)).toFloatArray();
    assertArrayEquals(want, n.forwardResidual(x, residual, Tensor.zeros(2, 5, 3, 40)).toFloatArray());
    // The paths that add first agree: a broadcast residual, out over an input, a strided x.
    Tensor row = residual.narrow(0, 0, 1).narrow(1, 0, 1).contiguous(); // (1, 1, 3, 40)
    assertArrayEquals(n.forward(x.add(row), Tensor.zeros(2, 5, 3, 40)).toFloatArray(),
        n.forwardResidual(x, row, Tensor.zeros(2, 5, 3, 40)).toFloatArray());
    Tensor over = residual.clone();
    assertArrayEquals(want, n.forwardResidual(x, over, over).toFloatArray());
    Tensor strided = x.transpose(0, 1).contiguous().transpose(0, 1);
    assertFalse(strided.isContiguous());
    assertArrayEquals(want, n.forwardResidual(strided, residual, Tensor.zeros(2, 5, 3, 40))
        .toFloatArray());
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true|paths",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true (or =paths)")
  @Test
  void residualFormAllocatesNothing() {
    LayerNorm n = new LayerNorm(4);
    Tensor x = Tensor.of(ROWS);
    Tensor residual = Tensor.of(ROWS);
    Tensor out = Tensor.zeros(2, 4);
    assertEquals(0, Allocations.steadyStateBytes(() -> n.forwardResidual(x, residual, out),
        2_000, 100));
  }

  @Test
  void inPlaceIntoItsOwnInput() {
    LayerNorm n = new LayerNorm(4);
    Tensor x = Tensor.of(ROWS);
    assertSame(x, n.forward(x, x));
    assertArrayEquals(byHand(1, 0, 1e-5), x.toFloatArray(), 1e-5f);
  }

  @Test
  void shapesItCannotTakeAreRefused() {
    LayerNorm n = new LayerNorm(new int[] {2, 4});
    IllegalArgumentException shortInput = assertThrows(IllegalArgumentException.class,
        () -> n.forward(Tensor.ones(4)));
    assertEquals("layer_norm: input shape [4] does not end with normalized shape [2, 4]",
        shortInput.getMessage());
    assertThrows(IllegalArgumentException.class, () -> n.forward(Tensor.ones(4), Tensor.ones(4)));
    IllegalArgumentException wrongEnd = assertThrows(IllegalArgumentException.class,
        () -> n.forward(Tensor.ones(4, 2), Tensor.ones(4, 2)));
    assertEquals("layer_norm: input shape [4, 2] does not end with normalized shape [2, 4]",
        wrongEnd.getMessage());
    // An out of another shape (same element count) is refused, not filled row by row.
    Tensor x = Tensor.ones(3, 2, 4);
    assertThrows(IllegalArgumentException.class, () -> n.forward(x, Tensor.zeros(2, 3, 4)));
    assertThrows(IllegalArgumentException.class, () -> n.forward(x, Tensor.zeros(6, 4)));
  }

  @Test
  void argumentsAccessorsAndModes() {
    LayerNorm n = new LayerNorm(new int[] {3, 2}, 1e-3, true);
    assertArrayEquals(new int[] {3, 2}, n.normalizedShape());
    assertEquals(1e-3, n.eps());
    n.normalizedShape()[0] = 99;
    assertArrayEquals(new int[] {3, 2}, n.normalizedShape(), "a copy");
    assertSame(n, n.eval());
    assertFalse(n.isTraining());
    assertSame(n, n.train());
    assertTrue(n.isTraining());
    assertSame(n, n.train(false));
    assertEquals("LayerNorm: eps must be at least 0, got -1.0", assertThrows(
        IllegalArgumentException.class, () -> new LayerNorm(new int[] {2}, -1, true)).getMessage());
    assertEquals("LayerNorm needs at least one normalized dim", assertThrows(
        IllegalArgumentException.class, () -> new LayerNorm(new int[0])).getMessage());
  }
  @Test
  void epsZeroIsPyTorchs() {
    // nn.LayerNorm(4, eps=0): mean 2.5, biased variance 1.25, so (x - 2.5) / sqrt(1.25); a
    // constant row divides 0 by 0 and is NaN, as in PyTorch 1.13.
    LayerNorm n = new LayerNorm(new int[] {4}, 0, true);
    float[] y = n.forward(Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 5, 5, 5}, 2, 4)).toFloatArray();
    float s = (float) Math.sqrt(1.25);
    assertArrayEquals(new float[] {-1.5f / s, -0.5f / s, 0.5f / s, 1.5f / s}, Arrays.copyOf(y, 4), 1e-6f);
    for (int i = 4; i < 8; i++) {
      assertTrue(Float.isNaN(y[i]), "constant row " + i);
    }
  }
  @Test
  void anInputWhoseFirstNormalizedDimDiffersIsRefusedOnEveryPath() {
    // PyTorch 1.13: nn.LayerNorm([2, 4])(torch.zeros(3, 4)) raises "Given normalized_shape=[2, 4],
    // expected input with shape [*, 2, 4], but got input of size[3, 4]": 12 elements would fit
    // the 8-element rows, so only the shape check tells them apart.
    LayerNorm n = new LayerNorm(new int[] {2, 4});
    String expected = "layer_norm: input shape [3, 4] does not end with normalized shape [2, 4]";
    assertEquals(expected, assertThrows(IllegalArgumentException.class,
        () -> n.forward(Tensor.zeros(3, 4))).getMessage());
    assertEquals(expected, assertThrows(IllegalArgumentException.class,
        () -> n.forward(Tensor.zeros(3, 4), Tensor.zeros(3, 4))).getMessage());
  }
}
