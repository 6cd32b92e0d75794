package dev.netspec.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.SpecFile;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.SpecReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helper: reads and checks one spec text (no inference, no generation). */
final class Checked {
  final SpecFile file;
  final List<String> errors = new ArrayList<>();

  private Checked(String text) {
    Reporter reporter = new Reporter();
    Path path = Path.of("t.yaml");
    Node root = SpecReader.read(path, text, reporter);
    file = root == null ? null : Checker.check(path, root, reporter, null);
    reporter.sorted().forEach(d -> errors.add(d.format()));
  }

  /** Checks {@code text} (as t.yaml), whatever it reports. */
  static Checked of(String text) {
    return new Checked(text);
  }

  /** Checks {@code text} and expects no diagnostics. */
  static SpecFile clean(String text) {
    Checked c = new Checked(text);
    assertEquals(List.of(), c.errors);
    return c.file;
  }

  /** The block named {@code name} of a clean check. */
  static Block block(String text, String name) {
    return clean(text).blocks().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * {@code "t.yaml:L:C: error: "} for the first {@code token} on line {@code line} (1-based) of
   * {@code text}: the column counted from the text, not from the compiler.
   */
  static String at(String text, int line, String token) {
    String l = text.split("\n", -1)[line - 1];
    int col = l.indexOf(token);
    if (col < 0) {
      throw new IllegalArgumentException("no '" + token + "' on line " + line + ": " + l);
    }
    return "t.yaml:" + line + ":" + (col + 1) + ": error: ";
  }

  /** The spec {@code netspec: 1, package: t} with {@code blocks} (YAML lines, 2-space indented). */
  static String spec(String... blocks) {
    return "netspec: 1\npackage: t\nblocks:\n" + String.join("\n", blocks) + "\n";
  }
}
