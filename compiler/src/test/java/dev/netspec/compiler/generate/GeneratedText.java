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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java the compiler writes for a small spec, as text (parse, check, infer, generate; no
 * javac): the generate package's direct tests read the code it writes without compiling it
 * (javac would make a mutation run too slow). Generate in each test (or {@code @BeforeEach}),
 * never once for the class: PIT gives each test the code it runs itself, and a mutant is tried
 * only against the tests that ran its line.
 */
final class GeneratedText {
  private final Map<String, String> sources = new LinkedHashMap<>();

  private GeneratedText(Map<String, String> sources) {
    this.sources.putAll(sources);
  }

  /** The generated sources of {@code spec}, which must compile without a diagnostic. */
  static GeneratedText of(String spec) {
    return new GeneratedText(classes(spec));
  }

  /** The whole source of block {@code block}'s class. */
  String source(String block) {
    String s = sources.get(block);
    if (s == null) {
      throw new IllegalArgumentException("no class " + block + " in " + sources.keySet());
    }
    return s;
  }

  /**
   * The body of the first method whose declaration line starts with {@code start} (indented two
   * spaces) and, when {@code output} is not null, has ({@code true}) or lacks ({@code false}) an
   * {@code output} parameter; null when there is none.
   */
  String method(String block, String start, Boolean output) {
    String s = source(block);
    for (int at = s.indexOf("\n  " + start); at >= 0; at = s.indexOf("\n  " + start, at + 1)) {
      String declaration = s.substring(at + 1, s.indexOf('\n', at + 1));
      if (output == null || declaration.contains("Tensor output)") == output) {
        return s.substring(at + 1, s.indexOf("\n  }\n", at) + 4);
      }
    }
    return null;
  }

  /**
   * The allocating forward's body: {@code forwardRecorded(...)} when the block also has the
   * allocation-free forward ({@code forward(x)} then sizes an output and calls that one), else
   * {@code forward(...)}.
   */
  String allocating(String block) {
    String recorded = method(block, "private Tensor forwardRecorded(", null);
    return recorded != null ? recorded : method(block, "public Tensor forward(", false);
  }

  /** The allocation-free forward's body ({@code forward(x, output)}), or null when there is none. */
  String buffered(String block) {
    return method(block, "public Tensor forward(", true);
  }

  /**
   * The statements of {@code body} that start with one of {@code starts}, trimmed, in order,
   * without the replica check every forward opens with ({@code if (free != this)}).
   */
  static List<String> lines(String body, String... starts) {
    List<String> out = new ArrayList<>();
    for (String line : body.split("\n")) {
      String t = line.trim();
      for (String s : starts) {
        if (t.startsWith(s) && !t.startsWith("if (free != this)") && !t.startsWith("if (records(")) {
          out.add(t);
          break;
        }
      }
    }
    return out;
  }

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
    Map<String, String> out = new LinkedHashMap<>();
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
