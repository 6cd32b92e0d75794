package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The convolutional blocks of golden/cnn.yaml, compiled and run against PyTorch
 * (fixtures/cnn.json, made by tools/fixtures/cnn_fixtures.py): repr, state-dict keys and
 * shapes, and eval-mode outputs for the same weights and input.
 */
class GeneratedCnnTest {
  private static ClassLoader loader;
  private static JsonNode torch;

  @BeforeAll
  static void compile() {
    Compilation c = Specs.compileClean("golden/cnn.yaml", Specs.resource("golden/cnn.yaml"));
    loader = InMemoryJavac.compile(c.files());
    torch = JsonMapper.builder().build().readTree(Specs.resource("fixtures/cnn.json"));
  }

  private static Module build(String block, JsonNode args) throws ReflectiveOperationException {
    return GeneratedModelsTest.construct(loader, "com.example.cnn." + block, args);
  }

  /** The fixture's weights: float entry value k is sin(0.37 k + len(name)) / 2, a variance shifted by 1. */
  private static void loadPatternWeights(Module m) {
    Map<String, Tensor> state = new LinkedHashMap<>();
    m.stateDict().forEach((name, t) -> {
      if (t.dtype() == DType.FLOAT32) {
        double shift = name.endsWith("running_var") ? 1 : 0;
        state.put(name, GeneratedModelsTest.pattern(t.shape(), k -> shift + Math.sin(0.37 * k + name.length()) / 2));
      } else {
        state.put(name, t);
      }
    });
    m.loadStateDict(state, true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"LeNet", "Stem", "Signal", "Mixed", "BasicBlock", "Pooled", "PooledSignal"})
  void matchesPyTorch(String block) throws ReflectiveOperationException {
    JsonNode ref = torch.get(block);
    Module m = build(block, ref.get("args"));
    assertEquals(ref.get("repr").asString(), m.toString(), "repr");
    List<String> keys = new ArrayList<>();
    m.stateDict().forEach((k, t) -> keys.add(k + " " + java.util.Arrays.toString(t.shape())));
    List<String> expected = new ArrayList<>();
    ref.get("state_dict").forEach(e -> expected.add(e.get(0).asString() + " "
        + java.util.Arrays.toString(GeneratedModelsTest.ints(e.get(1)))));
    assertEquals(expected, keys, "state dict");

    loadPatternWeights(m);
    m.eval();
    Tensor x = GeneratedModelsTest.pattern(GeneratedModelsTest.ints(ref.get("input_shape")), k -> Math.cos(0.11 * k));
    Tensor y = m.forward(x);
    assertArrayEquals(GeneratedModelsTest.ints(ref.get("output_shape")), y.shape(), "output shape");
    float[] got = y.contiguous().toFloatArray();
    JsonNode want = ref.get("output");
    assertEquals(want.size(), got.length);
    for (int i = 0; i < got.length; i++) {
      double w = want.get(i).asDouble();
      assertEquals(w, got[i], 1e-4 + 1e-4 * Math.abs(w), block + " output[" + i + "]");
    }
  }

  @Test
  void aSymbolicInputTooSmallForTheWindowsFailsWithOneMessage() throws ReflectiveOperationException {
    // PyTorch refuses this stack at length 2 ("Output size is too small") and runs it at 3
    Module m = build("Signal", torch.get("Signal").get("args"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> m.forward(Tensor.zeros(1, 2, 2)));
    assertEquals("Signal: input (batch, 2, length) needs length >= 3, got [1, 2, 2]", e.getMessage());
    assertArrayEquals(new int[] {1, 4, 1}, m.forward(Tensor.zeros(1, 2, 3)).shape());
  }
}
