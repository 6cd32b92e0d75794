package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netspec.compiler.parse.ForwardParser;
import java.nio.charset.StandardCharsets;

/**
 * Any text as a {@code forward:} body: the forward parser (the entry the checker calls) returns
 * statements or throws its one {@link ForwardParser.SyntaxError}, with a position inside the
 * text; text that parses is then compiled in a small spec, which gives diagnostics or code.
 *
 * <p>A plain build replays the committed inputs under
 * {@code src/test/resources/dev/netspec/compiler/ForwardFuzzTestInputs/forward/};
 * {@code tools/fuzz.sh forward SECONDS} fuzzes for longer. Parsing and compiling each take at
 * most {@link SpecFuzzTest#MAX_SECONDS} seconds.
 */
class ForwardFuzzTest {
  /** A block with a parameter and two layers for the body to use. */
  private static final String SPEC = """
      netspec: 1
      package: com.example.fuzz
      blocks:
        Net:
          input: [batch, 4]
          params:
            weight: {shape: [4, 4]}
          layers:
            hidden: {linear: 4}
            act: relu
          forward: |
      """;

  @FuzzTest
  void forward(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    long start = System.nanoTime();
    try {
      assertNotNull(ForwardParser.parse(text));
    } catch (ForwardParser.SyntaxError e) {
      assertFalse(e.getMessage().isBlank(), "a syntax error without a message");
      int lines = text.split("\n", -1).length;
      assertTrue(e.loc().line() >= 1 && e.loc().line() <= lines + 1 && e.loc().column() >= 1,
          "a syntax error at " + e.loc() + " outside the text's " + lines + " lines");
      return;
    } finally {
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis <= SpecFuzzTest.MAX_SECONDS * 1000L, "parsing took " + millis + " ms");
    }
    StringBuilder spec = new StringBuilder(SPEC);
    for (String line : text.split("\n", -1)) {
      spec.append("      ").append(line).append('\n');
    }
    Compilation c = SpecFuzzTest.compile("fuzz.yaml", spec.toString().getBytes(StandardCharsets.UTF_8));
    assertTrue(c.hasErrors() || !c.files().isEmpty(), "neither errors nor code");
  }
}
