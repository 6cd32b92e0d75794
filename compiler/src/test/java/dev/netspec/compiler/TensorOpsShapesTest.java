package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shapes the compiler infers for subscripts, views, arange and stack, over symbols and at sizes
 * given by inspect; each expectation is Python's rule worked by hand (a slice {@code a:b:s} of a
 * dim of size n has {@code ceil((min(b, n) - a) / s)} elements, negatives counted from the end).
 */
class TensorOpsShapesTest {
  /** One block per case: input (batch, seq, 8), forward {@code expr}. */
  private static Compilation compile(String expr) {
    String spec = "netspec: 1\npackage: com.example.shapes\nblocks:\n  Op:\n    input: [batch, seq, 8]\n"
        + "    forward: \"" + expr.replace("\"", "\\\"") + "\"\n";
    return Specs.compileClean("shapes.yaml", spec);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "x[:, 1:seq - 1]          | batch, seq - 2, 8        | 2, 4, 8",
      "x[:, ::2]                | batch, (seq - 1) / 2 + 1, 8 | 2, 3, 8",
      "x[..., -3:]              | batch, seq, 3            | 2, 6, 3",
      "x[:, -1]                 | batch, 8                 | 2, 8",
      "x[None, :, 0, 2:7:2]     | 1, batch, 3              | 1, 2, 3",
      "x[:, :, 5:100]           | batch, seq, 3            | 2, 6, 3",
      "x[1:]                    | batch - 1, seq, 8        | 1, 6, 8",
      "x[..., None]             | batch, seq, 8, 1         | 2, 6, 8, 1",
      "reshape(x, (batch, -1))  | batch, 8*seq             | 2, 48",
      "reshape(x, (-1, 4, seq)) | 2*batch, 4, seq          | 4, 4, 6",
      "permute(x, (2, 0, 1))    | 8, batch, seq            | 8, 2, 6",
      "unsqueeze(x, -1)         | batch, seq, 8, 1         | 2, 6, 8, 1",
      "transpose(x, 0, 2)       | 8, seq, batch            | 8, 6, 2",
      "arange(2, seq, step=3)   | seq / 3                  | 2",
      "arange(seq)[None, :] > arange(seq)[:, None] | seq, seq | 6, 6",
      "stack([x, x], dim=1)     | batch, 2, seq, 8         | 2, 2, 6, 8",
      "stack((x, x, x), -1)     | batch, seq, 8, 3         | 2, 6, 8, 3",
      "stack([x[:, 0], x[:, -1]], -2) | batch, 2, 8      | 2, 2, 8",
      "stack([x[:, :2]])        | 1, batch, 2, 8           | 1, 2, 2, 8",
  })
  void infersPyTorchShapes(String expr, String symbolic, String concrete) {
    Compilation c = compile(expr);
    assertEquals(List.of(symbolic.split(", ")), strings(c.inspect("Op", null).outputShape()), expr);
    assertEquals(List.of(concrete.split(", ")), strings(c.inspect("Op", new int[] {2, 6, 8}).outputShape()),
        expr + " at (2, 6, 8)");
  }

  @Test
  void theGraphShowsSubscriptsAndConstantArguments() {
    String dot = compile("masked_fill(x[:, 1:seq - 1], x[:, 1:seq - 1] > 0, float('-inf'))")
        .inspect("Op", null).dot();
    assertTrue(dot.contains("[:, 1:seq - 1]"), dot);
    assertTrue(dot.contains("masked_fill(·, ·, float('-inf'))"), dot);
  }

  private static List<String> strings(List<Object> dims) {
    return dims.stream().map(String::valueOf).toList();
  }
}
