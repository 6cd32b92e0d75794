package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
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
 * The generated tutorial models, compiled and run: reprs, state-dict keys, parameter counts and
 * outputs against PyTorch ({@code tools/fixtures/compiler_tutorial.py}), and inspection against
 * the running model.
 */
class GeneratedModelsTest {
  private static final String PKG = "com.example.models.";
  private static Compilation compilation;
  private static ClassLoader loader;
  private static JsonNode torch;

  @BeforeAll
  static void compile() {
    compilation = Specs.compileClean("golden/tutorial.yaml", Specs.resource("golden/tutorial.yaml"));
    loader = InMemoryJavac.compile(compilation.files());
    torch = JsonMapper.builder().build().readTree(Specs.resource("fixtures/tutorial.json"));
  }

  static Module build(String block, Object... args) throws ReflectiveOperationException {
    Class<?> cls = loader.loadClass(PKG + block);
    for (var ctor : cls.getConstructors()) {
      if (ctor.getParameterCount() == args.length) {
        return (Module) ctor.newInstance(args);
      }
    }
    throw new AssertionError("no constructor with " + args.length + " arguments in " + block);
  }

  static Module build(String block) throws ReflectiveOperationException {
    return block.equals("MyLinear") ? build(block, 5, 3) : build(block, new Object[0]);
  }

  /** The fixture's deterministic tensor: value k is f(k), rounded to float32. */
  static Tensor pattern(int[] shape, java.util.function.IntToDoubleFunction f) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] v = new float[n];
    for (int k = 0; k < n; k++) {
      v[k] = (float) f.applyAsDouble(k);
    }
    return Tensor.fromArray(v, shape);
  }

  static void loadPatternWeights(Module m) {
    Map<String, Tensor> state = new LinkedHashMap<>();
    m.stateDict().forEach((name, t) ->
        state.put(name, pattern(t.shape(), k -> Math.sin(0.37 * k + name.length()) * 0.5)));
    m.loadStateDict(state, true);
  }

  /** A new {@code className} from {@code loader}, built with the fixture's int arguments. */
  static Module construct(ClassLoader loader, String className, JsonNode args) throws ReflectiveOperationException {
    Object[] values = new Object[args.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = args.get(i).asInt();
    }
    for (var ctor : loader.loadClass(className).getConstructors()) {
      if (ctor.getParameterCount() == values.length) {
        return (Module) ctor.newInstance(values);
      }
    }
    throw new AssertionError("no constructor with " + values.length + " arguments in " + className);
  }

  /** {@code y} against PyTorch's {@code want}, element by element, within {@code tolerance * max(1, |want|)}. */
  static void assertClose(JsonNode want, Tensor y, double tolerance, String what) {
    float[] got = y.contiguous().toFloatArray();
    assertEquals(want.size(), got.length, what + " size");
    for (int i = 0; i < got.length; i++) {
      double w = want.get(i).asDouble();
      assertEquals(w, got[i], tolerance * Math.max(1, Math.abs(w)), what + "[" + i + "]");
    }
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"Mlp", "TwoLayer", "FixedHiddenMlp", "NestMlp", "Shared", "RgNet",
      "Centered", "MyLinear", "Tuned"})
  void matchesPyTorch(String block) throws ReflectiveOperationException {
    JsonNode ref = torch.get(block);
    Module m = build(block);
    assertEquals(ref.get("repr").asString(), m.toString(), "repr");
    List<String> keys = new ArrayList<>();
    m.stateDict().forEach((k, t) -> keys.add(k + " " + java.util.Arrays.toString(t.shape())));
    List<String> expectedKeys = new ArrayList<>();
    ref.get("state_dict").forEach(e -> expectedKeys.add(e.get(0).asString() + " "
        + java.util.Arrays.toString(ints(e.get(1)))));
    assertEquals(expectedKeys, keys, "state dict");
    long params = 0;
    for (Parameter p : m.parameters()) {
      params += p.data().numel();
    }
    assertEquals(ref.get("parameters").asLong(), params, "parameters (shared once)");

    loadPatternWeights(m);
    Tensor x = pattern(ints(ref.get("input_shape")), k -> Math.cos(0.11 * k));
    Tensor y = m.forward(x);
    assertArrayEquals(ints(ref.get("output_shape")), y.shape(), "output shape");
    float[] got = y.contiguous().toFloatArray();
    JsonNode want = ref.get("output");
    assertEquals(want.size(), got.length);
    for (int i = 0; i < got.length; i++) {
      double w = want.get(i).asDouble();
      assertEquals(w, got[i], 1e-5 + 1e-4 * Math.abs(w), block + " output[" + i + "]");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Mlp", "TwoLayer", "FixedHiddenMlp", "NestMlp", "Shared", "RgNet",
      "Centered", "Tuned"})
  void inspectionMatchesPyTorch(String block) {
    JsonNode ref = torch.get(block);
    Inspection in = compilation.inspect(block, ints(ref.get("input_shape")));
    assertEquals(ref.get("repr").asString(), in.repr());
    List<String> entries = new ArrayList<>();
    in.stateDict().forEach(e -> entries.add(e.name() + " " + e.shape()));
    List<String> expected = new ArrayList<>();
    ref.get("state_dict").forEach(e -> {
      List<Object> shape = new ArrayList<>();
      e.get(1).forEach(d -> shape.add(d.asInt()));
      expected.add(e.get(0).asString() + " " + shape);
    });
    assertEquals(expected, entries);
    assertEquals(ref.get("parameters").asLong(), in.parameters());
    assertEquals(4 * ref.get("parameters").asLong(), in.parameterBytes());
    List<Object> outShape = new ArrayList<>();
    ref.get("output_shape").forEach(d -> outShape.add(d.asInt()));
    assertEquals(outShape, in.outputShape());
  }

  @Test
  void lazyLayersPrintAsPyTorchAndMaterializeAtTheFirstForward() throws ReflectiveOperationException {
    Module m = build("LazyBoth");
    assertEquals(torch.get("LazyBeforeForward").get("repr").asString(), m.toString());
    assertEquals(m.toString(), compilation.inspect("LazyBoth", null).repr());
    assertThrows(IllegalStateException.class, m::stateDict);
    Tensor y = m.forward(pattern(new int[] {2, 7}, k -> k));
    assertArrayEquals(new int[] {2, 10}, y.shape());
    assertArrayEquals(new int[] {256, 7}, m.stateDict().get("0.weight").shape());
    assertArrayEquals(new int[] {10, 256}, m.stateDict().get("2.weight").shape());
    Inspection at = compilation.inspect("Lazy", new int[] {2, 7});
    assertEquals(List.of(256, 7), at.stateDict().get(0).shape());
    assertEquals(List.of("batch", "?"), compilation.inspect("Lazy", null).inputShape());
  }

  @Test
  void sharedLayerIsOneModuleUnderTwoNames() throws ReflectiveOperationException {
    Module m = build("Shared");
    assertSame(m.stateDict().get("2.weight"), m.stateDict().get("4.weight"));
    assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias"),
        new ArrayList<>(m.namedParameters().keySet()));
  }

  @Test
  void sameSeedSameWeightsOtherSeedOtherWeights() throws ReflectiveOperationException {
    Module a = build("RgNet", 7L);
    Module b = build("RgNet", 7L);
    Module c = build("RgNet", 8L);
    Tensor wa = a.stateDict().get("0.block2.0.weight");
    assertTrue(wa.contentEquals(b.stateDict().get("0.block2.0.weight")));
    assertTrue(!wa.contentEquals(c.stateDict().get("0.block2.0.weight")));
    // Repeated blocks get different weights: each draws from its own state-dict name.
    assertTrue(!wa.contentEquals(a.stateDict().get("0.block3.0.weight")));
  }

  @Test
  void initRulesAndLayerInitsApplyAfterTheDefaults() throws ReflectiveOperationException {
    Module m = build("Tuned", 3L);
    Map<String, Tensor> s = m.stateDict();
    for (float v : s.get("0.bias").toFloatArray()) {
      assertEquals(0f, v);
    }
    for (float v : s.get("2.bias").toFloatArray()) {
      assertEquals(0f, v);
    }
    // normal(0, 0.01): 32 draws all within 6 standard deviations, and not all zero.
    float[] w0 = s.get("0.weight").toFloatArray();
    double sq = 0;
    for (float v : w0) {
      assertTrue(Math.abs(v) < 0.06, "0.weight value " + v);
      sq += v * v;
    }
    assertTrue(sq > 0);
    // 2.weight: the layer's own xavier_uniform wins over the rule: bound sqrt(6 / (8 + 1)).
    double bound = Math.sqrt(6.0 / 9);
    double max = 0;
    for (float v : s.get("2.weight").toFloatArray()) {
      assertTrue(Math.abs(v) <= bound);
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max > 0.06, "xavier_uniform, not normal(0, 0.01): max |w| = " + max);
  }

  @Test
  void bufferInitAndMyLinearParameters() throws ReflectiveOperationException {
    Module m = build("FixedHiddenMlp", 1L);
    for (float v : m.stateDict().get("rand_weight").toFloatArray()) {
      assertTrue(v >= 0 && v < 1, "uniform(0, 1): " + v);
    }
    Module lin = build("MyLinear", 64, 8, 2L);
    assertArrayEquals(new int[] {64, 8}, lin.stateDict().get("weight").shape());
    assertArrayEquals(new int[] {8}, lin.stateDict().get("bias").shape());
    assertNotEquals(0f, lin.stateDict().get("weight").toFloatArray()[0]);
  }

  @Test
  void keywordChildrenKeepTheirPyTorchNames() throws ReflectiveOperationException {
    Compilation names = Specs.compileClean("golden/names.yaml", Specs.resource("golden/names.yaml"));
    ClassLoader l = InMemoryJavac.compile(names.files());
    Module m = (Module) l.loadClass("com.example.names.Keywords").getConstructor().newInstance();
    assertEquals(List.of("class.weight", "class.bias", "new.weight", "new.bias", "x.weight", "x.bias"),
        new ArrayList<>(m.stateDict().keySet()));
    Tensor y = m.forward(pattern(new int[] {3, 6}, k -> k * 0.1));
    assertArrayEquals(new int[] {3, 3}, y.shape());
    Module stats = (Module) l.loadClass("com.example.names.Stats").getConstructor().newInstance();
    assertEquals(List.of("scale"), new ArrayList<>(stats.stateDict().keySet()));
    Tensor z = stats.forward(pattern(new int[] {2, 4}, k -> k * 0.25 - 1));
    assertArrayEquals(new int[] {2, 2}, z.shape());
  }
}
