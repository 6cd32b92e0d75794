package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.LazyLinear;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The tutorial's deferred initialization ({@code nn.LazyLinear}), checked against PyTorch. */
class DeferredInitTest {
  @Test
  void lazyLinearLearnsItsInputSizeAtTheFirstForward() throws IOException {
    Fixture fixture = Fixture.of("lazy");
    Sequential net = new Sequential(new LazyLinear(256), new ReLU(), new LazyLinear(10));
    assertEquals(fixture.text("repr_before"), net.toString());
    IllegalStateException early = assertThrows(IllegalStateException.class, net::stateDict);
    assertTrue(early.getMessage().contains("0.weight, 0.bias, 2.weight, 2.bias")
        && early.getMessage().contains("run a forward first"), early.getMessage());

    net.forward(fixture.io("X"));

    assertEquals(fixture.text("repr"), net.toString());
    assertEquals(fixture.text("state_dict"),
        Fixture.stdout(() -> Fixture.printShapes(net.stateDict())));
    fixture.assertRunsLikePyTorch(net);
  }

  @Test
  void loadingWeightsMaterializesLazyLayers() throws IOException {
    Fixture fixture = Fixture.of("lazy");
    Sequential net = new Sequential(new LazyLinear(256), new ReLU(), new LazyLinear(10));

    SafeTensors.loadStateDict(net, fixture.weights(), true);

    // PyTorch's load_state_dict changes neither the class nor in_features of a lazy layer
    assertEquals(fixture.text("repr_before"), net.toString());
    Fixture.assertClose(fixture.io("Y"), net.forward(fixture.io("X")), "lazy net output");
  }
}
