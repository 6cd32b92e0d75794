package dev.netspec.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The details of a bug in netspec, kept in a file so that stderr gets one line: the versions
 * and the stack trace, for the bug report. Reports go to one folder, {@code netspec} in the
 * temporary directory, which keeps the {@value #KEPT} newest.
 */
final class CrashReport {
  /** How many reports the folder keeps; older ones are deleted when a new one is written. */
  static final int KEPT = 5;

  private CrashReport() {}

  /** The folder of the reports: {@code netspec} in {@code java.io.tmpdir}. */
  static Path folder() {
    return Path.of(System.getProperty("java.io.tmpdir"), "netspec");
  }

  /** Writes the report of {@code e} to a new file in {@link #folder()}; null if impossible. */
  static Path write(Throwable e) {
    Path file = null;
    try {
      String text = text(e);
      Path folder = Files.createDirectories(folder());
      file = Files.createTempFile(folder, "crash-", ".txt");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      prune(folder, file);
      return file;
    } catch (IOException | RuntimeException failed) {
      deleteIfPossible(file);
      return null;
    }
  }

  /** Deletes all but the {@value #KEPT} newest reports, never {@code kept}. */
  private static void prune(Path folder, Path kept) {
    List<Path> reports;
    try (Stream<Path> files = Files.list(folder)) {
      reports = files.filter(f -> {
        String name = f.getFileName().toString();
        return name.startsWith("crash-") && name.endsWith(".txt") && !f.equals(kept);
      }).sorted(Comparator.comparing(CrashReport::modified).reversed()).toList();
    } catch (IOException | RuntimeException e) {
      return; // the new report is written; an old one left over does no harm
    }
    reports.stream().skip(KEPT - 1).forEach(CrashReport::deleteIfPossible);
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return FileTime.fromMillis(0); // gone or unreadable: first to go
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
      // nothing more to do
    }
  }
}
