package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Bad input never throws: seeded mutations of every test spec (lines dropped or duplicated,
 * characters replaced, tokens swapped) give diagnostics or output, never an exception.
 */
class RobustnessTest {
  private static final String[] TOKENS = {"linear", "relu", "?", "-1", "0", "[", "]", "{", "}", ":",
      "x", "@", "(", ")", "same_as: \"9\"", "repeat: 3", "init: zeros", "Block1", "sequential", "*",
      "while", "return", "  ", "\n", "\"", "'", "#", "&a", "*a", "!!int", "1e400", "9999999999"};

  private static List<String> corpus() throws IOException {
    List<String> out = new ArrayList<>();
    for (String dir : List.of("src/test/resources/golden", "src/test/resources/errors")) {
      try (Stream<Path> s = Files.list(Path.of(dir))) {
        for (Path p : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
          out.add(Files.readString(p));
        }
      }
    }
    return out;
  }

  static String mutate(String text, Random rnd) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    int edits = 1 + rnd.nextInt(3);
    for (int e = 0; e < edits && !lines.isEmpty(); e++) {
      int i = rnd.nextInt(lines.size());
      String line = lines.get(i);
      switch (rnd.nextInt(5)) {
        case 0 -> lines.remove(i);
        case 1 -> lines.add(i, line);
        case 2 -> {
          if (!line.isEmpty()) {
            int at = rnd.nextInt(line.length());
            lines.set(i, line.substring(0, at) + TOKENS[rnd.nextInt(TOKENS.length)] + line.substring(at + 1));
          }
        }
        case 3 -> {
          int at = line.isEmpty() ? 0 : rnd.nextInt(line.length());
          lines.set(i, line.substring(0, at) + TOKENS[rnd.nextInt(TOKENS.length)] + line.substring(at));
        }
        default -> lines.set(i, line.replaceAll("[0-9]+", String.valueOf(rnd.nextInt(5) - 1)));
      }
    }
    return String.join("\n", lines);
  }

  @Test
  void mutatedSpecsNeverThrow() throws IOException {
    Random rnd = new Random(Long.getLong("seed", 20261127));
    List<String> corpus = corpus();
    int generated = 0;
    for (int round = 0; round < Integer.getInteger("rounds", 1500); round++) {
      String text = mutate(corpus.get(rnd.nextInt(corpus.size())), rnd);
      try {
        Compilation c = Specs.compile("m.yaml", text);
        if (!c.hasErrors()) {
          generated++;
        }
        for (Diagnostic d : c.diagnostics()) {
          assertTrue(!d.message().isBlank());
        }
      } catch (RuntimeException | StackOverflowError e) {
        AssertionError err = new AssertionError("compile threw on round " + round + ":\n" + text, e);
        fail(err);
      }
    }
    assertTrue(generated > 0, "some mutations are still valid specs");
  }
}
