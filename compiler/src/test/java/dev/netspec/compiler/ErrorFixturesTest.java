package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad-input class has a fixture under {@code errors/}: the expected message sits on the
 * offending line as {@code # error: <message>}, and the compiler must report exactly those
 * (line and message), all of them, quickly and without a stack trace. Each fixture has a good
 * twin ({@code *.good.yaml}) that compiles cleanly into Java that compiles.
 */
class ErrorFixturesTest {
  private static final Path DIR = Path.of("src/test/resources/errors");
  private static final String MARK = "# error: ";

  static Stream<String> badFixtures() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.endsWith(".good.yaml"))
          .sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("badFixtures")
  void reportsExactlyTheMarkedErrors(String name) throws IOException {
    String text = Files.readString(DIR.resolve(name));
    List<String> expected = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int at = lines[i].indexOf(MARK);
      if (at >= 0) {
        expected.add((i + 1) + ": " + lines[i].substring(at + MARK.length()).strip());
      }
    }
    assertFalse(expected.isEmpty(), name + " marks no error");
    Compilation c = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> Specs.compile("errors/" + name, text));
    List<String> actual = new ArrayList<>();
    for (Diagnostic d : c.diagnostics()) {
      assertEquals(Diagnostic.Severity.ERROR, d.severity(), d.format());
      actual.add(d.line() + ": " + d.message());
    }
    assertEquals(expected, actual, name);
    assertTrue(c.hasErrors());
    assertTrue(c.files().isEmpty(), "no files are generated from a spec with errors");
  }

  /** Tagged: javac per fixture makes it the slowest test, which the mutation runs leave out. */
  @Tag("javac")
  @ParameterizedTest
  @MethodSource("badFixtures")
  void goodTwinCompiles(String name) throws IOException {
    String good = name.replace(".yaml", ".good.yaml");
    Path path = DIR.resolve(good);
    assertTrue(Files.exists(path), "missing good twin " + path);
    Compilation c = Specs.compileClean("errors/" + good, Files.readString(path));
    assertFalse(c.files().isEmpty());
    InMemoryJavac.compile(c.files());
  }
}
