package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.GeneratedFile;
import dev.netspec.compiler.SpecSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The generated sources in src/main/java are exactly what the compiler makes of specs/ today,
 * and compiling specs/ twice gives identical bytes. Run with
 * {@code -Dnetspec.updateGenerated=true} to rewrite the checked-in sources instead of failing.
 */
class GeneratedSourcesTest {
  static final String UPDATE_FLAG = "netspec.updateGenerated";
  static final String UPDATE_COMMAND = "mvn -pl generated-examples -am test"
      + " -Dtest=GeneratedSourcesTest -Dsurefire.failIfNoSpecifiedTests=false -D" + UPDATE_FLAG
      + "=true";
  /** Marks a generated source, so a stale one is found even when its spec is gone. */
  private static final String GENERATED_MARK = "@Generated(";

  private static final Path SOURCES = Path.of("src/main/java");
  private static final Path REGENERATED = Path.of("target/netspec-regenerated");

  /**
   * Compiles every spec in specs/ as {@code netspec compile specs -d ...} does: shown by its
   * path from the repository root, named by its path in specs/.
   */
  private static Map<String, String> compileSpecs() throws IOException {
    Path root = RepoFiles.root();
    List<SpecSource> sources = new ArrayList<>();
    for (Path spec : RepoFiles.specs()) {
      sources.add(new SpecSource(Path.of(RepoFiles.slashed(spec)),
          Files.readString(root.resolve(spec), StandardCharsets.UTF_8),
          SpecSource.nameIn(root.resolve("specs"), root.resolve(spec))));
    }
    Compilation result = new Compiler(new CompilerOptions(null)).compile(sources);
    if (result.hasErrors()) {
      fail("specs/ does not compile:\n" + result.diagnostics().stream().map(String::valueOf)
          .collect(Collectors.joining("\n")));
    }
    Map<String, String> files = new TreeMap<>();
    for (GeneratedFile f : result.files()) {
      String previous = files.put(f.relativePath(), f.content());
      if (previous != null) {
        fail("two specs generate " + f.relativePath());
      }
    }
    assertFalse(files.isEmpty(), "the compiler generated nothing from specs/");
    return files;
  }

  @Test
  void compilingSpecsTwiceGivesIdenticalBytes() throws IOException {
    Map<String, String> first = compileSpecs();
    Map<String, String> second = compileSpecs();
    assertEquals(first.keySet(), second.keySet(), "the two runs generate different files");
    for (Map.Entry<String, String> e : first.entrySet()) {
      assertEquals(e.getValue(), second.get(e.getKey()),
          e.getKey() + " differs between two compilations of the same specs");
    }
  }

  @Test
  void checkedInSourcesAreWhatTheCompilerGenerates() throws IOException {
    Map<String, String> generated = compileSpecs();
    writeTree(REGENERATED, generated);
    Map<String, String> checkedIn = generatedSourcesIn(SOURCES);

    List<String> stale = new ArrayList<>();
    for (Map.Entry<String, String> e : generated.entrySet()) {
      String old = checkedIn.get(e.getKey());
      if (old == null) {
        stale.add("missing:  " + e.getKey());
      } else if (!old.equals(e.getValue())) {
        stale.add("differs:  " + e.getKey());
      }
    }
    for (String path : checkedIn.keySet()) {
      if (!generated.containsKey(path)) {
        stale.add("obsolete: " + path);
      }
    }
    if (stale.isEmpty()) {
      return;
    }
    if (Boolean.getBoolean(UPDATE_FLAG)) {
      for (String path : checkedIn.keySet()) {
        if (!generated.containsKey(path)) {
          Files.delete(SOURCES.resolve(path));
        }
      }
      writeTree(SOURCES, generated);
      System.out.println("updated generated-examples/src/main/java:\n  "
          + String.join("\n  ", stale));
      return;
    }
    fail("generated-examples/src/main/java is stale (the compiler's output is in "
        + "generated-examples/" + REGENERATED + "):\n  " + String.join("\n  ", stale)
        + "\nTo update it, run:\n  " + UPDATE_COMMAND);
  }

  /** The generated sources below {@code dir} (hand-written ones carry no @Generated). */
  private static Map<String, String> generatedSourcesIn(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
        String text = Files.readString(p, StandardCharsets.UTF_8);
        if (text.contains(GENERATED_MARK)) {
          out.put(RepoFiles.slashed(dir.relativize(p)), text);
        }
      }
    }
    return out;
  }

  private static void writeTree(Path dir, Map<String, String> files) throws IOException {
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path target = dir.resolve(e.getKey());
      Files.createDirectories(target.getParent());
      Files.writeString(target, e.getValue(), StandardCharsets.UTF_8);
    }
  }
}
