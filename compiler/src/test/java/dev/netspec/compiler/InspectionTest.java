package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the facade's {@link Inspection} says when shapes or counts are not known. */
class InspectionTest {
  private static final String SPEC = """
      netspec: 1
      package: p
      blocks:
        Double:
          forward: x * 2
        Halve:
          input: []
          forward: x / 2
        Lazy:
          input: [batch, "?"]
          sequential: [{linear: 3}]
      """;

  private final Compilation compilation = Specs.compileClean("t.yaml", SPEC);

  @Test
  void aBlockWithoutInputHasNoShapesWhileAScalarInputIsEmpty() {
    Inspection undeclared = compilation.inspect("Double", null);
    assertNull(undeclared.inputShape());
    assertNull(undeclared.outputShape());
    Inspection scalar = compilation.inspect("Halve", null);
    assertEquals(List.of(), scalar.inputShape());
    assertEquals(List.of(), scalar.outputShape());
    Inspection given = compilation.inspect("Double", new int[] {2, 5});
    assertEquals(List.of(2, 5), given.inputShape());
    assertEquals(List.of(2, 5), given.outputShape());
  }

  @Test
  void anOpenLazyDimLeavesTheCountsUnknownUntilAConcreteInputFixesIt() {
    Inspection open = compilation.inspect("Lazy", null);
    assertEquals(-1, open.parameters());
    assertEquals(-1, open.parameterBytes());
    Inspection fixed = compilation.inspect("Lazy", new int[] {2, 4});
    assertEquals(3 * 4 + 3, fixed.parameters());
    assertEquals((3 * 4 + 3) * 4, fixed.parameterBytes());
  }
}
