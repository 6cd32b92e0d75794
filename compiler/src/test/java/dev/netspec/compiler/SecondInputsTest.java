package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A block's inputs after the first take the sizes the first one's call binds ({@code batch},
 * {@code seq}), the block's int arguments, and their own fixed sizes: a call that passes a
 * second input of another shape gets one error naming the shape expected, worked out here by
 * hand from the declaration.
 */
class SecondInputsTest {
  private static final String A = """
      netspec: 1
      package: p
      blocks:
        A:
          args: {n: int}
          inputs: {x: ["?", batch, seq], y: [seq, batch, n], z: [3, "?"]}
          forward: sum(x) + sum(y) + sum(z)
      """;

  private static String caller(String x, String y, String z) {
    return A + "  B:\n    inputs: {x: " + x + ", y: " + y + ", z: " + z + "}\n"
        + "    layers: {a: {A: {n: 4}}}\n    forward: a(x, y, z)\n";
  }

  @Test
  void theFirstInputsSizesAndTheArgumentsShapeTheOthers() {
    // x (7, 2, 5) binds batch = 2, seq = 5; n = 4: y must be (5, 2, 4); z's second size is free
    Specs.compileClean("t.yaml", caller("[7, 2, 5]", "[5, 2, 4]", "[3, 9]"));
    assertEquals(List.of("t.yaml:11:14: error: B.a (A): input 'y' must be a tensor of shape [5, 2, 4],"
        + " got a tensor of shape [2, 5, 4]; 'a' is declared at line 10"),
        Specs.errors(caller("[7, 2, 5]", "[2, 5, 4]", "[3, 9]")));
    assertEquals(List.of("t.yaml:11:14: error: B.a (A): input 'z' must be a tensor of shape [3, ?],"
        + " got a tensor of shape [4, 9]; 'a' is declared at line 10"),
        Specs.errors(caller("[7, 2, 5]", "[5, 2, 4]", "[4, 9]")));
  }
}
