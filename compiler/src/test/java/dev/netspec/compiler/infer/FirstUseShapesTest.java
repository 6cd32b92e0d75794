package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A block without an input takes the shape of its first use, parents first, however deep the
 * chain of such blocks and whatever their order in the file; one nothing uses keeps no shape.
 * (The shapes are read from the generated {@code forward}'s documentation.)
 */
class FirstUseShapesTest {
  private static Compilation compile(String blocks) {
    String text = "netspec: 1\npackage: t\nblocks:\n" + blocks;
    Compilation c = new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), text)));
    assertEquals(List.of(), c.diagnostics().stream().map(d -> d.format()).toList());
    return c;
  }

  /** The shapes the generated {@code forward} of {@code block} documents: its input's, then its output's. */
  private static String shapes(Compilation c, String block) {
    String source = c.files().stream().filter(f -> f.className().equals("t." + block)).findFirst().orElseThrow().content();
    int at = source.indexOf("Input {@code ");
    return source.substring(at, source.indexOf("}.", at) + 1);
  }

  @Test
  void aChainOfBlocksWithoutInputTakesItsShapeFromTheTopEvenListedLeafFirst() {
    // Leaf is used by Mid, Mid by Top: Top [batch, 6] -> Mid [batch, 6] -> Leaf [batch, 6];
    // Leaf's shape is known only once Mid's is, so the file order needs a second pass.
    Compilation c = compile("""
          Leaf:
            forward: relu(x)
          Mid:
            layers: {leaf: Leaf, fc: {linear: 3}}
            forward: fc(leaf(x))
          Top:
            input: [batch, 6]
            layers: {mid: Mid}
            forward: mid(x) * 2
          Unused:
            forward: x + 1
        """);
    assertEquals("Input {@code (batch, 6)}, output {@code (batch, 3)}", shapes(c, "Top"));
    assertEquals("Input {@code (batch, 6)}, output {@code (batch, 3)}", shapes(c, "Mid"));
    assertEquals("Input {@code (batch, 6)}, output {@code (batch, 6)}", shapes(c, "Leaf"));
    // nothing uses Unused: its shapes stay unknown
    assertEquals("Input {@code (...)}, output {@code (...)}", shapes(c, "Unused"));
    // every block is generated, Leaf too
    assertEquals(List.of("t.Leaf", "t.Mid", "t.Top", "t.Unused"),
        c.files().stream().map(f -> f.className()).sorted().toList());
  }
}
