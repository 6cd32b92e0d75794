package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The example of docs/training.md's "Autograd" section, its gradient checked by hand. */
class AutogradDocTest {
  @Test
  void theTutorialMlpBackward() {
    Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
    Tensor x = Tensor.rand(new Generator(1), 2, 20).requiresGrad_(true);
    Tensor y = net.forward(x); // tensor([...], grad_fn=<AddmmBackward0>)
    y.sum().backward(); // every parameter and x get their grad()
    Tensor g = net.getParameter("0.weight").grad(); // (256, 20)
    try (GradMode.Scope scope = GradMode.noGrad()) { // with torch.no_grad():
      Tensor z = net.forward(x); // records nothing: z.gradFn() is null
      assertNull(z.gradFn());
    }
    assertEquals("AddmmBackward0", y.gradFn().name());
    assertArrayEquals(new int[] {256, 20}, g.shape());
    // By hand: d sum(y) / d W1[j][i] = sum over the batch of [h[b][j] > 0] * colsum(W2)[j] * x[b][i]
    Tensor w1 = net.getParameter("0.weight").data();
    Tensor b1 = net.getParameter("0.bias").data();
    Tensor w2 = net.getParameter("2.weight").data();
    for (int j = 0; j < 256; j += 37) {
      double col = 0;
      for (int o = 0; o < 10; o++) {
        col += w2.get(o, j);
      }
      for (int i = 0; i < 20; i += 7) {
        double expected = 0;
        for (int b = 0; b < 2; b++) {
          double h = b1.get(j);
          for (int k = 0; k < 20; k++) {
            h += (double) w1.get(j, k) * x.get(b, k);
          }
          expected += h > 0 ? col * x.get(b, i) : 0;
        }
        assertEquals(expected, g.get(j, i), 1e-5, "grad W1[" + j + "][" + i + "]");
      }
    }
  }
}
