package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The forward functions {@code silu}, {@code leaky_relu} and {@code clamp}, one block each
 * ({@code return <expr>}), compiled and run against PyTorch 1.13 ({@code
 * fixtures/activation_fns.json}, made by {@code tools/fixtures/activation_fns_fixtures.py}):
 * the output of forward(x) and of the allocation-free forward(x, out), the gradient that
 * autograd leaves in the input through the generated forward, and the errors of their misuse.
 */
class ActivationFunctionsTest {
  private static JsonNode cases;
  private static ClassLoader loader;

  @BeforeAll
  static void compile() {
    cases = JsonMapper.builder().build().readTree(Specs.resource("fixtures/activation_fns.json")).get("cases");
    StringBuilder spec = new StringBuilder("netspec: 1\npackage: com.example.fns\nblocks:\n");
    for (int i = 0; i < cases.size(); i++) {
      spec.append("  F").append(i).append(":\n    input: [batch, 8]\n    forward: |\n      return ")
          .append(cases.get(i).get("expr").asString()).append('\n');
    }
    // the function on a step's own buffer (h is x + 0): the elementwise step may write over it
    spec.append("  InPlace:\n    input: [batch, 8]\n    forward: |\n      h = x + 0\n      return clamp(h, -0.5, 0.7)\n");
    loader = InMemoryJavac.compile(Specs.compileClean("fns.yaml", spec.toString()).files());
  }

  /** A fixture tensor: its shape and its floats as float.hex() (ActivationLayersTest too). */
  static Tensor tensor(JsonNode t) {
    List<Integer> shape = new ArrayList<>();
    t.get("shape").forEach(d -> shape.add(d.asInt()));
    float[] data = new float[t.get("data").size()];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) Double.parseDouble(t.get("data").get(i).asString());
    }
    return Tensor.fromArray(data, shape.stream().mapToInt(Integer::intValue).toArray());
  }

  private static Module block(String name) throws ReflectiveOperationException {
    return (Module) loader.loadClass("com.example.fns." + name).getConstructor().newInstance();
  }

  static void assertClose(Tensor expected, Tensor actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
    float[] e = expected.contiguous().toFloatArray();
    float[] a = actual.contiguous().toFloatArray();
    for (int i = 0; i < e.length; i++) {
      assertTrue(Math.abs(e[i] - a[i]) <= 1e-6 + 1e-6 * Math.abs(e[i]), what + " [" + i + "]: " + e[i] + " vs " + a[i]);
    }
  }

  @Test
  void matchPyTorchForwardIntoAndBackward() throws ReflectiveOperationException {
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      String what = c.get("expr").asString();
      Module m = block("F" + i);
      Tensor expected = tensor(c.get("y"));
      Tensor x = tensor(c.get("inputs").get(0)).requiresGrad_(true);
      Tensor y = m.forward(x);
      assertClose(expected, y, what);
      y.backward(tensor(c.get("g")));
      assertClose(tensor(c.get("grads").get(0)), x.grad(), what + " grad");
      Tensor out = Tensor.zeros(3, 8).fill_(Float.NaN);
      for (int round = 0; round < 2; round++) {
        assertClose(expected, m.forward(tensor(c.get("inputs").get(0)), out), what + " forward(x, out)");
      }
    }
    JsonNode clamp = cases.get(4);
    assertEquals("clamp(x, -0.5, 0.7)", clamp.get("expr").asString());
    Tensor x = tensor(clamp.get("inputs").get(0));
    assertClose(tensor(clamp.get("y")), block("InPlace").forward(x, Tensor.zeros(3, 8)), "clamp over its operand");
  }

  @Test
  void theGeneratedJavaCallsFunctional() {
    String source = Specs.compileClean("t.yaml", """
        netspec: 1
        package: p
        blocks:
          Net:
            input: [batch, 8]
            forward: |
              return clamp(leaky_relu(silu(x), 0.2), max=6)
        """).files().get(0).content();
    assertTrue(source.contains("return Functional.clamp(Functional.leakyRelu(Functional.silu(x), 0.2f),"
        + " Float.NEGATIVE_INFINITY, 6.0f);"), source);
    assertTrue(source.contains("Functional.siluInto(x, siluOut)"), source);
  }

  @Test
  void misuseIsOneErrorAtTheCall() {
    String spec = "netspec: 1\npackage: p\nblocks:\n  Net:\n    input: [batch, 8]\n    forward: |\n      return ";
    assertEquals(List.of("t.yaml:7:14: error: Net: clamp: needs 'min' or 'max', such as clamp(x, min=0) or"
        + " clamp(x, -1, 1)"), Specs.errors(spec + "clamp(x)\n"));
    assertEquals(List.of("t.yaml:7:28: error: Net: leaky_relu: 'negative_slope' must be a number constant"),
        Specs.errors(spec + "leaky_relu(x, x)\n"));
    assertEquals(List.of("t.yaml:7:30: error: Net: clamp: 'max' must be a number constant"),
        Specs.errors(spec + "clamp(x, 0, max=x)\n"));
    assertEquals(List.of("t.yaml:7:14: error: Net: silu takes at most 1 arguments, got 2"),
        Specs.errors(spec + "silu(x, True)\n"));
  }
}
