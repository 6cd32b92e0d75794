package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line itself: help, version, usage errors (exit 2) and missing files (exit 1). */
class UsageTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"compile", "check", "inspect", "run", "demo"})
  void everyCommandHasHelp(String command) {
    Cli r = Cli.run(command, "--help");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().contains("\nUsage: netspec " + command + " "), r::toString);
    assertEquals("", r.err());
  }

  @Test
  void topLevelHelpListsTheCommands() {
    Cli r = Cli.run("--help");
    assertEquals(0, r.code(), r::toString);
    for (String command : new String[] {"compile", "check", "inspect", "run", "demo"}) {
      assertTrue(r.out().contains("\n  " + command + " "), () -> command + " missing\n" + r);
    }
  }

  @Test
  void versionNamesTheBuildAndTheCompiler() {
    Cli r = Cli.run("--version");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().matches("netspec \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(compiler .+\\)\\R"),
        r::toString);
  }

  @Test
  void noCommandIsAUsageError() {
    Cli r = Cli.run();
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertEquals("netspec: error: missing command\nTry 'netspec --help' for more.\n", r.err());
  }

  @Test
  void misspelledCommandSuggestsTheRightOne() {
    Cli r = Cli.run("compil", "a.yaml");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertTrue(r.err().startsWith(
        "netspec: error: unknown command 'compil'; did you mean 'compile'?\n"), r::toString);
  }

  @Test
  void transposedCommandIsNamedAndTheRightOneSuggested() {
    Cli r = Cli.run("rnu", "mlp.yaml");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertEquals("netspec: error: unknown command 'rnu'; did you mean 'run'?\n"
        + "Try 'netspec --help' for more.\n", r.err());
  }

  @Test
  void misspelledOptionIsNamedRatherThanTheRequiredOptionItHides() {
    // picocli alone says "Missing required option: '--input=X.safetensors'", which sends a
    // reader looking for an option they did give
    Cli r = Cli.run("run", "mlp.yaml", "--inptu", "x.safetensors", "--output", "y.safetensors");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertEquals("netspec: error: unknown option '--inptu'; did you mean '--input'?\n"
        + "Try 'netspec run --help' for more.\n", r.err());
    Cli eq = Cli.run("inspect", "mlp.yaml", "--input-shap=2,20");
    assertEquals(Netspec.USAGE, eq.code(), eq::toString);
    assertTrue(eq.err().startsWith("netspec: error: unknown option '--input-shap';"
        + " did you mean '--input-shape'?\n"), eq::toString);
  }

  @Test
  void anArgWithoutItsValueSaysHowToWriteIt() {
    // picocli alone: "Value for option option '--arg' (NAME=VALUE) should be in KEY=VALUE
    // format but was dim"
    Cli r = Cli.run("inspect", "a.yaml", "--arg", "dim");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertEquals("netspec: error: --arg dim: expected NAME=VALUE, such as --arg dim=32\n"
        + "Try 'netspec inspect --help' for more.\n", r.err());
  }

  @Test
  void missingRequiredOptionIsAUsageError() {
    Cli r = Cli.run("compile", "a.yaml");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertEquals("netspec: error: missing -d DIR\n"
        + "Try 'netspec compile --help' for more.\n", r.err());
    Cli two = Cli.run("run", "mlp.yaml");
    assertEquals(Netspec.USAGE, two.code(), two::toString);
    assertEquals("netspec: error: missing --input X.safetensors and --output Y.safetensors\n"
        + "Try 'netspec run --help' for more.\n", two.err());
    Cli spec = Cli.run("inspect");
    assertEquals(Netspec.USAGE, spec.code(), spec::toString);
    assertTrue(spec.err().startsWith("netspec: error: missing SPEC\n"), spec::toString);
  }

  @Test
  void aFileGivenAsTheOutputFolderIsAUsageError() throws IOException {
    // the spec and the folder swapped: compile -d mlp.yaml src/main/java
    Path spec = tmp.resolve("mlp.yaml");
    Files.writeString(spec, "netspec: 1\npackage: p\nblocks:\n  A:\n    input: [batch, 2]\n"
        + "    sequential: [relu]\n");
    for (String command : List.of("compile", "check")) {
      Cli r = Cli.run(command, spec.toString(), "-d", spec.toString());
      assertEquals(Netspec.USAGE, r.code(), r::toString);
      assertEquals(spec + ": error: is a file, not a folder; -d names the folder the Java sources go into,"
          + " such as -d src/main/java\n", r.err(), r::toString);
      // as a user swaps them: the folder named as the spec, missing or without specs, is not
      // what is wrong
      Path sources = tmp.resolve("src/main/java");
      for (boolean exists : new boolean[] {false, true}) {
        if (exists) {
          Files.createDirectories(sources);
        }
        Cli swapped = Cli.run(command, "-d", spec.toString(), sources.toString());
        assertEquals(Netspec.USAGE, swapped.code(), swapped::toString);
        assertEquals(spec + ": error: is a file, not a folder; -d names the folder the Java sources go into,"
            + " such as -d src/main/java\n", swapped.err(), swapped::toString);
      }
      Files.delete(sources);
    }
  }

  @Test
  void badPackageIsAUsageError() {
    Cli r = Cli.run("compile", "a.yaml", "-d", "out", "--package", "com.1bad");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertTrue(r.err().contains("--package: 'com.1bad' is not a Java package name"),
        r::toString);
  }

  @Test
  void badInputShapeIsAUsageError() {
    Cli r = Cli.run("inspect", "a.yaml", "--input-shape", "2,x");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertTrue(r.err().startsWith("netspec: error: --input-shape: 'x' is not a size; give the input's sizes"
        + " as ints separated by commas, such as --input-shape 2,1,28,28\n"), r::toString);

    r = Cli.run("inspect", "a.yaml", "--input-shape", "2x1x28x28"); // torch.Size's look
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertTrue(r.err().startsWith("netspec: error: --input-shape: '2x1x28x28' is not a size"), r::toString);
  }

  @Test
  void unknownFormatIsAUsageError() {
    Cli r = Cli.run("inspect", "a.yaml", "--format", "xml");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertTrue(r.err().contains("expected one of [text, json, repr, dot]"), r::toString);
  }

  @Test
  void runWithoutInputOrOutputIsAUsageError() {
    Cli r = Cli.run("run", "a.yaml");
    assertEquals(Netspec.USAGE, r.code(), r::toString);
    assertTrue(r.err().startsWith("netspec: error: missing --input X.safetensors and --output Y.safetensors\n"),
        r::toString);
  }

  @Test
  void missingSpecIsAUserError() {
    Path missing = tmp.resolve("nope.yaml");
    Cli r = Cli.run("compile", missing.toString(), "-d", tmp.resolve("out").toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(missing + ": error: no such file or folder\n", r.err());
    assertTrue(Files.notExists(tmp.resolve("out")), "compile wrote something");
  }

  @Test
  void folderWithoutSpecsIsAUserError() throws IOException {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    Files.writeString(empty.resolve("notes.txt"), "not a spec");
    Cli r = Cli.run("check", empty.toString(), "-d", tmp.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(empty + ": error: no spec files (*.yaml, *.yml, *.json) in this folder\n",
        r.err());
  }

  @Test
  void specThatIsNotUtf8IsAUserError() throws IOException {
    Path spec = Files.write(tmp.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xE9});
    Cli r = Cli.run("compile", spec.toString(), "-d", tmp.resolve("out").toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(spec + ": error: cannot read: not UTF-8 text\n", r.err());
  }

  @Test
  void inspectOfAFolderIsAUserError() {
    Cli r = Cli.run("inspect", tmp.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(tmp + ": error: is a folder, not a spec file\n", r.err());
  }

  @Test
  void demoWithoutSpecsFolderIsAUserError() {
    Path missing = tmp.resolve("specs");
    Cli r = Cli.run("demo", "--specs", missing.toString());
    assertEquals(Netspec.USER_ERROR, r.code(), r::toString);
    assertEquals(missing + ": error: no such file or folder\n", r.err());
  }

  @Test
  void runHelpSaysWhichModeRuns() {
    Cli r = Cli.run("run", "--help");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().replaceAll("\\s+", " ").contains("The forward runs in eval mode"),
        r::toString);
    assertTrue(r.out().contains("--train"), r::toString);
  }
}
