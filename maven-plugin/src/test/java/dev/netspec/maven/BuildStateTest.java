package dev.netspec.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void roundTripsAndKnowsWhetherItsFilesAreThere() throws IOException {
    Path file = dir.resolve("state/generate.state");
    new BuildState("abc", List.of("com/x/A.java")).write(file);
    BuildState read = BuildState.read(file);
    assertEquals(new BuildState("abc", List.of("com/x/A.java")), read);
    assertFalse(read.outputsPresent(dir));
    Files.createDirectories(dir.resolve("com/x"));
    Files.writeString(dir.resolve("com/x/A.java"), "class A {}");
    assertTrue(read.outputsPresent(dir));
  }

  @Test
  void missingOrForeignStateFileMeansNoState() throws IOException {
    assertNull(BuildState.read(dir.resolve("none")));
    assertNull(BuildState.read(Files.writeString(dir.resolve("other"), "hello\nworld\n")));
  }
}
