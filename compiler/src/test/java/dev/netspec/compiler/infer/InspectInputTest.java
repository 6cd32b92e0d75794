package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.Inspection;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@code inspect} makes of the input and arguments it is given: the arguments size the
 * layers, an input that does not fit the declared one is one error, and a concrete input is a
 * forward that has run (a {@code lazy_linear} then prints as PyTorch's {@code Linear}, as
 * {@code nn.LazyLinear} becomes {@code nn.Linear} at its first forward).
 */
class InspectInputTest {
  private static final Compilation C = compile("""
        Wide:
          args: {hidden: int}
          input: [batch, 4]
          layers: {fc: {linear: hidden}}
          forward: relu(fc(x))
        Lazy:
          input: [batch, 4]
          sequential: [{lazy_linear: 3}]
      """);

  private static Compilation compile(String blocks) {
    String text = "netspec: 1\npackage: t\nblocks:\n" + blocks;
    Compilation c = new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), text)));
    assertEquals(List.of(), c.diagnostics().stream().map(d -> d.format()).toList());
    return c;
  }

  @Test
  void theGivenArgumentsSizeTheLayers() {
    Inspection i = C.inspect("Wide", Map.of("hidden", 3), new int[] {2, 4});
    assertEquals(4 * 3 + 3, i.parameters());
    assertEquals(List.of(2, 3), i.outputShape());
    // linear 2 * (2 * 4 * 3), relu one per element: 2 * 3
    assertEquals(48 + 6, i.flops());
    Inspection open = C.inspect("Wide", new int[] {2, 4});
    assertEquals(-1, open.parameters(), "hidden left symbolic");
    assertEquals(List.of(2, "hidden"), open.outputShape());
  }

  @Test
  void anInputThatDoesNotFitTheDeclaredOneIsOneError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> C.inspect("Wide", Map.of("hidden", 3), new int[] {2, 5}));
    // at Wide's input declaration, line 6
    assertTrue(e.getMessage().startsWith("t.yaml:6:"), e.getMessage());
    assertTrue(e.getMessage().endsWith(": error: Wide: expects input [batch, 4], got [2, 5]"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void aConcreteInputMaterializesALazyLinear() {
    String before = C.inspect("Lazy", null).repr();
    assertTrue(before.contains("LazyLinear(in_features=0, out_features=3, bias=True)"), before);
    String after = C.inspect("Lazy", new int[] {2, 4}).repr();
    assertTrue(after.contains("Linear(in_features=4, out_features=3, bias=True)"), after);
    assertFalse(after.contains("LazyLinear"), after);
  }
}
