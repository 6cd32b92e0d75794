package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.FiniteDifferences.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.netspec.runtime.nn.BatchNorm1d;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's accumulation through real modules: a parameter tied with {@code tieParameter}
 * collects the gradients of both layers under both state-dict names; a shared layer's
 * parameters collect both calls; buffers get none; {@code zeroGrad} clears.
 */
class AccumulationTest {

  @Test
  void tiedParametersAccumulateBothUsesUnderBothNames() {
    Sequential net = new Sequential(new Linear(4, 4), new Linear(4, 4, false));
    net.initialize(3);
    net.tieParameter("1.weight", "0.weight");
    Linear first = (Linear) net.child("0");
    Linear second = (Linear) net.child("1");
    Tensor x = randn(1, 2, 4);
    Tensor g = randn(2, 2, 4);
    Tensor h = first.forward(x);
    Tensor dh = LinearGrad.backward(g, h, second.weight(), second.bias(), true);
    LinearGrad.backward(dh, x, first.weight(), first.bias(), false);
    Tensor expected = LinearGrad.weight(g, h).add(LinearGrad.weight(dh, x));
    Parameter a = net.getParameter("0.weight");
    Parameter b = net.getParameter("1.weight");
    assertArrayEquals(expected.toFloatArray(), a.grad().toFloatArray());
    assertSame(a.grad(), b.grad(), "one gradient under both names");
    assertEquals(2, net.parameters().size(), "the tied weight and the first bias, once each");
  }

  @Test
  void buffersGetNoGradientAndZeroGradClears() {
    Sequential net = new Sequential(new Linear(3, 3), new BatchNorm1d(3));
    net.initialize(4);
    Linear lin = (Linear) net.child("0");
    Tensor x = randn(5, 2, 3);
    LinearGrad.backward(randn(6, 2, 3), x, lin.weight(), lin.bias(), false);
    LinearGrad.backward(randn(7, 2, 3), x, lin.weight(), lin.bias(), false);
    for (Parameter p : net.parameters()) {
      if (p == lin.weight() || p == lin.bias()) {
        continue;
      }
      assertNull(p.grad(), "untouched parameters keep a null gradient");
    }
    Tensor twice = LinearGrad.bias(randn(6, 2, 3)).add(LinearGrad.bias(randn(7, 2, 3)));
    assertArrayEquals(twice.toFloatArray(), lin.bias().grad().toFloatArray(), 1e-6f);
    assertEquals(3, net.namedBuffers().size(), "running stats and the batch count: no grads");
    Grads.zeroGrad(net, false);
    assertEquals(0f, lin.weight().grad().abs().sumAsFloat());
    Grads.zeroGrad(net, true);
    assertNull(lin.weight().grad());
  }

  @Test
  void sumToReducesBroadcastDims() {
    Tensor g = Tensor.ones(2, 3, 4);
    assertArrayEquals(new float[] {6, 6, 6, 6}, Grads.sumTo(g, new int[] {4}).toFloatArray());
    assertArrayEquals(new int[] {3, 1}, Grads.sumTo(g, new int[] {3, 1}).shape());
    assertEquals(8f, Grads.sumTo(g, new int[] {3, 1}).get(0, 0));
  }
}
