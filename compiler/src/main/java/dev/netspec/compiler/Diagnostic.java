package dev.netspec.compiler;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * One message about a spec, with its position (1-based line and column; 0 when unknown).
 *
 * @param file the spec file
 * @param line 1-based line, or 0 for a file-level message
 * @param column 1-based column, or 0 for a file-level message
 * @param severity error or warning
 * @param message one sentence, starting with the block path where there is one
 * @param notes where the cause lies elsewhere, innermost first: the caller whose argument
 *     values a block's error comes from
 */
public record Diagnostic(
    Path file, int line, int column, Severity severity, String message, List<Note> notes) {
  public Diagnostic {
    notes = List.copyOf(notes);
  }

  /** A diagnostic without notes. */
  public Diagnostic(Path file, int line, int column, Severity severity, String message) {
    this(file, line, column, severity, message, List.of());
  }

  /**
   * A place that explains a diagnostic: {@code specs/t.yaml:16:9: note: Outer.0 builds Inner
   * here with width=10, heads=3}.
   */
  public record Note(Path file, int line, int column, String message) {
    /** The note as its own line. */
    public String format() {
      return Diagnostic.where(file, line, column) + ": note: " + message;
    }
  }

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

  /**
   * {@code specs/mlp.yaml:9:9: error: Mlp.2 (linear): expects 256 input features, got 128},
   * each note on a line of its own after it.
   */
  public String format() {
    StringBuilder out = new StringBuilder(
        where(file, line, column) + ": " + severity.label() + ": " + message);
    notes.forEach(n -> out.append('\n').append(n.format()));
    return out.toString();
  }

  private static String where(Path file, int line, int column) {
    String where = file.toString().replace('\\', '/');
    return line > 0 ? where + ":" + line + ":" + column : where;
  }

  @Override
  public String toString() {
    return format();
  }
}
