package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code embedding}, {@code lstm} and {@code gru} kinds against PyTorch
 * (fixtures/rnn_shapes.json, made by tools/fixtures/rnn_shapes.py): the output's and final
 * state's shapes, print(m) and the state-dict keys and shapes, unbatched, batch first, several
 * layers, both directions, without biases, with dropout and padding.
 */
class RnnShapesTest {
  static Stream<JsonNode> cases() {
    JsonNode root = JsonMapper.builder().build().readTree(Specs.resource("fixtures/rnn_shapes.json"));
    List<JsonNode> out = new ArrayList<>();
    root.get("cases").forEach(out::add);
    return out.stream();
  }

  private static List<Object> ints(JsonNode array) {
    List<Object> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void agreesWithPyTorch(JsonNode c) {
    String kind = c.get("kind").asString();
    boolean ids = kind.equals("embedding");
    String input = c.get("input").toString().replace("]", ids ? ", int64]" : "]");
    String forward = ids ? "m(x)" : kind.equals("lstm") ? "|\n      out, (h, c) = m(x)\n      return out, h\n"
        : "|\n      out, h = m(x)\n      return out, h\n";
    String text = "netspec: 1\npackage: p\nblocks:\n  Net:\n    input: " + input + "\n    layers:\n"
        + "      m: {\"" + kind + "\": " + c.get("args") + "}\n    forward: " + forward;
    Inspection in = Specs.compileClean("t.yaml", text).inspect("Net", null);
    assertEquals(ints(c.get("output")), in.outputs().get(0).shape(), text);
    if (!ids) {
      assertEquals(ints(c.get("state_shape")), in.outputs().get(1).shape(), text);
    }
    assertEquals("Net(\n  (m): " + c.get("repr").asString() + "\n)", in.repr(), text);
    List<Inspection.StateEntry> state = new ArrayList<>();
    c.get("state").forEach(e -> state.add(new Inspection.StateEntry("m." + e.get(0).asString(), ints(e.get(1)))));
    assertEquals(state, in.stateDict(), text);
  }
}
