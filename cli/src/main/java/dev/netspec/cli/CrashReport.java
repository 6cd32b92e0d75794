package dev.netspec.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The details of a bug in netspec, kept in a file so that stderr gets one line: the versions
 * and the stack trace, for the bug report.
 */
final class CrashReport {
  private CrashReport() {}

  /** Writes the report of {@code e} to a new temporary file; null if that is impossible. */
  static Path write(Throwable e) {
    Path file = null;
    try {
      String text = text(e);
      file = Files.createTempFile("netspec-crash-", ".txt");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return file;
    } catch (IOException | RuntimeException failed) {
      deleteIfPossible(file);
      return null;
    }
  }

  private static String text(Throwable e) {
    StringWriter text = new StringWriter();
    try (PrintWriter w = new PrintWriter(text)) {
      w.println(new Version().getVersion()[0]);
      w.println();
      e.printStackTrace(w);
    }
    return text.toString();
  }

  private static void deleteIfPossible(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // nothing more to do: the caller prints the stack trace instead
    }
  }
}
