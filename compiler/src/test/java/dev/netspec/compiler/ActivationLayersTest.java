package dev.netspec.compiler;

import static dev.netspec.compiler.ActivationFunctionsTest.assertClose;
import static dev.netspec.compiler.ActivationFunctionsTest.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The layer kinds {@code silu} ({@code nn.SiLU}) and {@code leaky_relu} ({@code nn.LeakyReLU}),
 * one block each ({@code sequential: <list>}), against PyTorch 1.13 ({@code
 * fixtures/activation_layers.json}, made by {@code tools/fixtures/activation_layers_fixtures.py}):
 * the repr {@code inspect} prints and the generated class prints, forward(x), the allocation-free
 * forward(x, out) and the gradient autograd leaves in the input.
 */
class ActivationLayersTest {
  private static JsonNode cases;
  private static Compilation compilation;
  private static ClassLoader loader;

  @BeforeAll
  static void compile() {
    cases = JsonMapper.builder().build().readTree(Specs.resource("fixtures/activation_layers.json")).get("cases");
    StringBuilder spec = new StringBuilder("netspec: 1\npackage: com.example.acts\nblocks:\n");
    for (int i = 0; i < cases.size(); i++) {
      spec.append("  L").append(i).append(":\n    input: [batch, 8]\n    sequential: ")
          .append(cases.get(i).get("sequential").asString()).append('\n');
    }
    // a block argument as the slope
    spec.append("  Slope:\n    args: {slope: float}\n    input: [batch, 8]\n    sequential: [{leaky_relu: slope}]\n");
    compilation = Specs.compileClean("acts.yaml", spec.toString());
    loader = InMemoryJavac.compile(compilation.files());
  }

  @Test
  void matchPyTorchReprForwardIntoAndBackward() throws ReflectiveOperationException {
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      String what = c.get("sequential").asString();
      String repr = c.get("repr").asString();
      assertEquals(repr, compilation.inspect("L" + i, null).repr(), what + ": inspect's repr");
      Module m = (Module) loader.loadClass("com.example.acts.L" + i).getConstructor().newInstance();
      assertEquals(repr, m.toString(), what + ": the class's repr");
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
  }

  @Test
  void aBlockArgumentSetsTheSlope() throws ReflectiveOperationException {
    JsonNode c = cases.get(3);
    assertEquals("[{leaky_relu: 0.2}]", c.get("sequential").asString());
    Module m = (Module) loader.loadClass("com.example.acts.Slope").getConstructor(double.class).newInstance(0.2);
    assertEquals(c.get("repr").asString(), m.toString());
    assertClose(tensor(c.get("y")), m.forward(tensor(c.get("inputs").get(0))), "slope 0.2 as an argument");
  }

  @Test
  void theGeneratedJavaBuildsTheRuntimeLayers() {
    String source = Specs.compileClean("t.yaml", """
        netspec: 1
        package: p
        blocks:
          Net:
            input: [batch, 8]
            sequential: [silu, {silu: {inplace: true}}, leaky_relu, {leaky_relu: 0.2},
              {leaky_relu: {inplace: true}}]
        """).files().get(0).content();
    for (String built : List.of("new SiLU()", "new SiLU(true)", "new LeakyReLU()", "new LeakyReLU(0.2)",
        "new LeakyReLU(0.01, true)")) {
      assertTrue(source.contains(built), built + " in\n" + source);
    }
  }
}
