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
    return ended(p, tmp);
  }

  /** A number that grows while a process works (steps logged, bytes written). */
  interface Progress {
    long now() throws IOException;
  }

  /**
   * Runs {@code command} to its end however long it takes while it makes {@code progress}:
   * fails only when the progress has not grown for {@code stallSeconds} (a hang), not because
   * a loaded machine runs a long job slowly. The stall bound covers the start (JVM, loading,
   * the first compilations) as well.
   */
  static Exit whileProgressing(List<String> command, Path tmp, Progress progress,
      int stallSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command)
        .redirectOutput(tmp.resolve("out").toFile())
        .redirectError(tmp.resolve("err").toFile())
        .start();
    try {
      long seen = progress.now();
      long stall = TimeUnit.SECONDS.toNanos(stallSeconds);
      long lastMove = System.nanoTime();
      while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
        long now = progress.now();
        if (now != seen) {
          seen = now;
          lastMove = System.nanoTime();
        }
        assertTrue(System.nanoTime() - lastMove < stall, command.get(0) + " made no progress for "
            + stallSeconds + " s (at " + seen + "): " + Files.readString(tmp.resolve("err")));
      }
      return ended(p, tmp);
    } finally {
      p.destroyForcibly();
    }
  }

  private static Exit ended(Process p, Path tmp) throws IOException {
    return new Exit(p.exitValue(),
        Files.readString(tmp.resolve("out"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("err"), StandardCharsets.UTF_8));
  }
}
