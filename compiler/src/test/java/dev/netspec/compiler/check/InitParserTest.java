package dev.netspec.compiler.check;

import static dev.netspec.compiler.check.Checked.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.InitRule;
import dev.netspec.compiler.check.Model.InitSpec;
import dev.netspec.compiler.check.Model.TensorDecl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@link InitParser} reads from each way of writing an initializer: the kind, PyTorch's
 * defaults for what is left out ({@code nn.init.normal_(mean=0, std=1)}, {@code uniform_(a=0,
 * b=1)}), the values given, the positions, and that a wrong initializer drops only itself.
 */
class InitParserTest {
  private static Map<String, InitSpec> layerInit(String init) {
    Block b = Checked.block(spec(
        "  B:",
        "    input: [batch, 4]",
        "    layers:",
        "      fc: {linear: 3, init: " + init + "}",
        "    forward: fc(x)"), "B");
    return ((BuiltinUse) b.children().get(0).use()).init();
  }

  private static void assertInit(String kind, double a, double b, InitSpec s) {
    assertEquals(kind, s.kind());
    assertEquals(a, s.a(), kind + " first value");
    assertEquals(b, s.b(), kind + " second value");
  }

  @Test
  void bareNamesTakePyTorchsDefaults() {
    assertInit("normal", 0, 1, layerInit("{weight: normal}").get("weight"));
    assertInit("uniform", 0, 1, layerInit("{weight: uniform}").get("weight"));
    for (String k : List.of("zeros", "ones", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal")) {
      InitSpec s = layerInit("{bias: " + k + "}").get("bias");
      assertInit(k, 0, 0, s);
      assertNull(s.javaClass());
    }
  }

  @Test
  void givenValuesReplaceOnlyTheirDefault() {
    assertInit("normal", 0, 0.02, layerInit("{weight: {normal: {std: 0.02}}}").get("weight"));
    assertInit("normal", 1.5, 1, layerInit("{weight: {normal: {mean: 1.5}}}").get("weight"));
    assertInit("normal", -1, 3, layerInit("{weight: {normal: {mean: -1, std: 3}}}").get("weight"));
    assertInit("uniform", -2, 1, layerInit("{weight: {uniform: {low: -2}}}").get("weight"));
    assertInit("uniform", 0, 3, layerInit("{weight: {uniform: {high: 3}}}").get("weight"));
    assertInit("uniform", 0, 1, layerInit("{weight: {uniform: {}}}").get("weight"));
    assertInit("constant", 0.25, 0, layerInit("{weight: {constant: 0.25}}").get("weight"));
  }

  @Test
  void theEdgesPyTorchAcceptsAreAccepted() {
    // torch.nn.init.normal_(w, std=0) and uniform_(w, 2, 2) are fine: a constant tensor
    assertInit("normal", 0, 0, layerInit("{weight: {normal: {std: 0}}}").get("weight"));
    assertInit("uniform", 2, 2, layerInit("{weight: {uniform: {low: 2, high: 2}}}").get("weight"));
    assertInit("normal", 0, 1, layerInit("{weight: {normal: {mean: 0}}}").get("weight"));
  }

  @Test
  void javaInitializersSplitAtTheDoubleColon() {
    InitSpec s = layerInit("{weight: {java: \"com.acme.Inits::myInit\"}}").get("weight");
    assertEquals("java", s.kind());
    assertEquals("com.acme.Inits", s.javaClass());
    assertEquals("myInit", s.javaMethod());
    assertEquals("a.B", layerInit("{weight: {java: \"a.B::f\"}}").get("weight").javaClass());
  }

  @Test
  void everyParameterOfALayerKeepsItsOwnInitializerInOrder() {
    Map<String, InitSpec> init = layerInit("{weight: ones, bias: {constant: -3}}");
    assertEquals(List.of("weight", "bias"), List.copyOf(init.keySet()));
    assertInit("ones", 0, 0, init.get("weight"));
    assertInit("constant", -3, 0, init.get("bias"));
    // the position is the initializer's own (line 7 of the spec, after "init: {weight: ")
    assertEquals(7, init.get("bias").pos().line());
  }

  @Test
  void blockRulesKeepTheirOrderSelectorAndPosition() {
    Block b = Checked.block(spec(
        "  B:",
        "    input: [batch, 4]",
        "    init:",
        "      linear.weight: {normal: {std: 0.5}}",
        "      linear.bias: zeros",
        "      \"*.weight\": ones",
        "    sequential: [{linear: 4}, {linear: 2}]"), "B");
    List<InitRule> rules = b.initRules();
    assertEquals(List.of("linear.weight", "linear.bias", "*.weight"), rules.stream().map(InitRule::selector).toList());
    assertInit("normal", 0, 0.5, rules.get(0).init());
    assertInit("zeros", 0, 0, rules.get(1).init());
    assertEquals(7, rules.get(0).pos().line());
    assertEquals(7, rules.get(0).pos().column());
    assertEquals(8, rules.get(1).pos().line());
  }

  @Test
  void aWrongInitializerDropsOnlyItself() {
    Checked c = Checked.of(spec(
        "  B:",
        "    input: [batch, 4]",
        "    init:",
        "      linear.weight: {normal: {std: -1}}",
        "      linear.bias: zeros",
        "    layers:",
        "      fc: {linear: 3, init: {weight: {uniform: {low: 1, high: 0}}, bias: ones}}",
        "    forward: fc(x)"));
    // positions: the std value (column 37), the uniform's mapping (column 48)
    assertEquals(List.of(
        "t.yaml:7:37: error: B: normal std must not be negative, got -1.0",
        "t.yaml:10:48: error: B: uniform needs low <= high, got low 1.0 and high 0.0"), c.errors);
  }

  @Test
  void parametersTakeTheirInitializer() {
    Block b = Checked.block(spec(
        "  B:",
        "    input: [batch, 4]",
        "    params:",
        "      scale: {shape: [4], init: {constant: 2}}",
        "      shift: {shape: [4]}",
        "    forward: x * scale"), "B");
    TensorDecl scale = b.params().get("scale");
    assertInit("constant", 2, 0, scale.init());
    assertInit("zeros", 0, 0, b.params().get("shift").init());
  }
}
