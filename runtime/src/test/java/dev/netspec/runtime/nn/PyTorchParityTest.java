package dev.netspec.runtime.nn;

import static dev.netspec.runtime.nn.Fixtures.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reprs, names, orders and load_state_dict errors of {@link Structures}, against what
 * PyTorch 1.13 printed for the same structures ({@code fixtures/nn/modules.json}).
 */
class PyTorchParityTest {
  private static final Map<String, Object> FIXTURE = Fixtures.load("modules.json");

  static Stream<String> structures() {
    return map(FIXTURE.get("structures")).keySet().stream();
  }

  static Stream<String> loadCases() {
    return map(FIXTURE.get("load")).keySet().stream();
  }

  private static Map<String, Object> expected(String structure) {
    return map(map(FIXTURE.get("structures")).get(structure));
  }

  @ParameterizedTest
  @MethodSource("structures")
  void reprIsPyTorchs(String structure) {
    assertEquals(expected(structure).get("repr"), Structures.make(structure).toString());
  }

  @ParameterizedTest
  @MethodSource("structures")
  void stateDictKeysAndShapesArePyTorchs(String structure) {
    assertEquals(Fixtures.shapes(expected(structure).get("state_dict")),
        shapesOf(Structures.make(structure).stateDict()));
  }

  @ParameterizedTest
  @MethodSource("structures")
  void namedParametersAndBuffersArePyTorchs(String structure) {
    Module m = Structures.make(structure);
    Map<String, Tensor> params = new LinkedHashMap<>();
    m.namedParameters().forEach((k, p) -> params.put(k, p.data()));
    assertEquals(Fixtures.shapes(expected(structure).get("named_parameters")), shapesOf(params));
    assertEquals(Fixtures.shapes(expected(structure).get("named_buffers")),
        shapesOf(m.namedBuffers()));
    long count = m.parameters().stream().mapToLong(p -> p.data().numel()).sum();
    assertEquals(((Number) expected(structure).get("parameter_count")).longValue(), count);
  }

  @ParameterizedTest
  @MethodSource("structures")
  void moduleNamesAndApplyOrderArePyTorchs(String structure) {
    Module m = Structures.make(structure);
    assertEquals(expected(structure).get("named_modules"), new ArrayList<>(m.namedModules().keySet()));
    assertEquals(expected(structure).get("named_children"),
        new ArrayList<>(m.namedChildren().keySet()));
    Map<Module, String> names = new IdentityHashMap<>();
    m.namedModules().forEach((name, module) -> names.put(module, name));
    List<String> order = new ArrayList<>();
    m.apply(module -> order.add(names.get(module)));
    assertEquals(expected(structure).get("apply_order"), order);
  }

  @ParameterizedTest
  @MethodSource("loadCases")
  void loadStateDictReportsWhatPyTorchReports(String name) {
    Map<String, Object> c = map(map(FIXTURE.get("load")).get(name));
    Module m = Structures.make((String) c.get("structure"));
    Map<String, Tensor> state = new LinkedHashMap<>();
    Fixtures.shapes(c.get("keys")).forEach((k, shape) ->
        state.put(k, Tensor.zeros(shape.stream().mapToInt(Integer::intValue).toArray())));
    boolean strict = (Boolean) c.get("strict");
    if (c.containsKey("error")) {
      StateDictException e = assertThrows(StateDictException.class,
          () -> m.loadStateDict(state, strict));
      assertEquals(c.get("error"), e.getMessage());
    } else {
      Module.LoadResult r = m.loadStateDict(state, strict);
      assertEquals(c.get("missing"), r.missingKeys());
      assertEquals(c.get("unexpected"), r.unexpectedKeys());
    }
  }

  @Test
  void lazyLinearPrintsAsPyTorchBeforeAndAfterTheFirstForward() {
    Map<String, Object> lazy = map(FIXTURE.get("lazy"));
    LazyLinear layer = new LazyLinear(10);
    assertEquals(lazy.get("before"), layer.toString());
    assertEquals(lazy.get("weight_before"), layer.weight.toString());
    layer.forward(Tensor.zeros(2, 20));
    assertEquals(lazy.get("after"), layer.toString());
    assertEquals(Fixtures.shapes(lazy.get("after_state_dict")), shapesOf(layer.stateDict()));

    Sequential seq = new Sequential(new LazyLinear(256), new ReLU(), new LazyLinear(10, false));
    assertEquals(lazy.get("seq_before"), seq.toString());
    seq.forward(Tensor.zeros(3, 7));
    assertEquals(lazy.get("seq_after"), seq.toString());
    assertEquals(Fixtures.shapes(lazy.get("seq_state_dict")), shapesOf(seq.stateDict()));

    // loading gives the shapes, not in_features; the class changes at the first forward
    LazyLinear loaded = new LazyLinear(4);
    loaded.loadStateDict(new Linear(6, 4).stateDict(), true);
    assertEquals(lazy.get("loaded"), loaded.toString());
    assertEquals(0, loaded.inFeatures());
    loaded.forward(Tensor.zeros(2, 6));
    assertEquals(lazy.get("loaded_after"), loaded.toString());
    assertEquals(0, loaded.inFeatures());
  }

  private static Map<String, List<Integer>> shapesOf(Map<String, Tensor> tensors) {
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    tensors.forEach((k, t) -> {
      List<Integer> dims = new ArrayList<>();
      for (int d : t.shape()) {
        dims.add(d);
      }
      out.put(k, dims);
    });
    return out;
  }

  @Test
  void fixtureListsAreNonEmpty() {
    // guards the parameterized tests above against an empty or truncated fixture
    assertEquals(10, map(FIXTURE.get("structures")).size());
    assertEquals(7, map(FIXTURE.get("load")).size());
  }
}
