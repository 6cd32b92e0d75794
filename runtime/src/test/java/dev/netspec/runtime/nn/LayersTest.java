package dev.netspec.runtime.nn;

import static dev.netspec.runtime.nn.Fixtures.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every builtin layer's forward and repr against PyTorch 1.13 for the same weights and
 * inputs ({@code fixtures/nn/layers.json}). Tolerance: |got - want| <= 1e-5 + 1e-5 * |want|
 * (float32 sums in another order; GELU's erf and exp differ in the last bits).
 */
class LayersTest {
  private static final double RTOL = 1e-5;
  private static final double ATOL = 1e-5;
  private static final Map<String, Object> FIXTURE = Fixtures.load("layers.json");
  private static final Map<String, Supplier<Module>> LAYERS = Map.ofEntries(
      Map.entry("linear", () -> new Linear(4, 5)),
      Map.entry("linear_3d", () -> new Linear(4, 5)),
      Map.entry("linear_nobias", () -> new Linear(4, 5, false)),
      Map.entry("relu", ReLU::new),
      Map.entry("sigmoid", Sigmoid::new),
      Map.entry("tanh", Tanh::new),
      Map.entry("gelu", GELU::new),
      Map.entry("gelu_tanh", () -> new GELU("tanh")),
      Map.entry("softmax_last", () -> new Softmax(-1)),
      Map.entry("softmax_0", () -> new Softmax(0)),
      Map.entry("log_softmax_1", () -> new LogSoftmax(1)),
      Map.entry("dropout_eval", () -> new Dropout(0.5)),
      Map.entry("flatten", Flatten::new),
      Map.entry("flatten_0_1", () -> new Flatten(0, 1)),
      Map.entry("identity", Identity::new),
      Map.entry("layer_norm", () -> new LayerNorm(4)),
      Map.entry("layer_norm_2d", () -> new LayerNorm(new int[] {3, 4}, 1e-3, false)));

  static Stream<String> cases() {
    return FIXTURE.keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void forwardMatchesPyTorch(String name) {
    Map<String, Object> c = map(FIXTURE.get(name));
    Module layer = LAYERS.get(name).get();
    layer.eval();
    map(c.get("params")).forEach((param, value) ->
        layer.getParameter(param).data().copy_(Fixtures.tensor(value)));
    Tensor want = Fixtures.tensor(c.get("output"));
    Tensor got = layer.forward(Fixtures.tensor(c.get("input")));
    assertEquals(c.get("repr"), layer.toString());
    assertArrayEquals(want.shape(), got.shape(), name + ": shape");
    float[] w = want.toFloatArray();
    float[] g = got.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      double err = Math.abs(g[i] - w[i]);
      assertTrue(err <= ATOL + RTOL * Math.abs(w[i]), name + ": element " + i + " is " + g[i]
          + ", PyTorch gives " + w[i] + " (tolerance " + ATOL + " + " + RTOL + " * |want|)");
    }
  }

  @Test
  void everyFixtureCaseHasAJavaLayer() {
    assertEquals(LAYERS.keySet(), FIXTURE.keySet());
  }
}
