package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.ForwardParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Module lists and dicts, {@code for} loops and ties through parse, inference and inspect: the
 * tree PyTorch would build (keys, repr, a tied weight counted once). The generated classes
 * are checked against PyTorch in generated-examples (specs/transformer_encoder.yaml).
 */
class ContainersTest {
  private static final String SPEC = """
      netspec: 1
      package: p
      blocks:
        Block:
          input: [batch, 4]
          layers:
            fc: {linear: 4}
          forward: x + fc(x)
        Gpt:
          input: [batch, 4]
          layers:
            transformer:
              module_dict:
                wte: {linear: {in_features: 4, out_features: 4, bias: false}}
                h: {module_list: {repeat: 2, layer: Block}}
            lm_head: {linear: {out_features: 4, bias: false}}
          tie: {lm_head.weight: transformer.wte.weight}
          forward: |
            x = transformer.wte(x)
            for block in transformer.h:
              x = block(x)
            return lm_head(x)
      """;

  @Test
  void forParsesIntoTheLoopVariableTheListAndTheBody() throws Exception {
    List<Ast.Stmt> body = ForwardParser.parse("for block in transformer.h:\n  x = block(x)\nreturn x");
    Ast.For f = assertInstanceOf(Ast.For.class, body.get(0));
    assertEquals("block", f.name());
    Ast.Attr items = assertInstanceOf(Ast.Attr.class, f.items());
    assertEquals("h", items.name());
    assertEquals("transformer", ((Ast.Name) items.target()).name());
    assertEquals(1, f.body().size());
    assertInstanceOf(Ast.Return.class, body.get(1));
  }

  @Test
  void inspectShowsPyTorchsKeysAndReprAndCountsATiedWeightOnce() {
    Inspection gpt = Specs.compileClean("t.yaml", SPEC).inspect("Gpt", new int[] {3, 4});
    List<String> keys = gpt.stateDict().stream().map(Inspection.StateEntry::name).toList();
    assertEquals(List.of("transformer.wte.weight", "transformer.h.0.fc.weight", "transformer.h.0.fc.bias",
        "transformer.h.1.fc.weight", "transformer.h.1.fc.bias", "lm_head.weight"), keys);
    // 16 (wte, also lm_head's) + 2 * (16 + 4): the tied weight once, as PyTorch counts it
    assertEquals(16 + 2 * 20, gpt.parameters());
    assertEquals(List.of(3, 4), gpt.outputShape());
    assertTrue(gpt.repr().startsWith("Gpt(\n  (transformer): ModuleDict(\n"
        + "    (wte): Linear(in_features=4, out_features=4, bias=False)\n"
        + "    (h): ModuleList(\n      (0): Block(\n"), gpt.repr());
  }

  @Test
  void theGeneratedForwardLoopsOverTheTypedList() {
    Compilation c = Specs.compileClean("t.yaml", SPEC);
    String gpt = c.files().stream().filter(f -> f.relativePath().endsWith("Gpt.java")).findFirst()
        .orElseThrow().content();
    assertTrue(gpt.contains("for (Block block : transformer.h) {"), gpt);
    assertTrue(gpt.contains("public final ModuleList<Block> h;"), gpt);
    assertTrue(gpt.contains("tieParameter(\"lm_head.weight\", \"transformer.wte.weight\");"), gpt);
    InMemoryJavac.compile(c.files());
  }
}
