package dev.netspec.compiler.check;

import static dev.netspec.compiler.check.Checked.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.FixedDim;
import dev.netspec.compiler.check.Model.LazyDim;
import dev.netspec.compiler.check.Model.NamedDim;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checker's reading of declared shapes at their limits: sizes 1 and 2^31 - 1 are sizes,
 * 0 and 2^31 are not; 8 dims (the runtime's limit) are fine, 9 are not; a parameter of
 * exactly 2^31 - 1 elements is fine, one more is not. Each error at its line and column.
 */
class ShapeDeclTest {
  private static List<String> paramErrors(String shape) {
    return Checked.of(spec(
        "  B:",
        "    input: [batch, 4]",
        "    params:",
        "      w: {shape: " + shape + "}",
        "    forward: x")).errors;
  }

  @Test
  void sizesArePositiveInts() {
    assertEquals(List.of(), paramErrors("[1]"));
    assertEquals(List.of(), paramErrors("[2147483647]"));
    assertEquals(List.of("t.yaml:7:22: error: B: parameter sizes must be positive, got 0"), paramErrors("[4, 0]"));
    assertEquals(List.of("t.yaml:7:19: error: B: parameter sizes must be positive, got -1"), paramErrors("[-1]"));
    assertEquals(List.of("t.yaml:7:19: error: B: size 2147483648 is larger than 2147483647"), paramErrors("[2147483648]"));
  }

  @Test
  void theRuntimeTakesAtMostEightDims() {
    assertEquals(List.of(), paramErrors("[1, 1, 1, 1, 1, 1, 1, 2]"));
    assertEquals(List.of("t.yaml:7:18: error: B: parameter has 9 dims; the runtime supports at most 8"),
        paramErrors("[1, 1, 1, 1, 1, 1, 1, 1, 2]"));
  }

  @Test
  void elementCountsStayWithinAnInt() {
    // 46341^2 = 2,147,488,281 > 2^31 - 1
    assertEquals(List.of("t.yaml:7:18: error: B: parameter has more than 2147483647 elements"),
        paramErrors("[46341, 46341]"));
    // 2^31 - 1 elements exactly: 2147483647 is prime, so [1, 2147483647] and [2147483647, 1]
    assertEquals(List.of(), paramErrors("[2147483647, 1]"));
    // 2^31 elements: 65536 * 32768
    assertEquals(List.of("t.yaml:7:18: error: B: parameter has more than 2147483647 elements"),
        paramErrors("[65536, 32768]"));
    // the count is capped while multiplying, so a product past 2^63 is still refused, not wrapped
    assertEquals(List.of("t.yaml:7:18: error: B: parameter has more than 2147483647 elements"),
        paramErrors("[2147483647, 2147483647, 2147483647, 4]"));
  }

  @Test
  void inputsKeepTheirRankThroughAReportedDim() {
    Checked c = Checked.of(spec(
        "  B:",
        "    input: [batch, 0, \"?\", 3]",
        "    forward: x"));
    assertEquals(List.of("t.yaml:5:20: error: B: input sizes must be positive, got 0"), c.errors);
  }

  @Test
  void inputDimsAreReadInOrder() {
    Block b = Checked.block(spec(
        "  B:",
        "    input: [batch, \"?\", 3]",
        "    forward: x"), "B");
    List<DimRef> in = b.input();
    assertEquals(3, in.size());
    assertEquals("batch", ((NamedDim) in.get(0)).name());
    assertEquals(LazyDim.class, in.get(1).getClass());
    assertEquals(3, ((FixedDim) in.get(2)).size());
    assertEquals(5, in.get(2).pos().line());
    assertEquals(25, in.get(2).pos().column());
  }
}
