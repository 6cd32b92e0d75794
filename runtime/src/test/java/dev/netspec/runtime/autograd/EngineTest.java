package dev.netspec.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The tape: recording, the backward walk, accumulation into leaves and parameters, noGrad,
 * printing and the errors PyTorch gives. Expected values are computed by hand in the test.
 */
class EngineTest {
  private static Tensor t(float[] values, int... shape) {
    return Tensor.fromArray(values, shape);
  }

  @Test
  void linearThenSumGivesHandComputedGradients() {
    Linear lin = new Linear(3, 2);
    float[] w = {0.5f, -1f, 2f, 1.5f, 0.25f, -0.5f};
    lin.weight.data().copy_(t(w, 2, 3));
    lin.bias.data().copy_(t(new float[] {0.1f, -0.2f}, 2));
    Tensor x = t(new float[] {1, 2, 3, -1, 0, 4}, 2, 3).requiresGrad_(true);
    Tensor y = lin.forward(x);
    assertEquals("AddmmBackward0", y.gradFn().name());
    Tensor s = y.sum();
    assertEquals("SumBackward0", s.gradFn().name());
    assertTrue(s.toString().endsWith("grad_fn=<SumBackward0>)"), s.toString());
    assertNull(lin.weight.grad());
    s.backward();
    // dL/dW[o][i] = sum over the batch of x[b][i]; dL/db[o] = batch; dL/dx[b][i] = sum_o W[o][i]
    float[] gw = lin.weight.grad().toFloatArray();
    float[] colSums = {0f, 2f, 7f};
    for (int o = 0; o < 2; o++) {
      for (int i = 0; i < 3; i++) {
        assertEquals(colSums[i], gw[o * 3 + i], 0f);
      }
    }
    assertEquals(2f, lin.bias.grad().toFloatArray()[0], 0f);
    float[] gx = x.grad().toFloatArray();
    for (int b = 0; b < 2; b++) {
      for (int i = 0; i < 3; i++) {
        assertEquals(w[i] + w[3 + i], gx[b * 3 + i], 1e-6f);
      }
    }
    assertTrue(x.isLeaf());
    assertFalse(y.isLeaf());
  }

  @Test
  void aLayerUsedTwiceAccumulatesBothUses() {
    Linear lin = new Linear(2, 2);
    float[] w = {1f, 2f, -1f, 0.5f};
    lin.weight.data().copy_(t(w, 2, 2));
    lin.bias.data().copy_(t(new float[] {0f, 1f}, 2));
    float[] xv = {1f, -2f};
    Tensor x = t(xv, 1, 2);
    Tensor h = lin.forward(x);
    lin.forward(h).sum().backward();
    // h = W x + b; L = sum(W h + b): dL/dh_j = sum_o W[o][j]; dL/dW[o][j] = h_j + dL/dh_o * x_j
    float[] hv = new float[2];
    for (int o = 0; o < 2; o++) {
      hv[o] = w[o * 2] * xv[0] + w[o * 2 + 1] * xv[1] + (o == 0 ? 0f : 1f);
    }
    float[] gh = {w[0] + w[2], w[1] + w[3]};
    float[] gw = lin.weight.grad().toFloatArray();
    for (int o = 0; o < 2; o++) {
      for (int j = 0; j < 2; j++) {
        assertEquals(hv[j] + gh[o] * xv[j], gw[o * 2 + j], 1e-6f);
      }
    }
    assertEquals(1f + gh[0], lin.bias.grad().toFloatArray()[0], 1e-6f);
    assertNull(x.grad());
  }

  @Test
  void noGradRecordsNothingAndRestoresTheMode() {
    Linear lin = new Linear(2, 2);
    try (GradMode.Scope scope = GradMode.noGrad()) {
      Tensor y = lin.forward(Tensor.ones(1, 2));
      assertNull(y.gradFn());
      assertFalse(y.requiresGrad());
    }
    assertTrue(GradMode.isEnabled());
    assertEquals("AddmmBackward0", lin.forward(Tensor.ones(1, 2)).gradFn().name());
  }

  @Test
  void severalRootsBackwardInOnePassEvenWhenOneFeedsAnother() {
    // a = 2x, b = 3a + x (b's graph reaches a's node), c = x^2 (independent), and x's own
    // leaf as a root: d/dx of sum(a*ga) + sum(b*gb) + sum(c*gc) + sum(x*gx)
    //   = 2 ga + (6 + 1) gb + 2x gc + gx
    Tensor x = t(new float[] {1, -2}, 2).requiresGrad_(true);
    Tensor a = x.mul(2f);
    Tensor b = a.mul(3f).add(x);
    Tensor c = x.mul(x);
    Tensor ga = t(new float[] {1, 10}, 2);
    Tensor gb = t(new float[] {100, 1000}, 2);
    Tensor gc = t(new float[] {0.5f, 0.25f}, 2);
    Tensor gx = t(new float[] {3, 4}, 2);
    Autograd.backward(new Tensor[] {b, a, c, x}, new Tensor[] {gb, ga, gc, gx});
    float[] g = x.grad().toFloatArray();
    assertEquals(2 * 1 + 7 * 100 + 2 * 1 * 0.5f + 3, g[0], 1e-4f);
    assertEquals(2 * 10 + 7 * 1000 + 2 * -2 * 0.25f + 4, g[1], 1e-3f);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Autograd.backward(new Tensor[] {a, Tensor.ones(2)}, new Tensor[] {ga, ga}));
    assertEquals("element 1 of tensors does not require grad and does not have a grad_fn",
        e.getMessage());
  }

  @Test
  void backwardReachesEveryPathOnce() {
    // two backward passes from two sums of one y: x.grad accumulates to 2 everywhere
    Tensor x = Tensor.ones(1, 3).requiresGrad_(true);
    Linear id = new Linear(3, 3, false);
    id.weight.data().copy_(t(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3));
    Tensor y = id.forward(x);
    Tensor s1 = y.sum();
    Tensor s2 = y.sum();
    s1.backward();
    s2.backward();
    assertEquals(2f, x.grad().toFloatArray()[1], 0f);
  }

  @Test
  void errorsAreThePyTorchOnes() {
    IllegalStateException noGrad = assertThrows(IllegalStateException.class,
        () -> Tensor.ones(2).sum().backward());
    assertTrue(noGrad.getMessage().contains("does not require grad"));
    Linear lin = new Linear(2, 2);
    Tensor y = lin.forward(Tensor.ones(1, 2));
    IllegalArgumentException notScalar = assertThrows(IllegalArgumentException.class,
        y::backward);
    assertTrue(notScalar.getMessage().contains("only for scalar outputs"));
    assertThrows(IllegalStateException.class, () -> y.requiresGrad_(false));
    assertThrows(IllegalStateException.class, () -> lin.weight.data().requiresGrad_(true));
  }

  @Test
  void anInPlaceEditOfASavedTensorIsRefused() {
    Linear lin = new Linear(2, 2);
    Tensor x = Tensor.ones(1, 2).requiresGrad_(true);
    Tensor s = lin.forward(x).sum();
    lin.weight.data().mul_(2f); // saved for x's gradient
    IllegalStateException e = assertThrows(IllegalStateException.class, s::backward);
    assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
  }

  @Test
  void frozenParametersGetNoGradient() {
    Linear lin = new Linear(2, 2);
    lin.weight.requiresGrad(false);
    lin.forward(Tensor.ones(1, 2)).sum().backward();
    assertNull(lin.weight.grad());
    assertEquals(1f, lin.bias.grad().toFloatArray()[0], 0f);
  }

  @Test
  void printsAsPyTorchDoes() {
    Tensor leaf = Tensor.ones(2).requiresGrad_(true);
    assertEquals("tensor([1., 1.], requires_grad=True)", leaf.toString());
    assertEquals("tensor([1., 1.])", leaf.detach().toString());
  }

  @Test
  void anInPlaceEditOfALeafThatRequiresGradIsRefusedWhileRecording() {
    Tensor x = Tensor.ones(2).requiresGrad_(true);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.add_(1f));
    assertEquals("a leaf Variable that requires grad is being used in an in-place operation.",
        e.getMessage());
    assertThrows(IllegalStateException.class, () -> x.set(3f, 0));
    assertEquals(1f, x.get(0), 0f);
    try (GradMode.Scope scope = GradMode.noGrad()) {
      x.mul_(2f); // with torch.no_grad(): x *= 2 is allowed
    }
    assertEquals(2f, x.get(1), 0f);
    Tensor y = x.mul(1f);
    y.add_(1f); // not a leaf: allowed
    Linear lin = new Linear(2, 2);
    lin.weight.data().add_(1f); // param.data[:] += 1: allowed
  }

  @Test
  void recordingRunsOnlyWhereSomeInputRequiresGradAndGradModeIsOn() {
    Tensor a = Tensor.ones(2, 2);
    assertNull(a.exp().add(a).gradFn(), "nothing requires grad");
    Tensor w = Tensor.ones(2, 2).requiresGrad_(true);
    try (GradMode.Scope scope = GradMode.noGrad()) {
      assertNull(a.matmul(w).gradFn(), "no_grad");
      assertFalse(a.matmul(w).requiresGrad());
    }
    Tensor y = a.matmul(w).relu().sum(0, false);
    assertEquals("SumBackward1", y.gradFn().name());
    y.sum().backward();
    assertEquals(2f, w.grad().get(0, 0), 0f); // d sum(relu(a @ w)) / d w = colsum(a) = 2
  }
}
