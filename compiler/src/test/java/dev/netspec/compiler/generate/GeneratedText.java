package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.GeneratedFile;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: the Java the compiler writes for a spec text (parse, check, infer, generate; no
 * javac), and the statement of a variable in it.
 */
final class GeneratedText {
  private GeneratedText() {}

  /**
   * The generated sources of {@code spec}, which must compile cleanly, by simple class name.
   * Call it in each test (or {@code @BeforeEach}), never once for the class: PIT gives each test
   * the code it runs itself, and a mutant is tried only against the tests that ran its line.
   */
  static Map<String, String> classes(String spec) {
    Compilation c = new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), spec)));
    List<String> messages = new ArrayList<>();
    c.diagnostics().forEach(d -> messages.add(d.format()));
    assertEquals(List.of(), messages);
    Map<String, String> out = new HashMap<>();
    for (GeneratedFile f : c.files()) {
      out.put(f.className().substring(f.className().lastIndexOf('.') + 1), f.content());
    }
    return out;
  }

  /** The generated source of class {@code simpleName} of {@code spec} ({@link #classes}). */
  static String java(String spec, String simpleName) {
    String java = classes(spec).get(simpleName);
    assertTrue(java != null, "no class " + simpleName);
    return java;
  }

  /**
   * The right-hand side of the first statement {@code Tensor NAME = ...;} in {@code java}
   * (without its shape comment).
   */
  static String assigned(String java, String name) {
    String start = "Tensor " + name + " = ";
    int i = java.indexOf(start);
    assertTrue(i >= 0, "no " + start + " in\n" + java);
    int end = java.indexOf(";", i);
    return java.substring(i + start.length(), end);
  }

  /** The text of method {@code header} (its first line up to its first parenthesis, e.g. {@code "public Tensor forward("}) to its closing brace at two spaces and that line's end. */
  static String method(String java, String header) {
    int i = java.indexOf(header);
    assertTrue(i >= 0, "no " + header + " in\n" + java);
    int end = java.indexOf("\n  }\n", i);
    return java.substring(i, end + 5);
  }
}
