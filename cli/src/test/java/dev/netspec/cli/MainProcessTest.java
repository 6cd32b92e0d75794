package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Netspec#main} in its own JVM: the exit codes reach the shell. */
class MainProcessTest {
  @TempDir Path tmp;

  private Exit java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), Netspec.class.getName()));
    command.addAll(List.of(args));
    return Exit.of(command, tmp, pb -> { });
  }

  @Test
  void exitCodesReachTheShell() throws IOException, InterruptedException {
    Exit version = java("--version");
    assertEquals(0, version.code(), version::toString);
    assertTrue(version.out().startsWith("netspec "), version::toString);

    Exit usage = java("compile");
    assertEquals(2, usage.code(), usage::toString);
    assertTrue(usage.err().contains("netspec: error: missing -d DIR and SPEC\n"), usage::toString);

    Path missing = tmp.resolve("missing.yaml");
    Exit user = java("inspect", missing.toString());
    assertEquals(1, user.code(), user::toString);
    assertTrue(user.err().contains(missing + ": error: no such file"), user::toString);
  }
}
