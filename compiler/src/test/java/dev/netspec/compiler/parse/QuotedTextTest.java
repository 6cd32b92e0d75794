package dev.netspec.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.compiler.diag.Position;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where each character of a quoted string's value stands in the file, counted by hand in each
 * text (line:column, 1-based; the last place is the closing quote): escapes are longer in the
 * file than in the value, YAML folds line breaks, and anything the map cannot decode to the
 * parser's value gives no map.
 */
class QuotedTextTest {
  private static final Path F = Path.of("t.yaml");

  /** The places of {@code value} in {@code text}, whose quote opens at line 1, column 1. */
  private static List<String> places(String text, boolean yaml, String value) {
    List<Position> p = QuotedText.map(text, 0, new Position(F, 1, 1), yaml, value);
    if (p == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    p.forEach(x -> out.add(x.line() + ":" + x.column()));
    return out;
  }

  @Test
  void escapesTakeTheirLengthInTheFile() {
    // "a\tb": the escape stands at its backslash, b two columns on
    assertEquals(List.of("1:2", "1:3", "1:5", "1:6"), places("\"a\\tb\"", false, "a\tb"));
    assertEquals(List.of("1:2", "1:8", "1:9"), places("\"\\u00e9x\"", false, "\u00e9x"));
    // YAML's \x41 and \U0001F600 (two chars of the value at one place)
    assertEquals(List.of("1:2", "1:6", "1:7"), places("\"\\x41b\"", true, "Ab"));
    assertEquals(List.of("1:2", "1:2", "1:12", "1:13"),
        places("\"\\U0001F600c\"", true, new String(Character.toChars(0x1F600)) + "c"));
    // YAML's '' in single quotes is one quote
    assertEquals(List.of("1:2", "1:3", "1:4", "1:6", "1:7"), places("'it''s'", true, "it's"));
    // a quote of the other kind is a character; the string may start after other text
    List<Position> p = QuotedText.map("x: \"a'\"", 3, new Position(F, 4, 9), true, "a'");
    assertEquals(List.of(new Position(F, 4, 10), new Position(F, 4, 11), new Position(F, 4, 12)), p);
  }

  @Test
  void everyEscapeDecodesAsTheParserDoes() {
    String yaml = "\"\\0\\a\\b\\t\\\t\\n\\v\\f\\r\\e\\ \\\"\\/\\\\\\N\\_\\L\\P\"";
    String value = "\0\u0007\b\t\t\n\u000b\f\r\u001b \"/\\\u0085\u00a0\u2028\u2029";
    List<String> at = places(yaml, true, value);
    assertEquals(value.length() + 1, at.size());
    for (int i = 0; i < value.length(); i++) {
      assertEquals("1:" + (2 + 2 * i), at.get(i), "escape " + i);
    }
    // JSON has only \" \\ \/ \b \f \n \r \t and \\uXXXX
    assertEquals(List.of("1:2", "1:4", "1:6", "1:8", "1:10"), places("\"\\b\\f\\n\\/\"", false, "\b\f\n/"));
    for (String yamlOnly : List.of("\\0", "\\a", "\\v", "\\e", "\\ ", "\\N", "\\_", "\\L", "\\P", "\\x41", "\\U00000041")) {
      assertNull(places("\"" + yamlOnly + "\"", false, "?"), yamlOnly);
    }
  }

  @Test
  void yamlFoldsLineBreaksInsideQuotes() {
    // "a  \n   b": spaces before the break go, the break is one space (where the spaces
    // were), the next line's indentation goes
    assertEquals(List.of("1:2", "1:5", "2:4", "2:5"), places("\"a  \n   b\"", true, "a b"));
    // a tab before the break goes too; \r\n is one break
    assertEquals(List.of("1:2", "1:4", "2:2", "2:3"), places("\"a\t\r\n b\"", true, "a b"));
    // an empty line is a \n (and the break before it no space)
    assertEquals(List.of("1:2", "1:3", "3:3", "3:4"), places("\"a\n\n  b\"", true, "a\nb"));
    assertEquals(List.of("1:2", "1:3", "1:3", "4:1", "4:2"), places("\"a\n\n\nb\"", true, "a\n\nb"));
    // an escaped break joins the lines, the spaces before it kept
    assertEquals(List.of("1:2", "1:3", "2:3", "2:4"), places("\"a \\\n  b\"", true, "a b"));
    assertEquals(List.of("1:2", "2:3", "2:4"), places("\"a\\\r\n  b\"", true, "ab"));
  }

  @Test
  void whatCannotBeMappedGivesNoMap() {
    assertNull(places("\"a\nb\"", false, "a b"), "JSON has no line break in a string");
    assertNull(places("\"\\q\"", true, "q"), "no such escape");
    assertNull(places("\"\\u12\"", false, "?"), "a cut \\u");
    assertNull(places("\"\\u12", false, "?"), "a cut \\u at the end of the text");
    assertNull(places("\"\\uzzzz\"", false, "?"), "not hex");
    assertNull(places("\"\\", false, "?"), "a backslash at the end");
    assertNull(places("\"abc", true, "abc"), "no closing quote");
    assertNull(places("\"abc\"", true, "abd"), "not the parser's value");
    assertEquals(List.of("1:2"), places("''", true, ""), "an empty string: only its closing quote");
    assertEquals(List.of("1:2", "1:3"), places("'a'", true, "a"));
    assertNull(places("'a''", true, "a'"), "'' at the end is a quote, and the string is not closed");
  }
}
