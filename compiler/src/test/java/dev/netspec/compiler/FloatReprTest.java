package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Floats print as PyTorch prints them ({@code eps=1e-05}, not {@code 0.00001}), against
 * PyTorch 1.13's own reprs ({@code fixtures/float_reprs.json}, made by {@code
 * tools/fixtures/float_repr_fixtures.py}): what {@code inspect} shows and what the generated
 * class's toString() prints, and the numbers of a forward in {@code inspect}'s graph as Python's
 * {@code repr} of the float they read as.
 */
class FloatReprTest {
  private static JsonNode fixture;
  private static Compilation compilation;
  private static ClassLoader loader;

  @BeforeAll
  static void compile() {
    fixture = JsonMapper.builder().build().readTree(Specs.resource("fixtures/float_reprs.json"));
    StringBuilder spec = new StringBuilder("netspec: 1\npackage: com.example.reprs\nblocks:\n");
    JsonNode cases = fixture.get("cases");
    for (int i = 0; i < cases.size(); i++) {
      spec.append("  R").append(i).append(":\n    input: [batch, 4, 6, 6]\n    sequential: ")
          .append(cases.get(i).get("sequential").asString()).append('\n');
    }
    JsonNode numbers = fixture.get("numbers");
    for (int i = 0; i < numbers.size(); i++) {
      spec.append("  N").append(i).append(":\n    input: [batch, 4]\n    forward: x * ")
          .append(numbers.get(i).get(0).asString()).append('\n');
    }
    compilation = Specs.compileClean("reprs.yaml", spec.toString());
    loader = InMemoryJavac.compile(compilation.files());
  }

  @Test
  void layerReprsAreTheOnesPyTorchPrints() throws ReflectiveOperationException {
    JsonNode cases = fixture.get("cases");
    for (int i = 0; i < cases.size(); i++) {
      String what = cases.get(i).get("sequential").asString();
      String repr = cases.get(i).get("repr").asString();
      assertEquals(repr, compilation.inspect("R" + i, null).repr(), what + ": inspect");
      Module m = (Module) loader.loadClass("com.example.reprs.R" + i).getConstructor().newInstance();
      assertEquals(repr, m.toString(), what + ": the class's toString()");
    }
  }

  @Test
  void aForwardsNumbersShowAsPythonsRepr() {
    JsonNode numbers = fixture.get("numbers");
    for (int i = 0; i < numbers.size(); i++) {
      String written = numbers.get(i).get(0).asString();
      String python = numbers.get(i).get(1).asString();
      String dot = compilation.inspect("N" + i, null).dot();
      assertTrue(dot.contains("label=\"mul(·, " + python + ")\""),
          written + " shows as " + python + " in\n" + dot);
    }
  }
}
