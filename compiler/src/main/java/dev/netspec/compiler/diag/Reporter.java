package dev.netspec.compiler.diag;

import dev.netspec.compiler.Diagnostic;
import dev.netspec.compiler.Diagnostic.Severity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the diagnostics of a compilation. Every phase reports every problem it finds and
 * goes on; the pipeline stops after a phase that reported an error. The same message at the
 * same place is kept once (a block checked at several uses reports a fault once).
 */
public final class Reporter {
  private final Set<Diagnostic> diagnostics = new LinkedHashSet<>();
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

  private void add(Diagnostic d) {
    if (diagnostics.add(d) && d.severity() == Severity.ERROR) {
      errors++;
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
    List<Diagnostic> out = new ArrayList<>(diagnostics);
    out.sort(Diagnostic.ORDER);
    return out;
  }
}
