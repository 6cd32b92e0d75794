package dev.netspec.compiler.diag;

import dev.netspec.compiler.Diagnostic;
import dev.netspec.compiler.Diagnostic.Severity;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the diagnostics of a compilation. Every phase reports every problem it finds and
 * goes on; the pipeline stops after a phase that reported an error. The same message at the
 * same place is kept once (a block checked at several uses reports a fault once). While a
 * {@linkplain #beginNote note} is open, the errors reported get it: a caller's values that a
 * block's error comes from. An error also reported without notes does not come from a caller,
 * and keeps none.
 */
public final class Reporter {
  private final Map<Diagnostic, Diagnostic> diagnostics = new LinkedHashMap<>();
  private final Deque<Diagnostic.Note> open = new ArrayDeque<>();
  private int errors;

  /** Reports an error at {@code pos}. */
  public void error(Position pos, String message) {
    add(new Diagnostic(pos.file(), pos.line(), pos.column(), Severity.ERROR, message));
  }

  /** Reports a warning at {@code pos}. */
  public void warning(Position pos, String message) {
    add(new Diagnostic(pos.file(), pos.line(), pos.column(), Severity.WARNING, message));
  }

  /** Reports an error about a whole file. */
  public void fileError(Path file, String message) {
    add(new Diagnostic(file, 0, 0, Severity.ERROR, message));
  }

  /** Notes the errors reported from now until the matching {@link #endNote()}. */
  public void beginNote(Position pos, String message) {
    open.push(new Diagnostic.Note(pos.file(), pos.line(), pos.column(), message));
  }

  /** Closes the innermost open note. */
  public void endNote() {
    open.pop();
  }

  private void add(Diagnostic bare) {
    Diagnostic d = new Diagnostic(bare.file(), bare.line(), bare.column(), bare.severity(),
        bare.message(), bare.severity() == Severity.ERROR ? List.copyOf(open) : List.of());
    Diagnostic before = diagnostics.get(bare);
    if (before == null) {
      diagnostics.put(bare, d);
      if (d.severity() == Severity.ERROR) {
        errors++;
      }
    } else if (!before.notes().isEmpty() && d.notes().isEmpty()) {
      diagnostics.put(bare, bare); // also reported without a caller: it is the block's own
    }
  }

  /** The number of distinct errors so far. */
  public int errorCount() {
    return errors;
  }

  public boolean hasErrors() {
    return errors > 0;
  }

  /** Everything reported, sorted by file, line and column. */
  public List<Diagnostic> sorted() {
    List<Diagnostic> out = new ArrayList<>(diagnostics.values());
    out.sort(Diagnostic.ORDER);
    return out;
  }
}
