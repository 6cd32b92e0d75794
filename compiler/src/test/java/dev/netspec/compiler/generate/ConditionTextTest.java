package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java of a forward's {@code if} and {@code while} conditions ({@link ConditionWriter}), read
 * from the generated text of both forwards without compiling it. Each expectation is the Python
 * condition written by hand in Java: {@code and}/{@code or}/{@code not} as {@code &&}/{@code
 * ||}/{@code !(...)} (Java's precedence is Python's for these), a test of the block's arguments
 * on their fields as they are typed, a scalar tensor read as a float ({@code item()}, or the
 * allocation-free {@code sumAsFloat()}/{@code meanAsFloat()} of a whole-tensor reduction, which
 * makes no tensor), a number compared as it is, and a bare value true when not zero (Python's
 * {@code bool}). ConditionsTest runs the same forms compiled.
 */
class ConditionTextTest {
  /**
   * Generated again by each test, never kept in a static field: a mutation run swaps the
   * mutated writer into one JVM for several mutants, so text made once would hide them.
   */
  private static final String SPEC = """
      netspec: 1
      package: t.cond
      blocks:
        Args:
          args: {a: bool, k: int}
          input: [batch, 3]
          forward: |
            if not a and k >= 2 or k == 0:
              return x * 2
            if a:
              return x * 3
            if k:
              return x * 4
            if not (a or k < 0):
              return x * 5
            return x * 6
        Sums:
          args: {k: int}
          input: [batch, 2]
          forward: |
            if sum(x) > 1 and mean(x) < 3:
              return x * 2
            if sum(x):
              return x * 3
            if not mean(x) == 0:
              return x * 4
            if relu(sum(x)) > 0:
              return x * 5
            if k < sum(x) or k == 2:
              return x * 6
            s = sum(x)
            if s >= 2:
              return x * 7
            if -sum(x):
              return x * 8
            return x * 0
        Dim:
          input: [1, 2]
          forward: |
            if sum(x, dim=1) > 1:
              return x * 2
            return x * 0
        Mixed:
          args: {a: bool, k: int}
          input: [1, 3]
          forward: |
            y = x * 1
            if a and sum(x) > 0:
              y = y + 1
            if k < 1 or mean(x) <= k:
              y = y + 2
            if not sum(x) != 0:
              y = y + 3
            if True and max(x) >= 1:
              y = y + 4
            while sum(y, dim=1) < 10:
              y = y * 2
            return y
      """;

  private static List<String> conditions(String body) {
    return GeneratedText.lines(body, "if (", "while (");
  }

  @Test
  void aTestOfTheArgumentsIsWrittenOnTheirFields() {
    GeneratedText text = GeneratedText.of(SPEC);
    // the same Java in both forwards: only tensors differ between them
    List<String> expected = List.of("if ((!a && k >= 2) || k == 0) {", "if (a) {", "if (k != 0f) {",
        "if (!(a || k < 0)) {");
    assertEquals(expected, conditions(text.buffered("Args")));
    assertEquals(expected, conditions(text.allocating("Args")));
  }

  @Test
  void aWholeSumOrMeanIsReadAsAFloatWithoutATensorWhenBuffered() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of(
        "if (x.sumAsFloat() > 1.0f && x.meanAsFloat() < 3.0f) {",
        "if (x.sumAsFloat() != 0f) {",
        "if (!(x.meanAsFloat() == 0.0f)) {",
        // relu of a sum is a tensor: read with item()
        "if (sumOut.fill_(x.sumAsFloat()).reluInto(reluOut).item() > 0.0f) {",
        "if (k < x.sumAsFloat() || k == 2) {",
        "if (s.item() >= 2.0f) {",
        // a unary minus is not 'not': the value negated, then its truth
        "if (sumOut3.fill_(x.sumAsFloat()).negInto(negOut).item() != 0f) {"), conditions(text.buffered("Sums")));
    assertEquals(List.of(
        "if (x.sum().item() > 1.0f && x.mean().item() < 3.0f) {",
        "if (x.sum().item() != 0f) {",
        "if (!(x.mean().item() == 0.0f)) {",
        "if (x.sum().relu().item() > 0.0f) {",
        "if (k < x.sum().item() || k == 2) {",
        "if (s.item() >= 2.0f) {",
        "if (x.sum().neg().item() != 0f) {"), conditions(text.allocating("Sums")));
  }

  @Test
  void aSumAlongADimensionIsATensorInBothForwards() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of("if (Out.sum(x, 1, false, sumOut).item() > 1.0f) {"), conditions(text.buffered("Dim")));
    assertEquals(List.of("if (x.sum(1, false).item() > 1.0f) {"), conditions(text.allocating("Dim")));
  }

  @Test
  void argumentsAndTensorsMixPartByPart() {
    GeneratedText text = GeneratedText.of(SPEC);
    // max has no allocation-free form: this block has the allocating forward only
    assertNull(text.buffered("Mixed"));
    assertEquals(List.of(
        "if (a && x.sum().item() > 0.0f) {",
        "if (k < 1 || x.mean().item() <= k) {",
        "if (!(x.sum().item() != 0.0f)) {",
        "if (true && x.max().item() >= 1.0f) {",
        "while (y.sum(1, false).item() < 10.0f) {"), conditions(text.allocating("Mixed")));
  }
}
