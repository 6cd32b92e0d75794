package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.GeneratedText.java;
import static dev.netspec.compiler.generate.GeneratedText.method;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A block's {@code resetParameters} ({@link JavaGenerator}'s init code), read from the source
 * the compiler writes, no javac. The expectations are docs/spec/parameters-and-shapes.md's
 * rules: declared tensors first, then the block's rules over its subtree, then each layer's own,
 * the later winning; {@code normal} is N(0, 1) and {@code uniform} U(0, 1) without arguments;
 * each tensor draws from the generator of its full state-dict name ({@code deep.0.weight},
 * {@code r1.bias}); a direct builtin layer's tensor is its field, any other is found by that
 * name; a repeat's copies are one loop.
 */
class InitTextTest {
  private static final String SPEC = """
      netspec: 1
      package: t.i
      blocks:
        Cell:
          args: {units: int}
          input: [batch, units]
          params:
            weight: {shape: [units, units], init: {normal: {mean: 0.5, std: 2}}}
            bias: {shape: [units], init: zeros}
          buffers:
            scale: {shape: [units], init: ones}
          forward: x @ weight + bias * scale
        Net:
          input: [batch, 4]
          init:
            deep.*.weight: {constant: -2.5}
            type:linear.bias: {uniform: {low: -1, high: 3}}
          layers:
            a: {linear: 4, init: {weight: xavier_uniform, bias: ones}}
            b: {linear: 4, init: {weight: xavier_normal}}
            c: {linear: 4, init: {weight: kaiming_uniform}}
            d: {linear: 4, init: {weight: kaiming_normal, bias: {java: com.acme.Inits::myInit}}}
            cell: {Cell: {units: 4}, init: {weight: uniform}}
            deep: {sequential: [{linear: 4}, {linear: 4}]}
            rep: {Rep: {}}
          forward: rep(deep(cell(d(c(b(a(x)))))))
        Rep:
          sequential:
            - {repeat: 3, name: "r{i}", layer: {linear: 4, init: {weight: normal, bias: {normal: {mean: 1, std: 0.5}}}}}
        Plain:
          input: [batch, 4]
          layers:
            fc: {linear: 4}
          forward: fc(x)
      """;

  @Test
  void declaredTensors() {
    assertEquals("protected void resetParameters(ParameterSeeds seeds) {\n"
        + "    Init.normal_(weight.data(), 0.5, 2.0, seeds.generator(\"weight\"));\n"
        + "    Init.zeros_(bias.data());\n"
        + "    Init.ones_(scale);\n"
        + "  }\n", method(java(SPEC, "Cell"), "protected void resetParameters("));
  }

  @Test
  void rulesThenLayersEachByItsStateDictName() {
    assertEquals("protected void resetParameters(ParameterSeeds seeds) {\n"
        + "    Init.constant_(getParameter(\"deep.0.weight\").data(), -2.5);\n"
        + "    Init.constant_(getParameter(\"deep.1.weight\").data(), -2.5);\n"
        + "    Init.uniform_(a.bias.data(), -1.0, 3.0, seeds.generator(\"a.bias\"));\n"
        + "    Init.uniform_(b.bias.data(), -1.0, 3.0, seeds.generator(\"b.bias\"));\n"
        + "    Init.uniform_(c.bias.data(), -1.0, 3.0, seeds.generator(\"c.bias\"));\n"
        + "    Init.uniform_(d.bias.data(), -1.0, 3.0, seeds.generator(\"d.bias\"));\n"
        + "    Init.uniform_(getParameter(\"deep.0.bias\").data(), -1.0, 3.0, seeds.generator(\"deep.0.bias\"));\n"
        + "    Init.uniform_(getParameter(\"deep.1.bias\").data(), -1.0, 3.0, seeds.generator(\"deep.1.bias\"));\n"
        + "    Init.uniform_(getParameter(\"rep.r0.bias\").data(), -1.0, 3.0, seeds.generator(\"rep.r0.bias\"));\n"
        + "    Init.uniform_(getParameter(\"rep.r1.bias\").data(), -1.0, 3.0, seeds.generator(\"rep.r1.bias\"));\n"
        + "    Init.uniform_(getParameter(\"rep.r2.bias\").data(), -1.0, 3.0, seeds.generator(\"rep.r2.bias\"));\n"
        + "    Init.xavierUniform_(a.weight.data(), seeds.generator(\"a.weight\"));\n"
        + "    Init.ones_(a.bias.data());\n"
        + "    Init.xavierNormal_(b.weight.data(), seeds.generator(\"b.weight\"));\n"
        + "    Init.kaimingUniform_(c.weight.data(), seeds.generator(\"c.weight\"));\n"
        + "    Init.kaimingNormal_(d.weight.data(), seeds.generator(\"d.weight\"));\n"
        + "    Inits.myInit(d.bias.data(), seeds.generator(\"d.bias\"));\n"
        + "    Init.uniform_(getParameter(\"cell.weight\").data(), 0.0, 1.0, seeds.generator(\"cell.weight\"));\n"
        + "  }\n", method(java(SPEC, "Net"), "protected void resetParameters("));
  }

  @Test
  void aRepeatIsOneLoop() {
    assertEquals("protected void resetParameters(ParameterSeeds seeds) {\n"
        + "    for (int i = 0; i < 3; i++) {\n"
        + "      Init.normal_(rs.get(i).weight.data(), 0.0, 1.0, seeds.generator(\"r\" + i + \".weight\"));\n"
        + "      Init.normal_(rs.get(i).bias.data(), 1.0, 0.5, seeds.generator(\"r\" + i + \".bias\"));\n"
        + "    }\n"
        + "  }\n", method(java(SPEC, "Rep"), "protected void resetParameters("));
  }

  /**
   * A rule over every copy of a large repeat: more than 1,000 statements go to methods of 1,000
   * each ({@code resetParameters0} with statements 0 to 999, {@code resetParameters1} with
   * 1,000), which {@code resetParameters} calls in order: each method stays far below the
   * JVM's 64 KB of bytecode.
   */
  @Test
  void moreThanAThousandStepsAreSplitIntoMethodsOfAThousand() {
    String java = java("""
        netspec: 1
        package: t.i
        blocks:
          Big:
            input: [batch, 2]
            init:
              type:linear.weight: zeros
            sequential:
              - {repeat: 1001, layer: {linear: 2}}
        """, "Big");
    assertEquals("protected void resetParameters(ParameterSeeds seeds) {\n"
        + "    resetParameters0(seeds);\n"
        + "    resetParameters1(seeds);\n"
        + "  }\n", method(java, "protected void resetParameters("));
    String first = method(java, "private void resetParameters0(ParameterSeeds seeds) {");
    assertEquals(1000, first.split("Init.zeros_", -1).length - 1);
    assertTrue(first.contains("    Init.zeros_(getParameter(\"0.weight\").data());\n"), first);
    assertTrue(first.endsWith("    Init.zeros_(getParameter(\"999.weight\").data());\n  }\n"), first);
    assertEquals("private void resetParameters1(ParameterSeeds seeds) {\n"
        + "    Init.zeros_(getParameter(\"1000.weight\").data());\n"
        + "  }\n", method(java, "private void resetParameters1("));
    assertTrue(java.contains("  /**\n   * Initializers 0 to 999 of {@code resetParameters}.\n   */\n"
        + "  private void resetParameters0("), java);
    assertTrue(java.contains("  /**\n   * Initializers 1000 to 1000 of {@code resetParameters}.\n   */\n"
        + "  private void resetParameters1("), java);
  }

  /** A repeated block's tensors have no layer field to name: each is found by its state-dict name. */
  @Test
  void aRepeatedBlocksTensorIsFoundByName() {
    String java = java("""
        netspec: 1
        package: t.i
        blocks:
          Cell:
            args: {units: int}
            params:
              weight: {shape: [units, units], init: zeros}
            forward: x @ weight
          Rep2:
            sequential:
              - {repeat: 3, name: "r{i}", layer: {Cell: {units: 4}, init: {weight: ones}}}
        """, "Rep2");
    assertEquals("protected void resetParameters(ParameterSeeds seeds) {\n"
        + "    for (int i = 0; i < 3; i++) {\n"
        + "      Init.ones_(getParameter(\"r\" + i + \".weight\").data());\n"
        + "    }\n"
        + "  }\n", method(java, "protected void resetParameters("));
  }

  @Test
  void noInitializerNoMethod() {
    assertEquals(-1, java(SPEC, "Plain").indexOf("resetParameters"));
  }
}
