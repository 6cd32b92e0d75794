package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** How a process ended: its exit code and what it printed. */
record Exit(int code, String out, String err) {
  /**
   * Runs {@code command} to its end (at most a minute), its output kept in files in {@code tmp}.
   *
   * @param setup changes the process's environment and the like before it starts
   */
  static Exit of(List<String> command, Path tmp, Consumer<ProcessBuilder> setup)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectOutput(tmp.resolve("out").toFile())
        .redirectError(tmp.resolve("err").toFile());
    setup.accept(pb);
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), command.get(0) + " did not finish");
    return new Exit(p.exitValue(),
        Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
  }
}
