package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Any bytes compiled as a YAML or a JSON spec give diagnostics or generated files: never an
 * exception, never a stack overflow, never more than {@link #MAX_SECONDS} seconds (the parse
 * limits bound the work). Not a JUnit {@code @Timeout}: in fuzzing mode that would bound the
 * whole run, not one input.
 *
 * <p>A plain build replays the committed inputs under
 * {@code src/test/resources/dev/netspec/compiler/SpecFuzzTestInputs/<method>/};
 * {@code tools/fuzz.sh yaml SECONDS} (or {@code json}) fuzzes for longer.
 */
class SpecFuzzTest {
  /** The most one input may take, far above what any spec takes even on a loaded machine. */
  static final int MAX_SECONDS = 10;

  @FuzzTest
  void yaml(byte[] bytes) {
    compile("fuzz.yaml", bytes);
  }

  @FuzzTest
  void json(byte[] bytes) {
    compile("fuzz.json", bytes);
  }

  /** Compiles the bytes as UTF-8 text (invalid sequences become U+FFFD, as a lenient reader). */
  static Compilation compile(String name, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    long start = System.nanoTime();
    Compilation c = new Compiler(CompilerOptions.defaults())
        .compile(List.of(new SpecSource(Path.of(name), text)));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis <= MAX_SECONDS * 1000L, "compiling took " + millis + " ms");
    for (Diagnostic d : c.diagnostics()) {
      assertFalse(d.message().isBlank(), "a diagnostic without a message");
    }
    if (c.hasErrors()) {
      assertTrue(c.files().isEmpty(), "files generated despite errors");
    }
    return c;
  }
}
