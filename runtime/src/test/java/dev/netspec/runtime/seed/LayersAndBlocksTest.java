package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tutorial's "layers and blocks" programs, checked against PyTorch. */
class LayersAndBlocksTest {
  @Test
  void sequentialMlp() throws IOException {
    Fixture fixture = Fixture.of("sequential_mlp");
    Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
    SafeTensors.loadStateDict(net, fixture.weights(), true); // the weights PyTorch used
    Tensor x = fixture.io("X"); // the input PyTorch used, torch.rand(2, 20)

    Tensor y = net.forward(x);

    Fixture.assertClose(fixture.io("Y"), y, "output");
    assertEquals(fixture.text("output"), y.toString()); // print(net(X))
    assertEquals(fixture.text("repr"), net.toString()); // print(net)
  }

  @Test
  void customBlock() throws IOException {
    MLP net = new MLP();
    Fixture.of("mlp").assertRunsLikePyTorch(net);
  }

  @Test
  void mySequentialRunsItsBlocksInOrder() throws IOException {
    Fixture fixture = Fixture.of("my_sequential");
    MySequential net = new MySequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
    SafeTensors.loadStateDict(net, fixture.weights(), true);
    Tensor[] y = new Tensor[1];

    String log = Fixture.stdout(() -> y[0] = net.forward(fixture.io("X")));

    assertEquals(fixture.text("forward_log"), log);
    Fixture.assertClose(fixture.io("Y"), y[0], "MySequential output");
    assertEquals(fixture.text("output"), y[0].toString());
    // PyTorch cannot print its MySequential (children keyed by object); the Java one prints
    // as PyTorch prints the same children in an nn.Sequential
    String sequentialRepr = Fixture.of("sequential_mlp").text("repr");
    assertEquals(sequentialRepr.replaceFirst("^Sequential", "MySequential"), net.toString());
  }

  @Test
  void fixedHiddenMlp() throws IOException {
    Fixture fixture = Fixture.of("fixed_hidden_mlp");
    FixedHiddenMLP net = new FixedHiddenMLP(fixture.io("rand_weight"));
    fixture.assertRunsLikePyTorch(net);
  }

  @Test
  void fixedHiddenMlpScalesItsOutputIntoTheUnitInterval() {
    FixedHiddenMLP net = new FixedHiddenMLP(new Generator(42));
    Tensor x = Tensor.rand(new Generator(7), 2, 20).mul(100f);

    Tensor y = net.forward(x);

    assertEquals(0, y.dim(), "sum() gives a scalar");
    assertTrue(Math.abs(y.item()) <= 1, "the loop halves until sum(|x|) <= 1, got " + y);
    assertEquals(List.of("linear.weight", "linear.bias"), List.copyOf(net.stateDict().keySet()),
        "the constant weight stays out of the state dict");
  }

  @Test
  void chimera() throws IOException {
    Fixture fixture = Fixture.of("chimera");
    Sequential chimera = new Sequential(new NestMLP(), new Linear(16, 20),
        new FixedHiddenMLP(fixture.io("rand_weight")));
    fixture.assertRunsLikePyTorch(chimera);
  }
}
