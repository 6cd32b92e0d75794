package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@code forward(x, out)}: the layers' allocation-free entry point, checked by hand. */
class ForwardIntoTest {
  private static final Tensor X = Tensor.of(new float[][] {{-2f, 0f, 1f}, {0.5f, -0.25f, 3f}});

  @Test
  void linearWritesXTimesWeightTPlusBias() {
    Linear l = new Linear(3, 2);
    l.weight.data().copy_(Tensor.of(new float[][] {{1, 2, 3}, {-1, 0, 1}}));
    l.bias.data().copy_(Tensor.of(0.5f, -0.5f));
    Tensor out = Tensor.full(Float.NaN, 2, 2);
    assertSame(out, l.forward(X, out));
    assertArrayEquals(new float[] {1.5f, 2.5f, 9.5f, 2f}, out.toFloatArray(), 1e-6f);
    // An in-place edit of the weight after a forward is seen by the next one (repacked).
    l.weight.data().mul_(2f);
    l.forward(X, out);
    assertArrayEquals(new float[] {2.5f, 5.5f, 18.5f, 4.5f}, out.toFloatArray(), 1e-6f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> l.forward(Tensor.zeros(2, 4), out));
    assertEquals("Linear(in_features=3): expected an input whose last dim is 3, got shape [2, 4]",
        e.getMessage());
  }

  @Test
  void lazyLinearMaterializesAtItsFirstForwardInto() {
    LazyLinear l = new LazyLinear(2);
    Tensor out = Tensor.full(Float.NaN, 2, 2);
    l.forward(X, out);
    assertEquals(3, l.inFeatures());
    float[] viaForward = l.forward(X).toFloatArray();
    assertArrayEquals(viaForward, l.forward(X, Tensor.zeros(2, 2)).toFloatArray(), 1e-6f);
    assertArrayEquals(viaForward, out.toFloatArray(), 1e-6f);
  }

  @Test
  void elementwiseLayersWriteIntoOutOrInPlace() {
    float[] relu = {0f, 0f, 1f, 0.5f, 0f, 3f};
    assertArrayEquals(relu, new ReLU().forward(X, Tensor.zeros(2, 3)).toFloatArray());
    Tensor own = X.clone();
    assertSame(own, new ReLU().forward(own, own));
    assertArrayEquals(relu, own.toFloatArray());
    assertArrayEquals(X.toFloatArray(), new Identity().forward(X, Tensor.zeros(2, 3)).toFloatArray());
    float[] sigmoid = new float[6];
    float[] tanh = new float[6];
    float[] x = X.toFloatArray();
    for (int i = 0; i < 6; i++) {
      sigmoid[i] = (float) (1 / (1 + Math.exp(-x[i])));
      tanh[i] = (float) Math.tanh(x[i]);
    }
    assertArrayEquals(sigmoid, new Sigmoid().forward(X, Tensor.zeros(2, 3)).toFloatArray(), 1e-6f);
    assertArrayEquals(tanh, new Tanh().forward(X, Tensor.zeros(2, 3)).toFloatArray(), 1e-6f);
    // GELU(1) = 0.8413447 (PyTorch), GELU(-2) = -0.04550026.
    Tensor g = new GELU().forward(X, Tensor.zeros(2, 3));
    assertEquals(0.8413447f, g.get(0, 2), 1e-6f);
    assertEquals(-0.04550026f, g.get(0, 0), 1e-6f);
    // The tanh approximation: 0.8411920 at 1 (PyTorch).
    assertEquals(0.841192f, new GELU("tanh").forward(X, Tensor.zeros(2, 3)).get(0, 2), 1e-6f);
  }

  @Test
  void layerNormByHand() {
    LayerNorm n = new LayerNorm(4);
    n.weight.data().fill_(2f);
    n.bias.data().fill_(1f);
    Tensor x = Tensor.of(new float[][] {{1f, 2f, 3f, 4f}, {-3f, -3f, -3f, -3f}});
    Tensor out = Tensor.full(Float.NaN, 2, 4);
    assertSame(out, n.forward(x, out));
    // Row 0: mean 2.5, biased variance 1.25; row 1: all equal, so (x - mean) = 0.
    double s = Math.sqrt(1.25 + 1e-5);
    float[] want = new float[8];
    for (int i = 0; i < 4; i++) {
      want[i] = (float) (2 * ((i + 1) - 2.5) / s + 1);
      want[4 + i] = 1f;
    }
    assertArrayEquals(want, out.toFloatArray(), 1e-5f);
    // A strided input takes the copying path and agrees.
    assertArrayEquals(want, n.forward(x.t().contiguous().t(), Tensor.zeros(2, 4)).toFloatArray(), 1e-5f);
  }

  @Test
  void dropoutCopiesInEvalAndDropsInTraining() {
    Dropout d = new Dropout(0.5);
    d.eval();
    assertArrayEquals(X.toFloatArray(), d.forward(X, Tensor.zeros(2, 3)).toFloatArray());
    d.train();
    Tensor out = d.forward(Tensor.ones(100, 10), Tensor.zeros(100, 10));
    for (float v : out.toFloatArray()) {
      assertEquals(true, v == 0f || v == 2f, "dropped (0) or scaled by 1 / (1 - p) (2): " + v);
    }
  }

  @Test
  void sequentialKeepsOneBufferPerChildAndFollowsChanges() {
    Linear first = new Linear(3, 2);
    first.weight.data().copy_(Tensor.of(new float[][] {{1, 1, 1}, {-1, 0, 0}}));
    first.bias.data().zero_();
    Sequential s = new Sequential(first, new ReLU());
    float[] want = {0f, 2f, 3.25f, 0f}; // relu of (-1, 2) and (3.25, -0.5)
    for (int round = 0; round < 2; round++) {
      assertArrayEquals(want, s.forward(X, Tensor.zeros(2, 2)).toFloatArray(), 1e-6f);
    }
    // Another batch size, then a child appended: the buffers follow.
    assertArrayEquals(new float[] {0f, 2f}, s.forward(X.narrow(0, 0, 1).contiguous(), Tensor.zeros(1, 2))
        .toFloatArray(), 1e-6f);
    Linear sum = new Linear(2, 1);
    sum.weight.data().fill_(1f);
    sum.bias.data().fill_(0.5f);
    s.append(sum);
    assertArrayEquals(new float[] {2.5f, 3.75f}, s.forward(X, Tensor.zeros(2, 1)).toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {2.5f, 3.75f}, s.forward(X, Tensor.zeros(2, 1)).toFloatArray(), 1e-6f);
  }

  @Test
  void sequentialIntoMatchesItsForward() {
    Sequential s = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    Tensor out = Tensor.full(Float.NaN, 2, 2);
    assertSame(out, s.forward(X, out));
    assertArrayEquals(s.forward(X).toFloatArray(), out.toFloatArray(), 1e-6f);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> s.forward(X, Tensor.zeros(2)));
    assertEquals("linear: output of shape [2] does not hold the result for input [2, 4] and weight"
        + " [2, 4]", e.getMessage());
  }
}
