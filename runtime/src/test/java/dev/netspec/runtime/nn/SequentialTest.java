package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequentialTest {
  /**
   * ResNet's downsample, {@code Sequential(Conv2d(1x1, stride 2), BatchNorm2d)}, and the same
   * with a ReLU after it: in eval mode the buffered forward folds the batch norm into the
   * convolution. Against the layers run one after the other (each checked against PyTorch
   * elsewhere); the first call, which sizes the buffers, gives the bits of every later one.
   */
  @Test
  void bufferedForwardFoldsAConvolutionsBatchNormInEvalMode() {
    Generator gen = new Generator(41);
    Conv2d conv = new Conv2d(8, 32, 1, 2, 0, 1, 1, false, "zeros");
    BatchNorm2d bn = new BatchNorm2d(32);
    Tensor.rand(gen, 32).sub_(0.5f).copyInto(bn.runningMean());
    Tensor.rand(gen, 32).add_(0.5f).copyInto(bn.runningVar());
    Tensor.rand(gen, 32).add_(0.5f).copyInto(bn.weight.data());
    Tensor.rand(gen, 32).copyInto(bn.bias.data());
    Tensor x = Tensor.randn(gen, 2, 8, 9, 9);
    for (Sequential net : List.of(new Sequential(conv, bn), new Sequential(conv, bn,
        new ReLU()))) {
      net.eval();
      Tensor want = net.forward(x); // the layers one by one
      Tensor first = net.forward(x, Tensor.zeros(want.shape()));
      Tensor second = net.forward(x, Tensor.zeros(want.shape()));
      assertTrue(first.allclose(want, 1e-5, 1e-5), "folded against the layers apart");
      assertFalse(first.allclose(Tensor.zeros(want.shape()), 0, 0), "an output was written");
      assertArrayEquals(first.toFloatArray(), second.toFloatArray(), "first and second call");
    }
  }

  /** In training mode the pair runs apart: one update of the running statistics per call. */
  @Test
  void bufferedForwardInTrainingModeRunsTheBatchNormOnce() {
    Sequential net = new Sequential(new Conv2d(4, 16, 1, 2, 0, 1, 1, false, "zeros"),
        new BatchNorm2d(16)).train();
    Tensor x = Tensor.randn(new Generator(43), 2, 4, 6, 6);
    net.forward(x, Tensor.zeros(2, 16, 3, 3));
    assertEquals(1L, net.get(1, BatchNorm2d.class).numBatchesTracked().longItem());
  }

  @Test
  void indexAccessCountsFromTheEndAndChecksTheType() {
    Linear first = new Linear(20, 256);
    Linear last = new Linear(256, 10);
    Sequential net = new Sequential(first, new ReLU(), last);
    Linear l = net.get(0, Linear.class);
    assertSame(first, l);
    assertSame(last, net.get(-1));
    assertSame(last, net.get(-1, Linear.class));
    assertSame(last, net.get(2, Module.class));
    assertEquals(3, net.size());
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> net.get(3));
    assertEquals("index 3 is out of range for a Sequential of 3", e.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> net.get(-4));
    assertThrows(IndexOutOfBoundsException.class, () -> net.get(3, Linear.class));
    // The wrong kind fails at the call, naming the index and both classes.
    ClassCastException wrong = assertThrows(ClassCastException.class,
        () -> net.get(1, Linear.class));
    assertEquals("child 1 of this Sequential is a dev.netspec.runtime.nn.ReLU, not a"
        + " dev.netspec.runtime.nn.Linear", wrong.getMessage());
  }

  @Test
  void appendNamesByPositionAndAddNamesExplicitly() {
    Sequential net = new Sequential().append(new Linear(2, 3)).add("act", new Tanh())
        .append(new Linear(3, 1));
    assertEquals(List.of("0", "act", "2"), new ArrayList<>(net.namedChildren().keySet()));
    assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"),
        new ArrayList<>(net.stateDict().keySet()));
  }

  @Test
  void forwardRunsChildrenInOrder() {
    // y = relu(x @ W1.T + b1) @ W2.T + b2, by hand
    Linear a = new Linear(2, 2);
    a.weight.data().copy_(Tensor.of(new float[][] {{1, -1}, {2, 0}}));
    a.bias.data().copy_(Tensor.of(0.5f, -10f));
    Linear b = new Linear(2, 1);
    b.weight.data().copy_(Tensor.of(new float[][] {{3, 4}}));
    b.bias.data().copy_(Tensor.of(1f));
    Sequential net = new Sequential(a, new ReLU(), b);
    Tensor y = net.forward(Tensor.of(new float[][] {{2, 1}, {10, -1}}));
    // row 0: a -> [1.5, -6] -> relu [1.5, 0] -> 3*1.5 + 1 = 5.5
    // row 1: a -> [11.5, 10] -> relu same -> 34.5 + 40 + 1 = 75.5
    assertArrayEquals(new int[] {2, 1}, y.shape());
    assertArrayEquals(new float[] {5.5f, 75.5f}, y.toFloatArray());
  }

  @Test
  void aSharedLayerRunsAtEachPosition() {
    Linear doubler = new Linear(1, 1);
    doubler.weight.data().fill_(2f);
    doubler.bias.data().fill_(0f);
    Sequential net = new Sequential(doubler, doubler, doubler);
    assertEquals(3, net.size());
    List<Module> seen = new ArrayList<>();
    net.forEach(seen::add);
    assertEquals(List.of(doubler, doubler, doubler), seen);
    assertArrayEquals(new float[] {24f}, net.forward(Tensor.of(new float[][] {{3}})).toFloatArray());
    assertEquals(2, net.parameters().size(), "the shared weight and bias count once");
  }

  @Test
  void emptySequentialIsTheIdentity() {
    Tensor x = Tensor.of(1f, 2f);
    assertSame(x, new Sequential().forward(x));
    assertEquals("Sequential()", new Sequential().toString());
  }
}
