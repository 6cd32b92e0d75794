package dev.netspec.compiler.check;

import static dev.netspec.compiler.check.Checked.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The limit of 100,000 modules a block may expand to, counted by hand: a block use is one
 * module plus what its block expands to, an inline sequential one plus its layers, a
 * {@code same_as} nothing (it shares a module), and repeats multiply.
 */
class ModuleCountTest {
  private static final String INNER = "  A:\n    sequential: [{repeat: 3999, layer: relu}]";

  @Test
  void exactlyTheLimitIsAccepted() {
    // 25 uses of A, each 1 + 3,999 modules: 100,000
    assertEquals(List.of(), Checked.of(spec(INNER,
        "  B:",
        "    input: [batch, 4]",
        "    sequential: [{repeat: 25, layer: A}]")).errors);
    // a same_as adds nothing
    assertEquals(List.of(), Checked.of(spec(INNER,
        "  B:",
        "    input: [batch, 4]",
        "    layers:",
        "      a: A",
        "      b: {same_as: a}",
        "      c: {module_list: {repeat: 23, layer: A}}",
        "    forward: c[0](b(a(x)))")).errors.stream().filter(e -> e.contains("expands")).toList());
  }

  @Test
  void oneMoreIsRefusedAtTheBlock() {
    assertEquals(List.of("t.yaml:6:3: error: B: expands to more than 100000 layers (repeats multiply)"),
        Checked.of(spec(INNER,
            "  B:",
            "    input: [batch, 4]",
            "    sequential: [{repeat: 25, layer: A}, relu]")).errors);
    // an inline sequential is a module of its own: 25 * (1 + 1 + 3,999) = 100,025
    assertEquals(List.of("t.yaml:6:3: error: C: expands to more than 100000 layers (repeats multiply)"),
        Checked.of(spec(
            "  A:",
            "    sequential: [{sequential: [{repeat: 3999, layer: relu}]}]",
            "  C:",
            "    input: [batch, 4]",
            "    sequential: [{repeat: 25, layer: A}]")).errors);
  }

  @Test
  void aModuleListIsAModuleOfItsOwn() {
    // 1 (the list) + 24 * (1 + 3,999) + 3,999 relus = 100,000; one relu more is too many
    assertEquals(List.of(), Checked.of(spec(INNER,
        "  B:",
        "    input: [batch, 4]",
        "    sequential: [{module_list: {repeat: 24, layer: A}}, {repeat: 3999, layer: relu}]")).errors
        .stream().filter(e -> e.contains("expands")).toList());
    assertEquals(List.of("t.yaml:6:3: error: B: expands to more than 100000 layers (repeats multiply)"),
        Checked.of(spec(INNER,
            "  B:",
            "    input: [batch, 4]",
            "    sequential: [{module_list: {repeat: 24, layer: A}}, {repeat: 4000, layer: relu}]")).errors
        .stream().filter(e -> e.contains("expands")).toList());
  }
}
