package dev.netspec.compiler.check;

import static dev.netspec.compiler.check.Checked.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.Copy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code repeat} in a {@code sequential}: its count limits (1 to 4096), the names and copy
 * numbers of the layers it makes, counted on from the layers before it, and its located errors.
 */
class RepeatTest {
  private static List<String> errors(String item) {
    return Checked.of(spec(
        "  B:",
        "    input: [batch, 4]",
        "    sequential: [" + item + "]")).errors;
  }

  @Test
  void countsRunFromOneTo4096() {
    assertEquals(List.of(), errors("{repeat: 1, layer: relu}"));
    assertEquals(List.of(), errors("{repeat: 4096, layer: relu}"));
    // the error is at the count: "    sequential: [{repeat: " puts it at column 27
    assertEquals(List.of("t.yaml:6:27: error: B: 'repeat' needs a count from 1 to 4096, got 0"),
        errors("{repeat: 0, layer: relu}"));
    assertEquals(List.of("t.yaml:6:27: error: B: 'repeat' needs a count from 1 to 4096, got 4097"),
        errors("{repeat: 4097, layer: relu}"));
    assertEquals(List.of("t.yaml:6:27: error: B: 'repeat' needs a count from 1 to 4096, got -2"),
        errors("{repeat: -2, layer: relu}"));
    assertEquals(List.of("t.yaml:6:27: error: B: 'repeat' needs a count from 1 to 4096, got the string 'two'"),
        errors("{repeat: two, layer: relu}"));
    assertEquals(List.of("t.yaml:6:27: error: B: 'repeat' needs a count from 1 to 4096, got the number 2.5"),
        errors("{repeat: 2.5, layer: relu}"));
    assertEquals(List.of("t.yaml:6:27: error: B: 'repeat' needs a count from 1 to 4096, got the string '3'"),
        errors("{repeat: \"3\", layer: relu}"));
  }

  @Test
  void copiesAreNumberedOnFromTheLayersBefore() {
    Block b = Checked.block(spec(
        "  B:",
        "    input: [batch, 4]",
        "    sequential: [{linear: 4}, {repeat: 3, layer: relu}, {linear: 2}]"), "B");
    List<Child> cs = b.children();
    assertEquals(List.of("0", "1", "2", "3", "4"), cs.stream().map(Child::name).toList());
    assertNull(cs.get(0).copy());
    assertNull(cs.get(4).copy());
    for (int i = 0; i < 3; i++) {
      Copy c = cs.get(1 + i).copy();
      assertEquals(new Copy(i, 3, null, 1), c);
      assertEquals(Integer.toString(1 + i), c.name(i));
    }
  }

  @Test
  void aNameTemplateNamesEachCopy() {
    Block b = Checked.block(spec(
        "  B:",
        "    input: [batch, 4]",
        "    sequential: [{linear: 4}, {repeat: 2, name: \"h{i}\", layer: {linear: 4}}]"), "B");
    assertEquals(List.of("0", "h0", "h1"), b.children().stream().map(Child::name).toList());
    Copy c = b.children().get(2).copy();
    assertEquals(new Copy(1, 2, "h{i}", 1), c);
    assertEquals("h1", c.name(1));
  }

  @Test
  void repeatErrorsAreLocated() {
    assertEquals(List.of("t.yaml:6:36: error: B: a repeat 'name' needs '{i}', such as 'block{i}'"),
        errors("{repeat: 2, name: h, layer: relu}"));
    assertEquals(List.of("t.yaml:6:18: error: B: 'repeat' needs a 'layer'"), errors("{repeat: 2}"));
    assertEquals(List.of("t.yaml:6:18: error: B: 'repeat' needs a 'layer'",
            "t.yaml:6:30: error: B: unknown key 'layers'; did you mean 'layer'?"),
        errors("{repeat: 2, layers: relu}"));
  }
}
