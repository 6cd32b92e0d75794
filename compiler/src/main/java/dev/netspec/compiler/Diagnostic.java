package dev.netspec.compiler;

import java.nio.file.Path;
import java.util.Comparator;

/**
 * One message about a spec, with its position (1-based line and column; 0 when unknown).
 *
 * @param file the spec file
 * @param line 1-based line, or 0 for a file-level message
 * @param column 1-based column, or 0 for a file-level message
 * @param severity error or warning
 * @param message one sentence, starting with the block path where there is one
 */
public record Diagnostic(Path file, int line, int column, Severity severity, String message) {
  /** Orders by file, line, column, then message, for stable output. */
  public static final Comparator<Diagnostic> ORDER = Comparator
      .comparing((Diagnostic d) -> d.file().toString())
      .thenComparingInt(Diagnostic::line)
      .thenComparingInt(Diagnostic::column)
      .thenComparing(Diagnostic::message);

  /** How bad it is. */
  public enum Severity {
    ERROR, WARNING;

    String label() {
      return this == ERROR ? "error" : "warning";
    }
  }

  /** {@code specs/mlp.yaml:9:9: error: Mlp.2 (linear): expects 256 input features, got 128}. */
  public String format() {
    String where = file.toString().replace('\\', '/');
    if (line > 0) {
      where += ":" + line + ":" + column;
    }
    return where + ": " + severity.label() + ": " + message;
  }

  @Override
  public String toString() {
    return format();
  }
}
