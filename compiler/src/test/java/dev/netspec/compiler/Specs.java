package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test helpers: read spec resources, compile them. */
final class Specs {
  private Specs() {}

  /** The text of a classpath resource. */
  static String resource(String name) {
    try (InputStream in = Specs.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compiles one text as the spec at {@code path}. */
  static Compilation compile(String path, String text) {
    return new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of(path), text)));
  }

  /** Compiles and expects no diagnostics at all. */
  static Compilation compileClean(String path, String text) {
    Compilation c = compile(path, text);
    List<String> messages = new ArrayList<>();
    c.diagnostics().forEach(d -> messages.add(d.format()));
    assertEquals(List.of(), messages, "diagnostics of " + path);
    return c;
  }

  /** The formatted diagnostics of compiling {@code text}. */
  static List<String> errors(String text) {
    List<String> out = new ArrayList<>();
    compile("t.yaml", text).diagnostics().forEach(d -> out.add(d.format()));
    return out;
  }
}
