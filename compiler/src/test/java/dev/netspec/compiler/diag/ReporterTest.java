package dev.netspec.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.Diagnostic;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Notes: the errors reported while a note is open get it (innermost first); an error reported
 * once with notes and once without is the block's own and keeps none, in either order; the same
 * error is counted once.
 */
class ReporterTest {
  private static final Path F = Path.of("t.yaml");

  private static Position at(int line) {
    return new Position(F, line, 3);
  }

  private static List<String> lines(Reporter r) {
    return r.sorted().stream().map(Diagnostic::format).toList();
  }

  @Test
  void errorsReportedWhileANoteIsOpenGetItInnermostFirst() {
    Reporter r = new Reporter();
    r.error(at(1), "before");
    r.beginNote(at(20), "outer call");
    r.beginNote(at(10), "inner call");
    r.error(at(2), "inside both");
    r.warning(at(4), "a warning gets no note");
    r.endNote();
    r.error(at(3), "inside the outer");
    r.endNote();
    r.error(at(5), "after");
    assertEquals(List.of("t.yaml:1:3: error: before",
        "t.yaml:2:3: error: inside both\nt.yaml:10:3: note: inner call\nt.yaml:20:3: note: outer call",
        "t.yaml:3:3: error: inside the outer\nt.yaml:20:3: note: outer call",
        "t.yaml:4:3: warning: a warning gets no note",
        "t.yaml:5:3: error: after"), lines(r));
    assertEquals(4, r.errorCount());
  }

  @Test
  void anErrorAlsoReportedWithoutANoteKeepsNone() {
    Reporter first = new Reporter();
    first.beginNote(at(10), "a call");
    first.error(at(2), "the block's own");
    first.endNote();
    first.error(at(2), "the block's own");
    Reporter second = new Reporter();
    second.error(at(2), "the block's own");
    second.beginNote(at(10), "a call");
    second.error(at(2), "the block's own");
    second.endNote();
    for (Reporter r : List.of(first, second)) {
      assertEquals(List.of("t.yaml:2:3: error: the block's own"), lines(r));
      assertEquals(1, r.errorCount());
    }
    // two calls giving the same error: the first call's note is kept, the error counted once
    Reporter twice = new Reporter();
    twice.beginNote(at(10), "first call");
    twice.error(at(2), "from the values");
    twice.endNote();
    twice.beginNote(at(11), "second call");
    twice.error(at(2), "from the values");
    twice.endNote();
    assertEquals(List.of("t.yaml:2:3: error: from the values\nt.yaml:10:3: note: first call"), lines(twice));
    assertEquals(1, twice.errorCount());
  }

  @Test
  void aFileErrorHasNoLineAndANoteItsPlace() {
    Reporter r = new Reporter();
    r.beginNote(at(7), "a call");
    r.fileError(F, "whole file");
    r.endNote();
    assertEquals(List.of("t.yaml: error: whole file\nt.yaml:7:3: note: a call"), lines(r));
    Diagnostic d = r.sorted().get(0);
    assertEquals(List.of(new Diagnostic.Note(F, 7, 3, "a call")), d.notes());
    assertEquals(new Diagnostic(F, 0, 0, Diagnostic.Severity.ERROR, "whole file", List.of()),
        new Diagnostic(F, 0, 0, Diagnostic.Severity.ERROR, "whole file"));
  }
}
