package dev.netspec.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.diag.Position;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A scalar maps a line and column of its text to the file, by each kind of scalar's rule
 * (worked by hand below), and every node names its kind for messages.
 */
class NodeTest {
  private static final Path F = Path.of("t.yaml");

  private static Position p(int line, int column) {
    return new Position(F, line, column);
  }

  @Test
  void aQuotedStringWithEscapesMapsEachCharacter() {
    // "ab\ncd" written over places 1..5 and its closing quote at 6 (columns 10..15)
    List<Position> chars = List.of(p(3, 10), p(3, 11), p(3, 12), p(3, 13), p(3, 14), p(3, 15));
    Node.Scalar s = new Node.Scalar(p(3, 9), "ab\ncd", p(3, 10), -1, chars);
    assertEquals(p(3, 10), s.at(1, 1));
    assertEquals(p(3, 11), s.at(1, 2));
    assertEquals(p(3, 13), s.at(2, 1)); // 'c', after the \n
    assertEquals(p(3, 14), s.at(2, 2));
    assertEquals(p(3, 15), s.at(2, 9), "past the end: the closing quote");
    assertEquals(p(3, 9), s.at(3, 1), "no third line: the string's start");
    // a string that starts with its line break: "\nab" at columns 9 (quote) to 14 (quote)
    Node.Scalar first = new Node.Scalar(p(1, 9), "\nab", p(1, 10), -1,
        List.of(p(1, 10), p(1, 12), p(1, 13), p(1, 14)));
    assertEquals(p(1, 12), first.at(2, 1), "'a', the first character of the second line");
    assertEquals(p(1, 13), first.at(2, 2));
  }

  @Test
  void blockPlainAndEscapedScalarsMapLineByLine() {
    // a | block whose lines start at column 7, its first on line 5
    Node.Scalar block = new Node.Scalar(p(4, 14), "y = x\nreturn y\n", p(5, 7), 7);
    assertEquals(p(5, 7), block.at(1, 1));
    assertEquals(p(6, 14), block.at(2, 8));
    // a one-line plain scalar: columns from its start
    Node.Scalar plain = new Node.Scalar(p(2, 14), "relu(x)", p(2, 14), 0);
    assertEquals(p(2, 19), plain.at(1, 6));
    // a plain scalar over several lines: later lines from column 1 of theirs
    assertEquals(p(3, 4), plain.at(2, 4));
    // a quoted string with escapes and no map: later lines at the string's start
    Node.Scalar escaped = new Node.Scalar(p(2, 13), "a\nb", p(2, 14), -1);
    assertEquals(p(2, 15), escaped.at(1, 2));
    assertEquals(p(2, 13), escaped.at(2, 1));
  }

  @Test
  void everyNodeNamesItsKind() {
    assertEquals("a mapping", new Node.MapNode(p(1, 1), Map.of()).describe());
    assertEquals("a list", new Node.ListNode(p(1, 1), List.of()).describe());
    assertEquals("null", new Node.Scalar(p(1, 1), null, p(1, 1), 0).describe());
    assertEquals("the string 'x'", new Node.Scalar(p(1, 1), "x", p(1, 1), 0).describe());
    assertEquals("the boolean true", new Node.Scalar(p(1, 1), true, p(1, 1), 0).describe());
    assertEquals("the number 3", new Node.Scalar(p(1, 1), 3L, p(1, 1), 0).describe());
    assertEquals("the number 0.5", new Node.Scalar(p(1, 1), 0.5, p(1, 1), 0).describe());
  }
}
