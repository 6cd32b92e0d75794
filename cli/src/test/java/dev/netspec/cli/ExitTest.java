package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** {@link Exit#whileProgressing}: a slow run that makes progress ends; a hung one fails. */
class ExitTest {
  @TempDir Path tmp;

  @Test
  void aRunLongerThanTheStallBoundEndsWhileItMakesProgress() throws Exception {
    Path log = tmp.resolve("log");
    // 3 s in all, a line every 0.5 s: longer than the 2 s bound, never 2 s without a line
    Exit e = Exit.whileProgressing(List.of("bash", "-c",
        "for i in 1 2 3 4 5 6; do sleep 0.5; echo $i >> '" + log + "'; done; echo done"),
        tmp, () -> Files.exists(log) ? Files.size(log) : 0, 2);
    assertEquals(0, e.code());
    assertEquals("done\n", e.out());
  }

  @Test
  void aRunWithoutProgressFailsAfterTheStallBound() {
    long start = System.nanoTime();
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> Exit.whileProgressing(List.of("sleep", "60"), tmp, () -> 0, 1));
    assertTrue(e.getMessage().contains("made no progress for 1 s"), e.getMessage());
    assertTrue(System.nanoTime() - start < 30_000_000_000L, "failed long before the process ended");
  }
}
