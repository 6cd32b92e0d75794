package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The commonest YAML mistakes (indentation, a missing ':' or quote or bracket, a tab) are one
 * located error that says what to change, not only SnakeYAML's "expected &lt;block end&gt;, but
 * found '-'". Each case is a good spec with one mistake; the comments give the parser's own
 * message, which said nothing a spec's author could act on.
 */
class YamlSyntaxTest {
  private static final String HEAD = "netspec: 1\npackage: p\nblocks:\n  Mlp:\n";

  private static String error(String body) {
    List<String> errors = Specs.errors(HEAD + body);
    assertEquals(1, errors.size(), errors::toString);
    return errors.get(0);
  }

  @Test
  void aListItemIndentedLessThanTheItemsAboveIsNamedWithBothColumns() {
    // SnakeYAML: "expected <block end>, but found '-'"
    assertEquals("t.yaml:8:3: error: YAML syntax error: this line's indentation does not match"
        + " the lines above it (column 3; line 7 starts at column 5): the entries of one mapping"
        + " or list start at the same column, a nested one further right, under a line ending"
        + " in ':'",
        error("    input: [batch, 20]\n    sequential:\n    - {linear: 256}\n  - relu\n"));
    // ... "but found '<block sequence start>'", one column off either way
    assertEquals("t.yaml:8:6: error: YAML syntax error: this line's indentation does not match"
        + " the lines above it (column 6; line 7 starts at column 7): the entries of one mapping"
        + " or list start at the same column, a nested one further right, under a line ending"
        + " in ':'",
        error("    input: [batch, 20]\n    sequential:\n      - {linear: 256}\n     - relu\n"));
    assertEquals("t.yaml:8:9: error: YAML syntax error: this line's indentation does not match"
        + " the lines above it (column 9; line 7 starts at column 7): the entries of one mapping"
        + " or list start at the same column, a nested one further right, under a line ending"
        + " in ':'",
        error("    input: [batch, 20]\n    sequential:\n      - {linear: 256}\n        - relu\n"));
  }

  @Test
  void aKeyIndentedMoreOrLessThanItsSiblingsIsNamed() {
    // "expected <block end>, but found '<block mapping start>'"
    assertEquals("t.yaml:6:7: error: YAML syntax error: this line's indentation does not match"
        + " the lines above it (column 7; line 5 starts at column 5): the entries of one mapping"
        + " or list start at the same column, a nested one further right, under a line ending"
        + " in ':'",
        error("    input: [batch, 20]\n      sequential: [relu]\n"));
    assertEquals("t.yaml:6:4: error: YAML syntax error: this line's indentation does not match"
        + " the lines above it (column 4; line 5 starts at column 5): the entries of one mapping"
        + " or list start at the same column, a nested one further right, under a line ending"
        + " in ':'",
        error("    input: [batch, 20]\n   sequential: [relu]\n"));
  }

  @Test
  void aListItemAmongKeysAndAKeyAmongListItemsAreNamed() {
    // "expected <block end>, but found '-'"
    assertEquals("t.yaml:8:7: error: YAML syntax error: a list item ('- ') cannot follow"
        + " 'key: value' entries at the same indentation (line 7): give it a key, or, to continue"
        + " a list, indent it as that list's items",
        error("    input: [batch, 20]\n    layers:\n      fc: {linear: 10}\n      - relu\n"
            + "    forward: fc(x)\n"));
    // "expected <block end>, but found '?'"
    assertEquals("t.yaml:8:7: error: YAML syntax error: a 'key: value' entry cannot follow list"
        + " items ('- ') at the same indentation (line 7): start it with '- ' to add it to the"
        + " list, or indent it as the keys it belongs with",
        error("    input: [batch, 20]\n    sequential:\n      - relu\n      fc: {linear: 10}\n"));
  }

  @Test
  void aMissingColonAfterAKeyIsNamedOnItsLine() {
    // "mapping values are not allowed here", at the next line's ':'
    assertEquals("t.yaml:6:15: error: YAML syntax error: line 5 ('input [batch, 20]') has no ':'"
        + " after its key, so this line is read as more of line 5's text: add the ':' on line 5",
        error("    input [batch, 20]\n    sequential: [relu]\n"));
    // "could not find expected ':'", at the start of the line after it
    assertEquals("t.yaml:8:7: error: YAML syntax error: 'relu' is read as a key, and has no ':'"
        + " after it: write 'relu: VALUE' for an entry, or '- relu' for a list item",
        error("    input: [batch, 20]\n    sequential:\n      - linear: 256\n      relu\n"));
  }

  @Test
  void aLineIndentedUnderAValueAndASecondColonAreNamed() {
    // "mapping values are not allowed here"
    assertEquals("t.yaml:8:14: error: YAML syntax error: this line is indented more than 'linear'"
        + " on line 7 (column 9), so it is read as more of the value after 'linear:': indent it"
        + " as 'linear' to make it another entry, or leave nothing after 'linear:' to nest it",
        error("    input: [batch, 20]\n    sequential:\n      - linear: 10\n         bias: false\n"));
    assertEquals("t.yaml:7:20: error: YAML syntax error: a second ':' on this line, inside the"
        + " value of 'forward': quote the value (forward: \"...\") if the ':' belongs to it; a"
        + " nested 'key: value' goes on a line of its own, indented under 'forward:'",
        error("    input: [batch, 20]\n    layers: {fc: {linear: 2}}\n    forward: x if a: b\n"));
  }

  @Test
  void tabsAndCharactersThatCannotStartAValueAreNamed() {
    // "found character '\t(TAB)' that cannot start any token. (Do not use \t(TAB) for indentation)"
    assertEquals("t.yaml:5:1: error: YAML syntax error: a tab character; YAML indents with spaces"
        + " only: replace the tab with spaces", error("\tinput: [batch, 20]\n"));
    // "found character '`' that cannot start any token. (Do not use ` for indentation)"
    assertEquals("t.yaml:6:14: error: YAML syntax error: '`' cannot start a plain value; quote"
        + " the value (\"`relu(x)`\")",
        error("    input: [batch, 20]\n    forward: `relu(x)`\n"));
  }

  @Test
  void unclosedQuotesAndBracketsAreNamedWhereTheyOpen() {
    // "found unexpected end of stream", at the end of the file
    assertEquals("t.yaml:6:14: error: YAML syntax error: this quoted string has no closing"
        + " quote: add \" at the end of its text",
        error("    input: [batch, 20]\n    forward: \"relu(x)\n"));
    // "expected ',' or ']', but got :", on the next line
    assertEquals("t.yaml:5:12: error: YAML syntax error: this '[' is not closed before line 6:"
        + " add ']' after its last item",
        error("    input: [batch, 20\n    sequential: [relu]\n"));
    // "expected ',' or '}', but got :"
    assertEquals("t.yaml:7:24: error: YAML syntax error: a ',' is missing before this, between"
        + " two entries of the '{' at column 9 (or its closing '}')",
        error("    input: [batch, 20]\n    sequential:\n      - {linear: 2 bias: false}\n"));
    // "expected <block end>, but found ']'"
    assertEquals("t.yaml:5:23: error: YAML syntax error: a ']' that closes no '[': remove it",
        error("    input: [batch, 20]]\n    sequential: [relu]\n"));
    // "expected <block end>, but found '<scalar>'"
    assertEquals("t.yaml:5:14: error: YAML syntax error: more text after the value ended (at a"
        + " closing quote or bracket): remove it, or put it inside the quotes or brackets",
        error("    doc: \"a\" b\n    input: [batch, 20]\n    sequential: [relu]\n"));
  }

  @Test
  void anUnknownEscapeAndABlockTextNotIndentedAreNamed() {
    // "found unknown escape character q(113)"
    assertEquals("t.yaml:6:23: error: YAML syntax error: '\\q' is no escape in double quotes: write"
        + " '\\\\' for a backslash, or quote the text with ' instead of \"",
        error("    input: [batch, 20]\n    forward: \"relu(x)\\q\"\n"));
    // "could not find expected ':'": the block's text read as the next key
    assertEquals("t.yaml:7:5: error: YAML syntax error: the text of the block that line 6 starts"
        + " must be indented more than its key",
        error("    input: [batch, 20]\n    forward: |\n    return x\n"));
  }

  @Test
  void aMistakeNotRecognizedKeepsTheParsersWords() {
    String e = error("    input: !x!y [batch, 20]\n");
    assertEquals("t.yaml:5:12: error: YAML syntax error: found undefined tag handle !x!", e);
  }
}
