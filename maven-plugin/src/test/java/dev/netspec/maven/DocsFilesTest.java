package dev.netspec.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The code blocks of the docs are the files the integration tests build: a block after
 * {@code <!-- tested: PATH... -->} is each named file, byte for byte, and one after
 * {@code <!-- tested: excerpt of PATH -->} is a run of its lines (indented as a whole). So a
 * user who copies the docs gets an app that {@code mvn verify} builds on Maven 3.8.7.
 */
class DocsFilesTest {
  private static final String MARK = "<!-- tested: ";
  private static final String EXCERPT = "excerpt of ";
  private static final List<String> DOCUMENTED_APPS = List.of(
      "maven-plugin/src/it/docs-generate", "maven-plugin/src/it/docs-checked-in");

  private record Block(String doc, int line, String marker, String text) {}

  @Test
  void everyTestedBlockIsTheFileItNames() throws IOException {
    Path root = repoRoot();
    List<String> problems = new ArrayList<>();
    for (Block b : blocks(root, "docs/maven-plugin.md", "README.md")) {
      boolean excerpt = b.marker().startsWith(EXCERPT);
      String names = excerpt ? b.marker().substring(EXCERPT.length()) : b.marker();
      for (String name : names.trim().split("\\s+")) {
        Path file = root.resolve(name);
        String where = b.doc() + ":" + b.line() + ": ";
        if (!Files.isRegularFile(file)) {
          problems.add(where + "names " + name + ", which does not exist");
          continue;
        }
        String content = Files.readString(file, StandardCharsets.UTF_8);
        if (excerpt ? !containsIndented(content, b.text()) : !content.equals(b.text())) {
          problems.add(where + "the block differs from " + name
              + (excerpt ? " (not a run of its lines)" : ""));
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  @Test
  void theDocsShowEveryFileOfTheDocumentedApps() throws IOException {
    Path root = repoRoot();
    Set<String> shown = new TreeSet<>();
    for (Block b : blocks(root, "docs/maven-plugin.md")) {
      if (!b.marker().startsWith(EXCERPT)) {
        shown.addAll(List.of(b.marker().trim().split("\\s+")));
      }
    }
    Set<String> appFiles = new TreeSet<>();
    for (String app : DOCUMENTED_APPS) {
      try (Stream<Path> walk = Files.walk(root.resolve(app))) {
        walk.filter(Files::isRegularFile)
            .map(p -> root.relativize(p).toString().replace('\\', '/'))
            .filter(p -> !p.endsWith("/invoker.properties") && !p.endsWith("/verify.groovy"))
            .forEach(appFiles::add);
      }
    }
    assertTrue(appFiles.contains("maven-plugin/src/it/docs-checked-in/pom.xml"), appFiles::toString);
    assertEquals(appFiles, shown, "files of the documented apps versus blocks of the docs");
  }

  @Test
  void theReadmeShowsAnExcerptOfATestedPom() throws IOException {
    List<Block> readme = blocks(repoRoot(), "README.md");
    assertTrue(readme.stream().anyMatch(b -> b.marker().startsWith(EXCERPT)
        && b.marker().endsWith("pom.xml")), "README.md has no tested pom excerpt");
  }

  /** The blocks after a {@code tested} mark, with the mark's text (without the comment). */
  private static List<Block> blocks(Path root, String... docs) throws IOException {
    List<Block> blocks = new ArrayList<>();
    for (String doc : docs) {
      List<String> lines = Files.readAllLines(root.resolve(doc), StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (!line.startsWith(MARK)) {
          continue;
        }
        assertTrue(line.endsWith(" -->"), doc + ":" + (i + 1) + ": unterminated mark");
        String marker = line.substring(MARK.length(), line.length() - " -->".length());
        int open = i + 1;
        while (open < lines.size() && lines.get(open).isBlank()) {
          open++;
        }
        assertTrue(open < lines.size() && lines.get(open).startsWith("```"),
            doc + ":" + (i + 1) + ": a tested mark has to be followed by a code block");
        StringBuilder text = new StringBuilder();
        int close = open + 1;
        for (; close < lines.size() && !lines.get(close).equals("```"); close++) {
          text.append(lines.get(close)).append('\n');
        }
        assertTrue(close < lines.size(), doc + ":" + (open + 1) + ": unclosed code block");
        blocks.add(new Block(doc, i + 1, marker, text.toString()));
        i = close;
      }
    }
    return blocks;
  }

  /** Whether the lines of {@code excerpt}, all indented alike, are a run of {@code file}'s. */
  static boolean containsIndented(String file, String excerpt) {
    List<String> lines = file.lines().toList();
    List<String> want = excerpt.lines().toList();
    if (want.isEmpty()) {
      return false;
    }
    for (int i = 0; i + want.size() <= lines.size(); i++) {
      String first = lines.get(i);
      if (!first.endsWith(want.get(0)) || !first.substring(0, first.length()
          - want.get(0).length()).isBlank()) {
        continue;
      }
      String indent = first.substring(0, first.length() - want.get(0).length());
      boolean all = true;
      for (int k = 0; k < want.size() && all; k++) {
        String w = want.get(k);
        all = lines.get(i + k).equals(w.isEmpty() ? "" : indent + w);
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("docs")) && Files.isDirectory(p.resolve("maven-plugin"))) {
        return p;
      }
    }
    throw new IllegalStateException("no docs/ and maven-plugin/ above " + Path.of("").toAbsolutePath());
  }
}
