package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequentialTest {
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
