package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedSourcesTest {
  @TempDir Path dir;

  private static GeneratedFile file(String path, String content) {
    return new GeneratedFile(path, path.replace('/', '.').replace(".java", ""), content,
        Path.of("spec.yaml"));
  }

  @Test
  void writeSkipsFilesThatAreAlreadyRight() throws IOException {
    List<GeneratedFile> files = List.of(file("a/A.java", "class A {}\n"),
        file("a/B.java", "class B {}\n"));
    assertEquals(List.of("a/A.java", "a/B.java"), GeneratedSources.write(files, dir).written());
    FileTime old = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(dir.resolve("a/A.java"), old);

    List<GeneratedFile> changed = List.of(file("a/A.java", "class A {}\n"),
        file("a/B.java", "class B { int x; }\n"));
    GeneratedSources.WriteResult r = GeneratedSources.write(changed, dir);
    assertEquals(List.of("a/B.java"), r.written());
    assertEquals(List.of("a/A.java"), r.unchanged());
    assertEquals(old, Files.getLastModifiedTime(dir.resolve("a/A.java")));
    assertEquals("class B { int x; }\n", Files.readString(dir.resolve("a/B.java")));
    try (var s = Files.list(dir.resolve("a"))) {
      assertEquals(2, s.count(), "a temporary file was left behind");
    }
  }

  @Test
  void diffNamesMissingAndStaleFilesInOrder() throws IOException {
    Files.createDirectories(dir.resolve("a"));
    Files.writeString(dir.resolve("a/A.java"), "class A {}\n");
    Files.writeString(dir.resolve("a/B.java"), "class B { old }\n");
    List<GeneratedFile> files = List.of(file("a/A.java", "class A {}\n"),
        file("a/B.java", "class B {}\n"), file("a/C.java", "class C {}\n"));
    assertEquals(List.of(
        new GeneratedSources.Mismatch("a/B.java", GeneratedSources.Difference.STALE),
        new GeneratedSources.Mismatch("a/C.java", GeneratedSources.Difference.MISSING)),
        GeneratedSources.diff(files, dir));
  }
}
