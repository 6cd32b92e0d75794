package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A block's children are initialized once, by the outermost block's {@code initialize(seed)}:
 * a child block's own {@code initialize}, at the end of its constructor, is skipped while its
 * parent builds it (before, a block three deep drew its parameters three times). A block built
 * alone still initializes itself, and the values do not depend on how deep it was built.
 */
class ChildInitTest {
  private static final String SPEC = """
      netspec: 1
      package: com.example.init
      blocks:
        Inner:
          layers:
            fc: {linear: {in_features: 4, out_features: 4}, init: {weight: {java: "dev.netspec.compiler.TestInits::counted"}}}
          forward: fc(x)
        Mid:
          sequential: [Inner, relu, Inner]
        Outer:
          input: [batch, 4]
          layers:
            mid: Mid
            list: {module_list: {repeat: 3, layer: Inner}}
            last: {sequential: [Mid]}
          forward: |
            x = mid(x)
            for block in list:
              x = block(x)
            return last(x)
      """;

  private static ClassLoader loader;

  @BeforeAll
  static void compile() {
    loader = InMemoryJavac.compile(Specs.compileClean("init.yaml", SPEC).files());
  }

  private static Module build(String block, long seed) throws ReflectiveOperationException {
    return (Module) loader.loadClass("com.example.init." + block).getConstructor(long.class).newInstance(seed);
  }

  @Test
  void everyLayerIsInitializedOnce() throws Exception {
    TestInits.COUNT.set(0);
    build("Outer", 3);
    assertEquals(2 + 3 + 2, TestInits.COUNT.get(), "one call per Inner's fc.weight");
    TestInits.COUNT.set(0);
    build("Inner", 3);
    assertEquals(1, TestInits.COUNT.get(), "a block built alone initializes itself");
  }

  @Test
  void theValuesAreTheOutermostSeedsDraws() throws Exception {
    Module outer = build("Outer", 3);
    Module again = build("Outer", 3);
    Module other = build("Outer", 4);
    Tensor bias = outer.stateDict().get("mid.0.fc.bias");
    assertEquals(bias.toString(), again.stateDict().get("mid.0.fc.bias").toString());
    assertNotEquals(bias.toString(), other.stateDict().get("mid.0.fc.bias").toString());
    // A child's default initializer draws from the stream of its full state-dict name.
    Module inner = build("Inner", 3);
    assertNotEquals(inner.stateDict().get("fc.bias").toString(), bias.toString());
    outer.initialize(3);
    assertEquals(bias.toString(), outer.stateDict().get("mid.0.fc.bias").toString());
  }

  @Test
  void aLayersInitInsideASequentialModuleListOrModuleDictIsApplied() throws Exception {
    // These were dropped without a word: the layers kept their default (random) values.
    String spec = """
        netspec: 1
        package: com.example.nested
        blocks:
          Nested:
            input: [batch, 2]
            layers:
              body: {sequential: [{linear: {in_features: 2, out_features: 2}, init: {weight: {constant: 0.25}}}, relu]}
              list: {module_list: {repeat: 2, layer: {linear: {in_features: 2, out_features: 2}, init: {bias: {constant: 0.5}}}}}
              dict: {module_dict: {fc: {linear: {in_features: 2, out_features: 2}, init: {weight: {constant: -1}, bias: zeros}}}}
            forward: |
              x = body(x)
              for layer in list:
                x = layer(x)
              return dict.fc(x)
        """;
    Module m = (Module) InMemoryJavac.compile(Specs.compileClean("nested.yaml", spec).files())
        .loadClass("com.example.nested.Nested").getConstructor(long.class).newInstance(7L);
    var state = m.stateDict();
    assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, state.get("body.0.weight").toFloatArray());
    assertArrayEquals(new float[] {0.5f, 0.5f}, state.get("list.0.bias").toFloatArray());
    assertArrayEquals(new float[] {0.5f, 0.5f}, state.get("list.1.bias").toFloatArray());
    assertArrayEquals(new float[] {-1f, -1f, -1f, -1f}, state.get("dict.fc.weight").toFloatArray());
    assertArrayEquals(new float[] {0f, 0f}, state.get("dict.fc.bias").toFloatArray());
    // the layers without an init keep their default draws (not all equal)
    float[] bias = state.get("body.0.bias").toFloatArray();
    assertNotEquals(bias[0], bias[1]);
    // and initialize(seed) applies them again
    state.get("dict.fc.weight").fill_(3f);
    m.initialize(7);
    assertArrayEquals(new float[] {-1f, -1f, -1f, -1f}, m.stateDict().get("dict.fc.weight").toFloatArray());
  }
}
