package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The blocks of golden/attention.yaml (subscripts, views with the input's sizes, masks,
 * arange, attention, stack), compiled and run against PyTorch (fixtures/forward_ops.json, made by
 * tools/fixtures/forward_ops_fixtures.py): state-dict keys and shapes, and outputs for the same
 * weights and input, within 1e-5 relative.
 */
class GeneratedAttentionTest {
  private static ClassLoader loader;
  private static JsonNode torch;

  @BeforeAll
  static void compile() {
    Compilation c = Specs.compileClean("golden/attention.yaml", Specs.resource("golden/attention.yaml"));
    loader = InMemoryJavac.compile(c.files());
    torch = JsonMapper.builder().build().readTree(Specs.resource("fixtures/forward_ops.json"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"CausalSelfAttention", "FusedAttention", "MaskedAttention", "Mlp", "Slices", "Stacked"})
  void matchesPyTorch(String block) throws ReflectiveOperationException {
    JsonNode ref = torch.get(block);
    Module m = GeneratedModelsTest.construct(loader, "com.example.attention." + block, ref.get("args"));
    List<String> keys = new ArrayList<>();
    m.stateDict().forEach((k, t) -> keys.add(k + " " + Arrays.toString(t.shape())));
    List<String> expected = new ArrayList<>();
    ref.get("state_dict").forEach(e -> expected.add(e.get(0).asString() + " "
        + Arrays.toString(GeneratedModelsTest.ints(e.get(1)))));
    assertEquals(expected, keys, "state dict");

    loadPattern(m);
    Tensor x = GeneratedModelsTest.pattern(GeneratedModelsTest.ints(ref.get("input_shape")), k -> Math.cos(0.11 * k));
    Tensor y = m.forward(x);
    assertArrayEquals(GeneratedModelsTest.ints(ref.get("output_shape")), y.shape(), "output shape");
    GeneratedModelsTest.assertClose(ref.get("output"), y, 1e-5, block + " output");
    // the allocation-free forward (buffers, into forms), which never records, twice
    Tensor into = Tensor.zeros(y.shape()).fill_(Float.NaN);
    for (int round = 0; round < 2; round++) {
      GeneratedModelsTest.assertClose(ref.get("output"), m.forward(x, into), 1e-5, block + " forward(x, output)");
    }
  }

  /** stack's backward: the input's gradient of {@code sum(y * g)} through both stacks. */
  @Test
  void stackedInputGradientMatchesPyTorch() throws ReflectiveOperationException {
    JsonNode ref = torch.get("Stacked");
    Module m = GeneratedModelsTest.construct(loader, "com.example.attention.Stacked", ref.get("args"));
    loadPattern(m);
    Tensor x = GeneratedModelsTest.pattern(GeneratedModelsTest.ints(ref.get("input_shape")), k -> Math.cos(0.11 * k))
        .requiresGrad_(true);
    Tensor y = m.forward(x);
    GeneratedModelsTest.assertClose(ref.get("output"), y, 1e-5, "Stacked output, recorded");
    y.mul(GeneratedModelsTest.pattern(y.shape(), k -> Math.sin(0.05 * k))).sum().backward();
    GeneratedModelsTest.assertClose(ref.get("input_grad"), x.grad(), 1e-5, "Stacked input gradient");
  }

  /** Loads the weights the fixture script loads (entry k: sin(0.37 k + len(name)) / 2); eval mode. */
  private static void loadPattern(Module m) {
    Map<String, Tensor> state = new LinkedHashMap<>();
    m.stateDict().forEach((name, t) ->
        state.put(name, GeneratedModelsTest.pattern(t.shape(), k -> Math.sin(0.37 * k + name.length()) / 2)));
    m.loadStateDict(state, true);
    m.eval();
  }
}
