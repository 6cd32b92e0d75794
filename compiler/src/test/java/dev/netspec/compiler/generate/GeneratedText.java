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
  /** The compilation of each spec text asked for so far (a test class asks for several of its classes). */
  private static final Map<String, Compilation> COMPILED = new HashMap<>();

  private GeneratedText() {}

  /** The generated source of class {@code simpleName} of {@code spec}, which must compile cleanly. */
  static String java(String spec, String simpleName) {
    Compilation c = COMPILED.computeIfAbsent(spec,
        s -> new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), s))));
    List<String> messages = new ArrayList<>();
    c.diagnostics().forEach(d -> messages.add(d.format()));
    assertEquals(List.of(), messages);
    for (GeneratedFile f : c.files()) {
      if (f.className().endsWith("." + simpleName)) {
        return f.content();
      }
    }
    throw new AssertionError("no class " + simpleName + " in " + c.files());
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
