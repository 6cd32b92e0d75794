package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * The Java the compiler writes for a small spec, as text: the generate package's direct tests
 * read the forwards it writes without compiling them (javac would make a mutation run too slow).
 */
final class GeneratedText {
  private final Map<String, String> sources = new LinkedHashMap<>();

  private GeneratedText(Compilation c) {
    for (GeneratedFile f : c.files()) {
      sources.put(f.className().substring(f.className().lastIndexOf('.') + 1), f.content());
    }
  }

  /** The generated sources of {@code spec}, which must compile without a diagnostic. */
  static GeneratedText of(String spec) {
    Compilation c = new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), spec)));
    List<String> messages = new ArrayList<>();
    c.diagnostics().forEach(d -> messages.add(d.format()));
    assertEquals(List.of(), messages);
    return new GeneratedText(c);
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
}
