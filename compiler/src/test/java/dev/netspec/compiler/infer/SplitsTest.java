package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code chunk} and {@code split} as PyTorch counts their pieces (by hand, from
 * {@code torch.chunk}'s and {@code torch.split}'s documentation): chunk(10, 3) is 4, 4, 2;
 * chunk(10, 4) is 3, 3, 3, 1; chunk(6, 4) is only 3 pieces of 2; split(10, 3) is 3, 3, 3, 1;
 * sections must add up to the size; each refusal located at the call.
 */
class SplitsTest {
  private static Compilation compile(String... forward) {
    return compile(10, forward);
  }

  private static Compilation compile(int size, String... forward) {
    StringBuilder s = new StringBuilder("netspec: 1\npackage: t\nblocks:\n  B:\n    input: [batch, " + size
        + "]\n    forward: |\n");
    for (String f : forward) {
      s.append("      ").append(f).append('\n');
    }
    return new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), s.toString())));
  }

  private static List<String> errors(String... forward) {
    List<String> out = new ArrayList<>();
    compile(forward).diagnostics().forEach(d -> out.add(d.format()));
    return out;
  }

  /** The output shape of B for a [2, 10] input. */
  private static List<Object> out(String... forward) {
    Compilation c = compile(forward);
    assertEquals(List.of(), c.diagnostics(), String.join("\n", forward));
    return c.inspect("B", new int[] {2, 10}).outputShape();
  }

  @Test
  void chunkGivesCeilSizedPiecesTheLastShorter() {
    assertEquals(List.of(2, 4), out("a, b, c = chunk(x, 3, 1)", "return b"));
    assertEquals(List.of(2, 2), out("a, b, c = chunk(x, 3, 1)", "return c"));
    assertEquals(List.of(2, 1), out("a, b, c, d = chunk(x, 4, 1)", "return d"));
    assertEquals(List.of(2, 10), out("a, = chunk(x, 1, 1)", "return a"));
    // ceil(10 / 5) = 2: five pieces (a rounding up of (n + chunks + 1) / chunks would give 3, 3, 3, 1)
    assertEquals(List.of(2, 2), out("a, b, c, d, e = chunk(x, 5, 1)", "return e"));
    assertEquals(List.of(2, 1), out("a, b, c, d, e, f, g, h, i, j = chunk(x, 12, 1)", "return j"));
  }

  @Test
  void splitGivesPiecesOfTheSizeOrTheSections() {
    assertEquals(List.of(2, 1), out("a, b, c, d = split(x, 3, 1)", "return d"));
    assertEquals(List.of(2, 3), out("a, b, c, d = split(x, 3, 1)", "return c"));
    assertEquals(List.of(2, 8), out("a, b = split(x, [2, 8], 1)", "return b"));
    assertEquals(List.of(2, 1), out("a, b, c, d, e, f, g, h, i, j = split(x, 1, 1)", "return j"));
    assertEquals(List.of(2, 0), out("a, b, c = split(x, [0, 10, 0], 1)", "return c"));
  }

  @Test
  void refusalsAreLocatedAtTheCall() {
    assertEquals(List.of("t.yaml:7:14: error: B: chunk: chunks must be at least 1, got 0"),
        errors("a, b = chunk(x, 0, 1)", "return a"));
    assertEquals(List.of("t.yaml:7:14: error: B: split: split_size must be at least 1, got 0"),
        errors("a, b = split(x, 0, 1)", "return a"));
    assertEquals(List.of("t.yaml:7:14: error: B: split: sections must not be negative, got [-1, 11]"),
        errors("a, b = split(x, [-1, 11], 1)", "return a"));
    assertEquals(List.of("t.yaml:7:14: error: B: split: sections [2, 7] add up to 9, but dim 1 of [batch, 10] has 10"),
        errors("a, b = split(x, [2, 7], 1)", "return a"));
    assertEquals(List.of("t.yaml:7:14: error: B: chunk: dim 0 of [batch, 10] is batch; the number of tensors it"
        + " gives must be known, so that size must be a number"), errors("a, b = chunk(x, 2, 0)", "return a"));
  }

  @Test
  void moreThan1024PiecesAreRefusedWithTheirCount() {
    List<String> out = new ArrayList<>();
    compile(2000, "a, b = chunk(x, 2000, 1)", "return a").diagnostics().forEach(d -> out.add(d.format()));
    // 2,000 pieces of 1 (the count was reported as 1025 when counting stopped at the limit)
    assertEquals(List.of("t.yaml:7:14: error: B: chunk: gives 2000 tensors; the limit is 1024"), out);
    out.clear();
    compile(1025, "a, b = split(x, 1, 1)", "return a").diagnostics().forEach(d -> out.add(d.format()));
    assertEquals(List.of("t.yaml:7:14: error: B: split: gives 1025 tensors; the limit is 1024"), out);
    // large pieces are few: chunk(1000, 2) is two pieces of 500
    Compilation c = compile(1000, "a, b = chunk(x, 2, 1)", "return b");
    assertEquals(List.of(), c.diagnostics());
    assertEquals(List.of(2, 500), c.inspect("B", new int[] {2, 1000}).outputShape());
  }
}
