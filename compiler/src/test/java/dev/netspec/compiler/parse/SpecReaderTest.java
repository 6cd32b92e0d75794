package dev.netspec.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.Diagnostic;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The spec reader on its own: the node tree of a YAML or JSON text with the place of every
 * node and, for each kind of scalar, where its text starts and how its lines map to the file
 * (lines and columns counted by hand in the texts below); the values it gives for each kind of
 * scalar; and what it refuses, at the exact edge of each limit.
 */
class SpecReaderTest {
  private static final Path Y = Path.of("t.yaml");
  private static final Path J = Path.of("t.json");

  private static Position y(int line, int column) {
    return new Position(Y, line, column);
  }

  private static Node read(String text) {
    Reporter r = new Reporter();
    Node n = SpecReader.read(Y, text, r);
    assertEquals(List.of(), r.sorted().stream().map(Diagnostic::format).toList());
    return n;
  }

  private static List<String> errors(Path file, String text) {
    Reporter r = new Reporter();
    Node n = SpecReader.read(file, text, r);
    List<String> out = r.sorted().stream().map(Diagnostic::format).toList();
    if (!r.hasErrors()) {
      throw new AssertionError("no error; read " + n);
    }
    return out;
  }

  private static Node.Scalar scalar(Node root, String key) {
    return (Node.Scalar) ((Node.MapNode) root).get(key);
  }

  @Test
  void eachKindOfScalarGetsItsValue() {
    Node root = read("i: 7\nbig: 2147483648\nneg: -3\nf: 0.5\ne: 1e3\nt: true\nn: no\nz: null\n"
        + "s: 'x'\nq: \"7\"\n");
    assertEquals(7L, scalar(root, "i").value());
    assertEquals(2_147_483_648L, scalar(root, "big").value(), "past int: a long");
    assertEquals(-3L, scalar(root, "neg").value());
    assertEquals(0.5, scalar(root, "f").value());
    assertEquals(1000.0, scalar(root, "e").value());
    assertEquals(true, scalar(root, "t").value());
    assertEquals("no", scalar(root, "n").value(), "YAML 1.2: 'no' is a string");
    assertNull(scalar(root, "z").value());
    assertEquals("x", scalar(root, "s").value());
    assertEquals("7", scalar(root, "q").value());
    assertEquals(false, scalar(read("f: false\n"), "f").value());
    // the largest long is a number, one more is refused where it stands
    assertEquals(Long.MAX_VALUE, scalar(read("m: 9223372036854775807\n"), "m").value());
    assertEquals(List.of("t.yaml:1:4: error: the number 9223372036854775808 is too large"),
        errors(Y, "m: 9223372036854775808\n"));
    assertEquals(List.of("t.json:1:7: error: the number 9223372036854775808 is too large"),
        errors(J, "{\"m\": 9223372036854775808}"));
  }

  @Test
  void plainAndQuotedScalarsStartTheirTextWhereTheValueDoes() {
    Node root = read("a: relu\nb: 'it''s'\nc: \"x y\"\nd: \"a\\tb\"\ne: \"ok\"  # not \\ an escape\n");
    Node.Scalar a = scalar(root, "a");
    assertEquals(y(1, 4), a.pos());
    assertEquals(y(1, 4), a.textStart());
    assertEquals(0, a.blockIndent());
    assertNull(a.chars());
    // quoted: the text starts after the quote; single quotes and escape-free double quotes map
    // line by line, and each character's place is kept ('' is one character over two places)
    Node.Scalar b = scalar(root, "b");
    assertEquals(y(2, 4), b.pos());
    assertEquals(y(2, 5), b.textStart());
    assertEquals(0, b.blockIndent());
    assertEquals(List.of(y(2, 5), y(2, 6), y(2, 7), y(2, 9), y(2, 10)), b.chars());
    Node.Scalar c = scalar(root, "c");
    assertEquals(y(3, 5), c.textStart());
    assertEquals(0, c.blockIndent());
    // a backslash escape: no line-by-line mapping (-1), but each character's place
    Node.Scalar d = scalar(root, "d");
    assertEquals("a\tb", d.value());
    assertEquals(-1, d.blockIndent());
    assertEquals(List.of(y(4, 5), y(4, 6), y(4, 8), y(4, 9)), d.chars());
    assertEquals(y(4, 8), d.at(1, 3));
    // a backslash after the closing quote is no escape of the string
    assertEquals(0, scalar(root, "e").blockIndent());
  }

  @Test
  void jsonStringsNeverMapLineByLine() {
    Node root = SpecReader.read(J, "{\"a\": \"xy\",\n \"b\": 3}", new Reporter());
    Node.Scalar a = (Node.Scalar) ((Node.MapNode) root).get("a");
    assertEquals(new Position(J, 1, 7), a.pos());
    assertEquals(new Position(J, 1, 8), a.textStart());
    assertEquals(-1, a.blockIndent());
    assertEquals(List.of(new Position(J, 1, 8), new Position(J, 1, 9), new Position(J, 1, 10)), a.chars());
    Node.Scalar b = (Node.Scalar) ((Node.MapNode) root).get("b");
    assertEquals(new Position(J, 2, 7), b.pos());
    assertEquals(0, b.blockIndent());
    assertEquals(new Position(J, 2, 2), ((Node.MapNode) root).entries().get("b").key().pos());
  }

  @Test
  void aBlockScalarsLinesMapToTheFile() {
    Node root = read("top:\n  f: |\n     y = x\n     return y\n  g: >\n    a\n    b\n");
    Node.Scalar f = scalar(((Node.MapNode) root).get("top"), "f");
    assertEquals("y = x\nreturn y\n", f.value());
    assertEquals(y(2, 6), f.pos());
    assertEquals(y(3, 6), f.textStart());
    assertEquals(6, f.blockIndent());
    assertEquals(y(4, 13), f.at(2, 8));
    Node.Scalar g = scalar(((Node.MapNode) root).get("top"), "g");
    assertEquals("a b\n", g.value());
    assertEquals(y(6, 5), g.textStart());
    assertEquals(5, g.blockIndent());
    // a blank line before the first content line is a line of the value (the first, empty):
    // the value's lines still map to the file's, from the line after the '|'
    Node.Scalar blank = scalar(read("f: |\n\n  y = x\n  return foo\n"), "f");
    assertEquals("\ny = x\nreturn foo\n", blank.value());
    assertEquals(y(2, 3), blank.textStart());
    assertEquals(y(4, 10), blank.at(3, 8), "'foo' on the value's third line, the file's fourth");
    // an empty block scalar (no text to place)
    assertEquals("", scalar(read("a: |\n\nb: 1\n"), "a").value());
    Node.Scalar last = scalar(read("a: |\n  x"), "a");
    assertEquals(y(2, 3), last.textStart(), "a last line without a line end");
    assertEquals(3, last.blockIndent());
    Node.Scalar none = scalar(read("a: |"), "a");
    assertEquals(none.pos(), none.textStart(), "nothing after the '|'");
    assertEquals(0, none.blockIndent());
  }

  @Test
  void listsAndMapsKeepTheirOrderAndPlaces() {
    Node root = read("b: [1, {c: 2}]\na:\n  - x\n  - y\n");
    Node.MapNode m = (Node.MapNode) root;
    assertEquals(List.of("b", "a"), List.copyOf(m.entries().keySet()));
    assertEquals(y(1, 1), m.pos());
    Node.ListNode b = (Node.ListNode) m.get("b");
    assertEquals(y(1, 4), b.pos());
    assertEquals(y(1, 8), b.items().get(1).pos());
    Node.ListNode a = (Node.ListNode) m.get("a");
    assertEquals(y(3, 3), a.pos());
    assertEquals(y(4, 5), a.items().get(1).pos());
    assertEquals("y", ((Node.Scalar) a.items().get(1)).value());
    assertNull(m.get("missing"));
    // a list at the top, a scalar at the top
    assertEquals(2, ((Node.ListNode) read("- 1\n- 2\n")).items().size());
    assertEquals("just", ((Node.Scalar) read("just\n")).value());
  }

  @Test
  void aDuplicateKeyIsReportedWithTheFirstAndTheFirstValueKept() {
    Reporter r = new Reporter();
    Node root = SpecReader.read(Y, "a: 1\nb: 2\na: 3\n", r);
    assertEquals(List.of("t.yaml:3:1: error: duplicate key 'a' (first at line 1, column 1)"),
        r.sorted().stream().map(Diagnostic::format).toList());
    assertEquals(1L, scalar(root, "a").value(), "reading goes on with the first");
    assertEquals(List.of("a", "b"), List.copyOf(((Node.MapNode) root).entries().keySet()));
  }

  @Test
  void nestingIsAllowedToThirtyTwoLevels() {
    // the root is level 1: 32 brackets are 32 levels, 33 are refused at the 33rd
    Node deep = read("[".repeat(32) + "]".repeat(32));
    int levels = 0;
    for (Node n = deep; n instanceof Node.ListNode l; n = l.items().isEmpty() ? null : l.items().get(0)) {
      levels++;
    }
    assertEquals(32, levels);
    assertEquals(List.of("t.yaml:1:33: error: nesting is deeper than 32 levels"),
        errors(Y, "[".repeat(33) + "]".repeat(33)));
    assertEquals(List.of("t.json:1:33: error: nesting is deeper than 32 levels"),
        errors(J, "[".repeat(33) + "]".repeat(33)));
  }

  @Test
  void yamlFeaturesAreRefusedWhereTheyStand() {
    assertEquals(List.of("t.yaml:2:4: error: YAML anchors are not allowed in a spec; write the value out"),
        errors(Y, "a: 1\nb: &x 2\n"));
    assertEquals(List.of("t.yaml:1:1: error: YAML anchors are not allowed in a spec; write the value out"),
        errors(Y, "&k a: 1\n"));
    // on a key after the first (an anchor before the first key marks the mapping itself)
    assertEquals(List.of("t.yaml:2:1: error: YAML anchors are not allowed in a spec; write the value out"),
        errors(Y, "a: 1\n&k b: 2\n"));
    assertEquals(List.of("t.yaml:2:4: error: YAML tags are not allowed in a spec ('tag:yaml.org,2002:int')"),
        errors(Y, "a: 1\nb: !!int 2\n"));
    // in JSON, '&' inside a string is text
    Node json = SpecReader.read(J, "{\"a\": \"&x\"}", new Reporter());
    assertEquals("&x", ((Node.Scalar) ((Node.MapNode) json).get("a")).value());
    assertEquals("&x", scalar(read("a: '&x'\n"), "a").value());
  }

  @Test
  void documentsAndEmptyTexts() {
    assertEquals(List.of("t.yaml: error: spec is empty"), errors(Y, ""));
    assertEquals(List.of("t.yaml: error: spec is empty"), errors(Y, "# only a comment\n"));
    assertEquals(List.of("t.yaml:3:1: error: only one document is allowed in a spec file"),
        errors(Y, "a: 1\n---\nb: 2\n"));
    assertEquals(List.of("t.json:1:10: error: only one document is allowed in a spec file"),
        errors(J, "{\"a\": 1} {\"b\": 2}"));
    // at the limit a text is read (and refused at its first value, an anchor, before the long
    // comment after it costs anything); one character more is refused before reading
    String atLimit = "a: &x 1\n#" + "x".repeat(Limits.MAX_DOCUMENT_CHARS - 9);
    assertEquals(Limits.MAX_DOCUMENT_CHARS, atLimit.length());
    assertEquals(List.of("t.yaml:1:4: error: YAML anchors are not allowed in a spec; write the value out"),
        errors(Y, atLimit));
    assertEquals(List.of("t.yaml: error: spec is " + (atLimit.length() + 1) + " characters long; the limit is "
        + Limits.MAX_DOCUMENT_CHARS), errors(Y, atLimit + " "));
  }

  @Test
  void jsonSyntaxErrorsAreLocatedAndTrailingCommasNamedAtTheComma() {
    // a trailing comma on the third line, after spaces and a line end
    assertEquals(List.of("t.json:3:4: error: JSON syntax error: trailing comma before ']'; remove it"),
        errors(J, "{\"a\":\n [1,\n  2,\n  ]}"));
    assertEquals(List.of("t.json:1:8: error: JSON syntax error: trailing comma before '}'; remove it"),
        errors(J, "{\"a\": 1,}"));
    // a text that starts with a line end: the comma is on line 2
    assertEquals(List.of("t.json:2:8: error: JSON syntax error: trailing comma before '}'; remove it"),
        errors(J, "\n{\"a\": 1,}"));
    // a comma that is not trailing: Jackson's message, at Jackson's place
    List<String> e = errors(J, "{\"a\": ,1}");
    assertEquals(1, e.size());
    assertTrue(e.get(0).startsWith("t.json:1:7: error: JSON syntax error: "), e.get(0));
    assertTrue(!e.get(0).contains("trailing comma"), e.get(0));
  }
}
