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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildStateTest {
  @TempDir Path dir;

  @Test
  void settingsDigestChangesWithEverySetting() {
    String base = BuildState.settingsDigest(Arrays.asList("1.0", null, "/out"));
    assertEquals(base, BuildState.settingsDigest(Arrays.asList("1.0", null, "/out")));
    assertNotEquals(base, BuildState.settingsDigest(Arrays.asList("1.1", null, "/out")));
    assertNotEquals(base, BuildState.settingsDigest(Arrays.asList("1.0", "p", "/out")));
    assertNotEquals(base, BuildState.settingsDigest(Arrays.asList("1.0", null, "/out2")));
  }

  @Test
  void specDigestChangesWithItsBytesItsNameAndItsImportsBytes() throws IOException {
    Files.writeString(dir.resolve("a.yaml"), "netspec: 1\n");
    Files.createDirectories(dir.resolve("common"));
    Path blocks = Files.writeString(dir.resolve("common/blocks.yaml"), "blocks: {}\n");
    List<String> imports = List.of("common/blocks.yaml");
    String base = BuildState.specDigest(dir, "a.yaml", imports);
    assertEquals(base, BuildState.specDigest(dir, "a.yaml", imports));
    assertNotEquals(base, BuildState.specDigest(dir, "a.yaml", List.of()), "an import dropped");

    Files.writeString(dir.resolve("b.yaml"), "netspec: 1\n");
    assertNotEquals(base, BuildState.specDigest(dir, "b.yaml", imports), "another name");
    Files.writeString(blocks, "blocks: {A: {}}\n");
    assertNotEquals(base, BuildState.specDigest(dir, "a.yaml", imports), "the import changed");
    Files.writeString(blocks, "blocks: {}\n");
    assertEquals(base, BuildState.specDigest(dir, "a.yaml", imports));
    Files.delete(blocks);
    assertNotEquals(base, BuildState.specDigest(dir, "a.yaml", imports), "the import is gone");
    Files.writeString(dir.resolve("a.yaml"), "netspec: 2\n");
    assertNotEquals(base, BuildState.specDigest(dir, "a.yaml", List.of()));
  }

  @Test
  void spellsImportsInsideTheSpecFolderRelativeAndOthersAbsolute() {
    assertEquals("common/blocks.yaml", BuildState.spell(dir, dir.resolve("common/../common/blocks.yaml")));
    Path outside = dir.getParent().resolve("shared/x.yaml").toAbsolutePath();
    assertEquals(outside.toString().replace('\\', '/'), BuildState.spell(dir, outside));
  }

  @Test
  void roundTripsAndKnowsWhetherItsFilesAreThereAsWritten() throws IOException {
    Path file = dir.resolve("state/generate.state");
    GeneratedFile a = new GeneratedFile("com/x/A.java", "com.x.A", "class A {}\n", Path.of("a.yaml"));
    GeneratedFile c = new GeneratedFile("com/x/C.java", "com.x.C", "class C {}\n", Path.of("c.yaml"));
    BuildState state = new BuildState("abc", Map.of(
        "a.yaml", new BuildState.Spec("d1", List.of("common/blocks.yaml", "/abs/x.yaml"),
            BuildState.hashes(List.of(a))),
        "c.yaml", new BuildState.Spec("d2", List.of(), BuildState.hashes(List.of(c)))));
    state.write(file);
    BuildState read = BuildState.read(file);
    assertEquals(state, read);
    BuildState.Spec spec = read.specs().get("a.yaml");
    assertEquals(List.of("com/x/A.java"), List.copyOf(spec.files().keySet()));
    assertFalse(spec.outputsIntact(dir), "A.java is not there yet");

    Path written = Files.createDirectories(dir.resolve("com/x")).resolve("A.java");
    Files.writeString(written, "class A {}\n");
    assertTrue(spec.outputsIntact(dir));
    assertFalse(read.specs().get("c.yaml").outputsIntact(dir), "each spec's files are its own");

    Files.writeString(written, "class A { int edited; }\n");
    assertFalse(spec.outputsIntact(dir), "a hand edit has to make generate write the file again");
    Files.writeString(written, "class A {}\n");
    assertTrue(spec.outputsIntact(dir));
  }

  @Test
  void missingOrForeignStateFileMeansNoState() throws IOException {
    assertNull(BuildState.read(dir.resolve("none")));
    assertNull(BuildState.read(Files.writeString(dir.resolve("other"), "hello\nworld\n")));
    // The state of an older plugin, which kept one digest for all specs.
    assertNull(BuildState.read(Files.writeString(dir.resolve("old"),
        "# netspec generate 2: input digest, then the SHA-256 and path of each generated file\n"
            + "abc\n0123 com/x/A.java\n")));
  }
}
