package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void quickStepPrintsNothing() {
    StringWriter err = new StringWriter();
    Progress.start(new PrintWriter(err, true), "compiling 1 spec").close();
    assertEquals("", err.toString());
  }

  @Test
  void stepOverASecondAnnouncesItselfAndItsTime() throws InterruptedException {
    StringWriter err = new StringWriter();
    Progress progress = Progress.start(new PrintWriter(err, true), "running Mlp");
    try {
      Thread.sleep(1300);
    } finally {
      progress.close();
    }
    String line = err.toString();
    assertTrue(line.matches("netspec: running Mlp\\.\\.\\. done \\(1\\.\\d s\\)\\R"), line);
  }
}
