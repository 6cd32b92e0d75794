package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The tutorial's custom layers, checked against PyTorch. */
class CustomLayersTest {
  @Test
  void centeredLayer() {
    CenteredLayer layer = new CenteredLayer();

    Tensor y = layer.forward(Tensor.of(1, 2, 3, 4, 5));

    assertEquals(Fixture.of("centered").text("layer_1_to_5"), y.toString());
  }

  @Test
  void centeredLayerInAModel() throws IOException {
    Fixture fixture = Fixture.of("centered");
    Sequential net = new Sequential(new Linear(8, 128), new CenteredLayer());
    SafeTensors.loadStateDict(net, fixture.weights(), true);

    Tensor y = net.forward(fixture.io("X"));

    assertEquals(fixture.text("repr"), net.toString());
    Fixture.assertClose(fixture.io("Y"), y, "centered output");
    assertTrue(Math.abs(y.mean().item()) < 1e-6, "mean " + y.mean());
  }

  @Test
  void myLinear() throws IOException {
    Fixture fixture = Fixture.of("my_linear");
    MyLinear dense = new MyLinear(5, 3);
    SafeTensors.loadStateDict(dense, fixture.weights(), true);

    Tensor y = dense.forward(fixture.io("X"));

    assertEquals(fixture.text("weight"), dense.weight.toString());
    Fixture.assertClose(fixture.io("Y"), y, "MyLinear output");
    assertEquals(fixture.text("output"), y.toString());
  }

  @Test
  void modelOfMyLinears() throws IOException {
    Sequential net = new Sequential(new MyLinear(64, 8), new MyLinear(8, 1));
    Fixture.of("my_linear_net").assertRunsLikePyTorch(net);
  }

  @Test
  void myLinearDrawsStandardNormalWeightsFromItsSeed() {
    MyLinear dense = new MyLinear(64, 8);
    Tensor w = dense.weight.data().clone();
    double sumOfSquares = 0;
    for (float v : w.toFloatArray()) {
      sumOfSquares += (double) v * v;
    }

    // 512 draws of N(0, 1): the mean square is 1 with a standard error of 0.0625
    assertTrue(Math.abs(sumOfSquares / w.numel() - 1) < 0.25, "mean square " + sumOfSquares);
    assertTrue(w.contentEquals(new MyLinear(64, 8).weight.data()), "same seed, same weights");
    dense.initialize(1);
    assertFalse(w.contentEquals(dense.weight.data()), "another seed, other weights");
  }
}
