package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The same specs give byte-identical output on every run, in any source order. */
class DeterminismTest {
  private static List<SpecSource> sources() {
    List<SpecSource> out = new ArrayList<>();
    for (String name : List.of("tutorial.yaml", "names.yaml")) {
      out.add(new SpecSource(Path.of("specs", name), Specs.resource("golden/" + name)));
    }
    return out;
  }

  private static List<String> render(Compilation c) {
    List<String> out = new ArrayList<>();
    c.files().forEach(f -> out.add(f.relativePath() + "\n" + f.className() + "\n" + f.content()));
    return out;
  }

  @Test
  void compilingTwiceGivesIdenticalBytes() {
    Compilation first = new Compiler(CompilerOptions.defaults()).compile(sources());
    Compilation second = new Compiler(CompilerOptions.defaults()).compile(sources());
    assertFalse(first.files().isEmpty());
    assertEquals(render(first), render(second));
  }

  @Test
  void sourceOrderDoesNotMatter() {
    List<SpecSource> reversed = new ArrayList<>(sources());
    java.util.Collections.reverse(reversed);
    assertEquals(render(new Compiler(CompilerOptions.defaults()).compile(sources())),
        render(new Compiler(CompilerOptions.defaults()).compile(reversed)));
  }

  @Test
  void outputCarriesNoTimestampAndSortsByPath() {
    Compilation c = new Compiler(CompilerOptions.defaults()).compile(sources());
    Pattern date = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    List<String> paths = new ArrayList<>();
    for (GeneratedFile f : c.files()) {
      assertFalse(date.matcher(f.content()).find(), f.relativePath());
      assertFalse(f.content().contains("\r"), f.relativePath());
      paths.add(f.relativePath());
    }
    List<String> sorted = new ArrayList<>(paths);
    java.util.Collections.sort(sorted);
    assertEquals(sorted, paths);
  }

  @Test
  void twoSpecsCannotGenerateOneClass() {
    String spec = "netspec: 1\npackage: p\nblocks:\n  Mlp:\n    input: [batch, 2]\n    sequential: [relu]\n";
    Compilation c = new Compiler(CompilerOptions.defaults()).compile(List.of(
        new SpecSource(Path.of("a.yaml"), spec), new SpecSource(Path.of("b.yaml"), spec)));
    assertEquals(List.of("b.yaml:4:3: error: Mlp: class p.Mlp is also generated from a.yaml:4"),
        c.diagnostics().stream().map(Diagnostic::format).toList());
    assertEquals(List.of(), c.files());
  }

  @Test
  void packageOverrideMovesEveryClass() {
    Compilation c = new Compiler(new CompilerOptions("org.acme.nets")).compile(sources());
    for (GeneratedFile f : c.files()) {
      assertEquals(true, f.relativePath().startsWith("org/acme/nets/"), f.relativePath());
      assertEquals(true, f.content().contains("package org.acme.nets;"));
    }
    Compilation bad = new Compiler(new CompilerOptions("../x")).compile(sources());
    assertEquals(List.of("<options>: error: '../x' is not a valid Java package name"
        + " (lowercase identifiers separated by dots, no Java keywords)"),
        bad.diagnostics().stream().map(Diagnostic::format).toList());
  }
}
