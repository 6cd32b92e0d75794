package dev.netspec.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.GeneratedFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildStateTest {
  @TempDir Path dir;

  @Test
  void digestChangesWithSpecBytesNamesAndSettings() throws IOException {
    Path a = Files.writeString(dir.resolve("a.yaml"), "netspec: 1\n");
    List<String> settings = Arrays.asList("1.0", null, "/out");
    String base = BuildState.digest(List.of(a), dir, settings);
    assertEquals(base, BuildState.digest(List.of(a), dir, settings));

    assertNotEquals(base, BuildState.digest(List.of(a), dir, Arrays.asList("1.1", null, "/out")));
    assertNotEquals(base, BuildState.digest(List.of(a), dir, Arrays.asList("1.0", "p", "/out")));
    Path b = Files.writeString(dir.resolve("b.yaml"), "netspec: 1\n");
    assertNotEquals(base, BuildState.digest(List.of(b), dir, settings));
    Files.writeString(a, "netspec: 2\n");
    assertNotEquals(base, BuildState.digest(List.of(a), dir, settings));
  }

  @Test
  void roundTripsAndKnowsWhetherItsFilesAreThereAsWritten() throws IOException {
    Path file = dir.resolve("state/generate.state");
    GeneratedFile a = new GeneratedFile("com/x/A.java", "com.x.A", "class A {}\n", Path.of("a.yaml"));
    BuildState.of("abc", List.of(a)).write(file);
    BuildState read = BuildState.read(file);
    assertEquals(BuildState.of("abc", List.of(a)), read);
    assertEquals(List.of("com/x/A.java"), List.copyOf(read.files().keySet()));
    assertFalse(read.outputsIntact(dir), "A.java is not there yet");

    Path written = Files.createDirectories(dir.resolve("com/x")).resolve("A.java");
    Files.writeString(written, "class A {}\n");
    assertTrue(read.outputsIntact(dir));

    Files.writeString(written, "class A { int edited; }\n");
    assertFalse(read.outputsIntact(dir), "a hand edit has to make generate write the file again");
    Files.writeString(written, "class A {}\n");
    assertTrue(read.outputsIntact(dir));
  }

  @Test
  void missingOrForeignStateFileMeansNoState() throws IOException {
    assertNull(BuildState.read(dir.resolve("none")));
    assertNull(BuildState.read(Files.writeString(dir.resolve("other"), "hello\nworld\n")));
    // The state of an older plugin, which kept no digests of the generated files.
    assertNull(BuildState.read(Files.writeString(dir.resolve("old"),
        "# netspec generate: input digest, then generated files\nabc\ncom/x/A.java\n")));
  }
}
