package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden tests: the generated sources of each spec under {@code golden/} are pinned in
 * {@code golden/expected/}, and compile without a warning against the real runtime. A missing
 * golden fails with its path; {@code -Dnetspec.updateGoldens=true} rewrites them. The
 * behaviour of the pinned code is checked by {@link GeneratedModelsTest}.
 */
class GoldenTest {
  private static final Path EXPECTED = Path.of("src/test/resources/golden/expected");
  private static final boolean UPDATE = Boolean.getBoolean("netspec.updateGoldens");

  @ParameterizedTest
  @ValueSource(strings = {"tutorial.yaml", "names.yaml", "cnn.yaml", "containers.yaml", "attention.yaml"})
  void generatedSourcesMatchGoldens(String spec) throws IOException {
    Compilation c = Specs.compileClean("golden/" + spec, Specs.resource("golden/" + spec));
    assertTrue(!c.files().isEmpty(), "no files generated");
    List<String> problems = new ArrayList<>();
    for (GeneratedFile f : c.files()) {
      Path golden = EXPECTED.resolve(f.relativePath());
      if (UPDATE) {
        Files.createDirectories(golden.getParent());
        Files.writeString(golden, f.content(), StandardCharsets.UTF_8);
        continue;
      }
      if (!Files.exists(golden)) {
        problems.add("missing golden " + golden.toAbsolutePath()
            + " (run with -Dnetspec.updateGoldens=true to write it)");
        continue;
      }
      assertEquals(Files.readString(golden, StandardCharsets.UTF_8), f.content(),
          "generated " + f.relativePath() + " differs from " + golden);
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  /**
   * Tagged: javac per spec is most of this class's time, and the mutation runs compare the text
   * only (text that matches a golden compiles as the golden does).
   */
  @Tag("javac")
  @ParameterizedTest
  @ValueSource(strings = {"tutorial.yaml", "names.yaml", "cnn.yaml", "containers.yaml", "attention.yaml"})
  void generatedSourcesCompile(String spec) {
    Compilation c = Specs.compileClean("golden/" + spec, Specs.resource("golden/" + spec));
    InMemoryJavac.compile(c.files());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tutorial.yaml", "names.yaml", "cnn.yaml", "containers.yaml", "attention.yaml"})
  void everyGoldenIsStillGenerated(String spec) throws IOException {
    if (UPDATE) {
      return;
    }
    Compilation c = Specs.compileClean("golden/" + spec, Specs.resource("golden/" + spec));
    List<String> generated = new ArrayList<>();
    c.files().forEach(f -> generated.add(f.relativePath()));
    String pkg = c.files().get(0).relativePath();
    Path dir = EXPECTED.resolve(pkg).getParent();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = EXPECTED.relativize(p).toString().replace('\\', '/');
        assertTrue(generated.contains(rel), "stale golden " + p + ": " + spec + " no longer generates it");
      }
    }
  }
}
