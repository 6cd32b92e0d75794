package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the runtime's guides honest ({@code docs/runtime.md}, {@code docs/sequence-models.md},
 * {@code docs/training.md}): every {@code java} code block in them must be code of these tests. A block may skip test lines with a {@code // ...} line; its pieces must then
 * appear in one test file, in order. Indentation and blank lines do not count.
 */
class RuntimeDocTest {
  private static final List<Path> DOCS = List.of(Path.of("..", "docs", "runtime.md"),
      Path.of("..", "docs", "sequence-models.md"), Path.of("..", "docs", "training.md"));
  private static final Path SOURCES = Path.of("src", "test", "java", "dev", "netspec", "runtime",
      "seed");
  private static final String ELISION = "// ...";

  @Test
  void everyJavaBlockIsTestedCode() throws IOException {
    if (!Files.isDirectory(SOURCES)) {
      fail("run in the runtime module's directory (as Maven does): no "
          + SOURCES.toAbsolutePath());
    }
    List<String> sources = new ArrayList<>();
    try (Stream<Path> files = Files.list(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted()
          .collect(Collectors.toList())) {
        sources.add(normalize(Files.readAllLines(file)));
      }
    }
    for (Path doc : DOCS) {
      if (!Files.isRegularFile(doc)) {
        fail("no " + doc.toAbsolutePath());
      }
      List<List<String>> blocks = javaBlocks(Files.readAllLines(doc));
      assertFalse(blocks.isEmpty(), doc + " has no java blocks");
      for (List<String> block : blocks) {
        if (sources.stream().noneMatch(source -> containsInOrder(source, pieces(block)))) {
          fail(doc + ": this java block is not in the tests under " + SOURCES + ":\n"
              + String.join("\n", block));
        }
      }
    }
  }

  /** The lines of each fenced {@code java} block. */
  private static List<List<String>> javaBlocks(List<String> lines) {
    List<List<String>> blocks = new ArrayList<>();
    List<String> block = null;
    for (String line : lines) {
      if (block == null && line.trim().equals("```java")) {
        block = new ArrayList<>();
      } else if (block != null && line.trim().equals("```")) {
        blocks.add(block);
        block = null;
      } else if (block != null) {
        block.add(line);
      }
    }
    return blocks;
  }

  /** The block's normalized pieces between {@code // ...} lines. */
  private static List<String> pieces(List<String> block) {
    List<String> out = new ArrayList<>();
    List<String> piece = new ArrayList<>();
    for (String line : block) {
      if (line.trim().equals(ELISION)) {
        out.add(normalize(piece));
        piece.clear();
      } else {
        piece.add(line);
      }
    }
    out.add(normalize(piece));
    return out;
  }

  private static boolean containsInOrder(String source, List<String> pieces) {
    int from = 0;
    for (String piece : pieces) {
      int at = source.indexOf(piece, from);
      if (at < 0) {
        return false;
      }
      from = at + piece.length();
    }
    return true;
  }

  /** Trimmed non-blank lines, each ending in a newline, with one leading newline. */
  private static String normalize(List<String> lines) {
    StringBuilder sb = new StringBuilder("\n");
    for (String line : lines) {
      if (!line.isBlank()) {
        sb.append(line.trim()).append('\n');
      }
    }
    return sb.toString();
  }
}
