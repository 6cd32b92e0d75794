package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.parse.Limits;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.SpecReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Positions, JSON, limits and refused YAML features of the spec reader. */
class ReaderTest {
  private static Node read(String name, String text, Reporter r) {
    return SpecReader.read(Path.of(name), text, r);
  }

  @Test
  void positionsAreOneBasedInBlockAndFlowStyle() {
    Reporter r = new Reporter();
    Node.MapNode root = (Node.MapNode) read("a.yaml", "a:\n  b: [x, {c: 7}]\n  d: |\n    line1\n    line2\n", r);
    Node.MapNode a = (Node.MapNode) root.get("a");
    assertEquals(new Position(Path.of("a.yaml"), 2, 3), a.entries().get("b").key().pos());
    Node.ListNode b = (Node.ListNode) a.get("b");
    assertEquals(new Position(Path.of("a.yaml"), 2, 6), b.pos());
    assertEquals(new Position(Path.of("a.yaml"), 2, 7), b.items().get(0).pos());
    Node.MapNode inner = (Node.MapNode) b.items().get(1);
    assertEquals(new Position(Path.of("a.yaml"), 2, 14), inner.get("c").pos());
    Node.Scalar d = (Node.Scalar) a.get("d");
    // Text positions of a '|' block map to its content lines.
    assertEquals(new Position(Path.of("a.yaml"), 5, 7), d.at(2, 3));
    assertTrue(!r.hasErrors());
  }

  @Test
  void forwardErrorsPointIntoTheForwardText() {
    String spec = "netspec: 1\npackage: p\nblocks:\n  Net:\n    input: [batch, 4]\n"
        + "    forward: relu(x) @ foo\n";
    assertEquals(List.of("t.yaml:6:24: error: Net: unknown name 'foo' (names here: x)"), Specs.errors(spec));
    String quoted = "netspec: 1\npackage: p\nblocks:\n  Net:\n    input: [batch, 4]\n"
        + "    forward: \"relu(x) @ foo\"\n";
    assertEquals(List.of("t.yaml:6:25: error: Net: unknown name 'foo' (names here: x)"), Specs.errors(quoted));
    String block = "netspec: 1\npackage: p\nblocks:\n  Net:\n    input: [batch, 4]\n"
        + "    forward: |\n      y = relu(x)\n      return y @ foo\n";
    assertEquals(List.of("t.yaml:8:18: error: Net: unknown name 'foo' (names here: x, y)"), Specs.errors(block));
    // blank lines between 'forward: |' and its first line are lines of the text: they do not
    // move the place of what follows ('foo' on line 10, not 12)
    String blankFirst = "netspec: 1\npackage: p\nblocks:\n  Net:\n    input: [batch, 4]\n"
        + "    forward: |\n\n\n      y = relu(x)\n      return y @ foo\n";
    assertEquals(List.of("t.yaml:10:18: error: Net: unknown name 'foo' (names here: x, y)"),
        Specs.errors(blankFirst));
  }

  @Test
  void forwardErrorsAfterAnEscapeOrAFoldedLineKeepTheirColumn() {
    String head = "netspec: 1\npackage: p\nblocks:\n  Net:\n    input: [batch, 4]\n";
    // "\x20" is four characters in the file, one in the text: 'foo' is at column 28, not 25
    assertEquals(List.of("t.yaml:6:28: error: Net: unknown name 'foo' (names here: x)"),
        Specs.errors(head + "    forward: \"relu(x)\\x20@ foo\"\n"));
    // YAML's single quotes escape a quote by doubling it; an empty line inside is a line break
    assertEquals(List.of("t.yaml:8:18: error: Net: unknown name 'foo' (names here: x, y)"),
        Specs.errors(head + "    forward: 'y = relu(x)  # it''s\n\n      return y @ foo'\n"));
    // a line break inside double quotes folds into a space: 'foo' is on the file's next line
    assertEquals(List.of("t.yaml:7:9: error: Net: unknown name 'foo' (names here: x)"),
        Specs.errors(head + "    forward: \"relu(x)\n      @ foo\"\n"));
    // JSON: "\u0040" is '@', six characters in the file
    String json = "{\"netspec\": 1, \"package\": \"p\", \"blocks\": {\"Net\": {\"input\": [\"batch\", 4],\n"
        + " \"forward\": \"relu(x) \\u0040 foo\"}}}";
    assertEquals(List.of("m.json:2:29: error: Net: unknown name 'foo' (names here: x)"),
        Specs.compile("m.json", json).diagnostics().stream().map(Diagnostic::format).toList());
  }

  @Test
  void topLevelSchemaKeyIsAcceptedAndIgnored() {
    String json = "{\"netspec\": 1, \"package\": \"p\", \"blocks\": {\"Mlp\": {\"input\": [\"batch\", 4],"
        + " \"sequential\": [{\"linear\": 2}]}}}";
    String withSchema = json.replace("{\"netspec\"", "{\"$schema\": \"../netspec.schema.json\", \"netspec\"");
    Compilation plain = Specs.compile("m.json", json);
    Compilation c = Specs.compile("m.json", withSchema);
    assertEquals(List.of(), c.diagnostics());
    assertEquals(plain.files().get(0).content(), c.files().get(0).content());
    assertEquals(List.of("m.json:1:13: error: $schema must be a string, got the number 7"),
        Specs.compile("m.json", withSchema.replace("\"../netspec.schema.json\"", "7"))
            .diagnostics().stream().map(Diagnostic::format).toList());
  }

  @Test
  void jsonSpecsCompileAndReportPositions() {
    String json = "{\"netspec\": 1, \"package\": \"p\", \"blocks\": {\"Mlp\": {\"input\": [\"batch\", 20],\n"
        + " \"sequential\": [{\"linear\": 8}, \"relu\", {\"lienar\": 2}]}}}";
    Compilation c = Specs.compile("m.json", json);
    assertEquals(List.of("m.json:2:41: error: Mlp: unknown layer 'lienar'; did you mean 'linear'?"),
        c.diagnostics().stream().map(Diagnostic::format).toList());
    Compilation ok = Specs.compile("m.json", json.replace("lienar", "linear"));
    assertEquals(List.of(), ok.diagnostics());
    assertEquals("p/Mlp.java", ok.files().get(0).relativePath());
  }

  @Test
  void jsonSyntaxErrorsAndDuplicateKeys() {
    Compilation c = Specs.compile("m.json", "{\"netspec\": 1,\n \"package\": }");
    assertEquals(1, c.diagnostics().size());
    String msg = c.diagnostics().get(0).format();
    assertTrue(msg.startsWith("m.json:2:13: error: JSON syntax error: "), msg);
    Compilation dup = Specs.compile("m.json", "{\"netspec\": 1, \"netspec\": 1, \"package\": \"p\"}");
    assertEquals(List.of("m.json:1:1: error: missing 'blocks:'",
        "m.json:1:16: error: duplicate key 'netspec' (first at line 1, column 2)"),
        dup.diagnostics().stream().map(Diagnostic::format).toList());
  }

  /**
   * A JSON spec's syntax errors say what to write, in the words YAML's get, not Jackson's
   * ("Unexpected character ('"' (code 34)) ...", "[Source: REDACTED ...]").
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{`netspec`: 1, `blocks`: {                      | 1:27: error: JSON syntax error: the file ends inside an object: a closing '}' is missing",
      "{`netspec`: 1, `blocks`: [1, 2                  | 1:31: error: JSON syntax error: the file ends inside a list: a closing ']' is missing",
      "{'netspec': 1}                                  | 1:2: error: JSON syntax error: JSON strings take double quotes, not single quotes",
      "{netspec: 1}                                    | 1:2: error: JSON syntax error: a key is a string in double quotes, such as `blocks`; found 'n'",
      "{`blocks`: {`A`: {`sequential`: [relu]}}}       | 1:34: error: JSON syntax error: 'relu' is not a JSON value; put text in double quotes: `relu`",
      "{`netspec`: 1 `blocks`: {}}                     | 1:15: error: JSON syntax error: a ',' is missing before this entry",
      "{`blocks`: [1 2]}                               | 1:15: error: JSON syntax error: a ',' is missing before this item",
      "{`netspec` 1}                                   | 1:12: error: JSON syntax error: a ':' is missing after the key",
      "{`blocks`: {}}}                                 | 1:15: error: JSON syntax error: '}' closes nothing that is open; remove it",
      "{`netspec`: 1, // a comment                     | 1:16: error: JSON syntax error: JSON has no comments; remove it (in a YAML spec, # starts a comment)",
  })
  void jsonSyntaxErrorsSayWhatToWrite(String json, String error) {
    String text = json.strip().replace('`', '"');
    assertEquals(List.of("m.json:" + error.replace('`', '"')),
        Specs.compile("m.json", text).diagnostics().stream().map(Diagnostic::format).toList(), text);
  }

  @Test
  void aJsonTrailingCommaIsNamedAtTheComma() {
    String list = "{\"netspec\": 1, \"package\": \"p\",\n \"blocks\": {\"Net\": {\"input\": [\"batch\", 4],"
        + " \"sequential\": [\"relu\",]}}}";
    assertEquals(List.of("m.json:2:65: error: JSON syntax error: trailing comma before ']'; remove it"),
        Specs.compile("m.json", list).diagnostics().stream().map(Diagnostic::format).toList());
    String map = "{\"netspec\": 1, \"package\": \"p\",\n \"blocks\": {}, \n}";
    assertEquals(List.of("m.json:2:14: error: JSON syntax error: trailing comma before '}'; remove it"),
        Specs.compile("m.json", map).diagnostics().stream().map(Diagnostic::format).toList());
  }

  @Test
  void limitsAreEnforcedWithClearMessages() {
    String huge = "doc: '" + "x".repeat(Limits.MAX_DOCUMENT_CHARS) + "'\n";
    assertEquals(List.of("t.yaml: error: spec is " + huge.length() + " characters long; the limit is "
        + Limits.MAX_DOCUMENT_CHARS), Specs.errors(huge));
    String longString = "netspec: 1\ndoc: '" + "x".repeat(Limits.MAX_STRING_CHARS + 1) + "'\n";
    List<String> errors = Specs.errors(longString);
    assertEquals(1, errors.size());
    assertTrue(errors.get(0).contains("String value length"), errors.get(0));
    assertEquals(List.of("t.yaml:1:10: error: the number 123456789012345678901234567890 is too large"),
        Specs.errors("netspec: 123456789012345678901234567890\n"));
    assertEquals(List.of("t.yaml: error: spec is empty"), Specs.errors(""));
    assertEquals(List.of("t.yaml:1:10: error: YAML tags are not allowed in a spec ('tag:yaml.org,2002:str')"),
        Specs.errors("netspec: !!str 1\n"));
    assertEquals(List.of("t.yaml:3:1: error: only one document is allowed in a spec file"),
        Specs.errors("netspec: 1\n---\nnetspec: 1\n"));
  }

  @Test
  void deepBlocksAndLongExpressionsAreRefusedNotOverflowed() {
    String spec = "netspec: 1\npackage: p\nblocks:\n  A:\n    input: [batch, 3]\n    forward: x"
        + " + x".repeat(5000) + "\n";
    assertEquals(List.of("t.yaml:6:1036: error: A: expression is nested deeper than 256 operations;"
        + " split it into several statements"), Specs.errors(spec));
    String ok = "netspec: 1\npackage: p\nblocks:\n  A:\n    input: [batch, 3]\n    forward: x"
        + " + x".repeat(200) + "\n";
    assertEquals(List.of(), Specs.errors(ok));
    String parens = "netspec: 1\npackage: p\nblocks:\n  A:\n    input: [batch, 3]\n    forward: "
        + "(".repeat(100) + "x" + ")".repeat(100) + "\n";
    assertEquals(1, Specs.errors(parens).size());
    assertTrue(Specs.errors(parens).get(0).contains("expression is nested deeper than 64"));
  }

  @Test
  void aliasesAreRefusedEvenWithoutAnAnchorMark() {
    List<String> errors = Specs.errors("netspec: 1\npackage: p\nx: *missing\n");
    assertEquals(1, errors.size());
    assertTrue(errors.get(0).startsWith("t.yaml:3:"), errors.get(0));
  }
}
