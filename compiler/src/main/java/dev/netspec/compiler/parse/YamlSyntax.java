package dev.netspec.compiler.parse;

import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * SnakeYAML's syntax errors in the words of a spec's author: what is wrong on the line and what
 * to change ("this line's indentation does not match the lines above it ..."), instead of the
 * parser's "expected &lt;block end&gt;, but found '-'". Errors it does not recognize keep the
 * parser's text. The location is the parser's, except where the parser only noticed later what
 * an earlier place started (an unclosed quote or bracket, a key without ':'): then that place.
 */
final class YamlSyntax {
  /** One explained error: a 1-based line and column, and the message after "YAML syntax error: ". */
  record Explained(int line, int column, String message) {}

  private final String[] lines;

  private YamlSyntax(String text) {
    this.lines = text.split("\r?\n", -1);
  }

  /** The error {@code e}, raised while reading {@code text}, explained; empty without a location. */
  static Optional<Explained> explain(String text, MarkedYamlEngineException e) {
    if (e.getProblemMark().isEmpty()) {
      return Optional.empty();
    }
    Mark at = e.getProblemMark().get();
    Mark context = e.getContextMark().orElse(null);
    YamlSyntax lines = new YamlSyntax(text);
    int line = at.getLine() + 1;
    int col = at.getColumn() + 1;
    if (line > lines.lines.length) {
      return Optional.of(new Explained(line, col, String.valueOf(e.getProblem())));
    }
    return Optional.of(lines.explain(e.getProblem(), line, col, e.getContext(),
        context == null ? 0 : context.getLine() + 1, context == null ? 0 : context.getColumn() + 1));
  }

  private Explained explain(String problem, int line, int col, String context, int cline,
      int ccol) {
    String p = problem == null ? "" : problem;
    if (charAt(line, col) == '?') {
      return new Explained(line, col,
          "'?' must be quoted; write \"?\" for a lazy dim, as in [batch, \"?\"]");
    }
    if (p.contains("(TAB)")) {
      return new Explained(line, col,
          "a tab character; YAML indents with spaces only: replace the tab with spaces");
    }
    if (p.startsWith("found character '") && p.contains("cannot start any token")) {
      char c = charAt(line, col);
      return new Explained(line, col, "'" + c + "' cannot start a plain value; quote the value"
          + " (\"" + rest(line, col) + "\")");
    }
    if (p.startsWith("expected <block end>, but found")) {
      return blockEnd(p, line, col);
    }
    if (p.startsWith("mapping values are not allowed here")) {
      Explained e = mappingValue(line, col);
      if (e != null) {
        return e;
      }
    }
    if (p.startsWith("could not find expected ':'") && cline > 0) {
      return keyWithoutColon(cline, ccol);
    }
    if (p.contains("end of stream") && context != null && context.contains("quoted scalar")
        && cline > 0) {
      return new Explained(cline, ccol, "this quoted string has no closing quote: add "
          + charAt(cline, ccol) + " at the end of its text");
    }
    if (p.startsWith("found unknown escape character")) {
      return new Explained(line, col, "'\\" + charAt(line, col) + "' is no escape in double"
          + " quotes: write '\\\\' for a backslash, or quote the text with ' instead of \"");
    }
    if ((p.startsWith("expected ',' or ']'") || p.startsWith("expected ',' or '}'"))
        && cline > 0) {
      return flow(p, line, col, cline, ccol);
    }
    return new Explained(line, col, p);
  }

  /** "expected &lt;block end&gt;, but found X": a line at the wrong indentation, mostly. */
  private Explained blockEnd(String problem, int line, int col) {
    char c = charAt(line, col);
    if (c == ']' || c == '}') {
      return new Explained(line, col, "a '" + c + "' that closes no '" + (c == ']' ? '[' : '{')
          + "': remove it");
    }
    if (indent(line) != col) {
      return new Explained(line, col, "more text after the value ended (at a closing quote or"
          + " bracket): remove it, or put it inside the quotes or brackets");
    }
    int above = previousContent(line);
    if (above == 0) {
      return new Explained(line, col, problem);
    }
    int aboveCol = indent(above);
    boolean item = isItem(line);
    boolean aboveItem = isItem(above);
    if (aboveCol == col && item != aboveItem) {
      return new Explained(line, col, item
          ? "a list item ('- ') cannot follow 'key: value' entries at the same indentation"
              + " (line " + above + "): give it a key, or, to continue a list, indent it as"
              + " that list's items"
          : "a 'key: value' entry cannot follow list items ('- ') at the same indentation"
              + " (line " + above + "): start it with '- ' to add it to the list, or indent it"
              + " as the keys it belongs with");
    }
    String compare = aboveCol == col ? ""
        : " (column " + col + "; line " + above + " starts at column " + aboveCol + ")";
    return new Explained(line, col, "this line's indentation does not match the lines above it"
        + compare + ": the entries of one mapping or list start at the same column, a nested"
        + " one further right, under a line ending in ':'");
  }

  /** "mapping values are not allowed here": a ':' inside a value, or a line that continues one. */
  private Explained mappingValue(int line, int col) {
    String text = lines[line - 1];
    int start = indent(line) - 1;
    if (start >= col - 1 || col - 1 > text.length()) {
      return null;
    }
    String before = stripItem(text.substring(start, col - 1));
    int colon = before.indexOf(": ");
    if (colon > 0) {
      String key = before.substring(0, colon).strip();
      return new Explained(line, col, "a second ':' on this line, inside the value of '" + key
          + "': quote the value (" + key + ": \"...\") if the ':' belongs to it; a nested"
          + " 'key: value' goes on a line of its own, indented under '" + key + ":'");
    }
    int above = previousContent(line);
    if (above == 0) {
      return null;
    }
    String prev = stripItem(lines[above - 1].strip());
    int prevColon = prev.indexOf(':');
    if (prevColon < 0) {
      return new Explained(line, col, "line " + above + " ('" + prev + "') has no ':' after its"
          + " key, so this line is read as more of line " + above + "'s text: add the ':' on line "
          + above);
    }
    int keyCol = indent(above) + (isItem(above) ? 2 : 0);
    if (indent(line) <= keyCol) {
      return null;
    }
    String key = prev.substring(0, prevColon).strip();
    return new Explained(line, col, "this line is indented more than '" + key + "' on line "
        + above + " (column " + keyCol + "), so it is read as more of the value after '" + key
        + ":': indent it as '" + key + "' to make it another entry, or leave nothing after '"
        + key + ":' to nest it");
  }

  /** "could not find expected ':'": a line read as a key (of the entries above) has none. */
  private Explained keyWithoutColon(int line, int col) {
    int above = previousContent(line);
    if (above > 0) {
      String prev = lines[above - 1].strip();
      if (prev.endsWith("|") || prev.endsWith(">") || prev.endsWith("|-") || prev.endsWith(">-")) {
        return new Explained(line, col, "the text of the block that line " + above + " starts"
            + " must be indented more than its key");
      }
    }
    String word = rest(line, col);
    return new Explained(line, col, "'" + word + "' is read as a key, and has no ':' after it:"
        + " write '" + word + ": VALUE' for an entry, or '- " + word + "' for a list item");
  }

  /** "expected ',' or ']'": an unclosed bracket, or two items without a comma between them. */
  private Explained flow(String problem, int line, int col, int cline, int ccol) {
    char open = charAt(cline, ccol);
    char close = open == '{' ? '}' : ']';
    if (problem.contains("<stream end>") || line != cline) {
      return new Explained(cline, ccol, "this '" + open + "' is not closed"
          + (line != cline && !problem.contains("<stream end>") ? " before line " + line : "")
          + ": add '" + close + "' after its last " + (open == '{' ? "entry" : "item"));
    }
    return new Explained(line, col, "a ',' is missing before this, between two "
        + (open == '{' ? "entries" : "items") + " of the '" + open + "' at column " + ccol
        + " (or its closing '" + close + "')");
  }

  /** The 1-based column of the first non-space character of {@code line}. */
  private int indent(int line) {
    String l = lines[line - 1];
    int i = 0;
    while (i < l.length() && l.charAt(i) == ' ') {
      i++;
    }
    return i + 1;
  }

  /** The nearest line above {@code line} that is neither blank nor a comment; 0 if none. */
  private int previousContent(int line) {
    for (int l = line - 1; l >= 1; l--) {
      String s = lines[l - 1].strip();
      if (!s.isEmpty() && !s.startsWith("#")) {
        return l;
      }
    }
    return 0;
  }

  private boolean isItem(int line) {
    String s = lines[line - 1].strip();
    return s.equals("-") || s.startsWith("- ");
  }

  private static String stripItem(String s) {
    return s.startsWith("- ") ? s.substring(2).strip() : s;
  }

  /** The text of {@code line} from {@code col}, without a trailing comment. */
  private String rest(int line, int col) {
    String l = line <= lines.length ? lines[line - 1] : "";
    String s = col - 1 < l.length() ? l.substring(col - 1) : "";
    int comment = s.indexOf(" #");
    return (comment < 0 ? s : s.substring(0, comment)).strip();
  }

  private char charAt(int line, int col) {
    if (line < 1 || line > lines.length) {
      return 0;
    }
    String l = lines[line - 1];
    return col >= 1 && col <= l.length() ? l.charAt(col - 1) : 0;
  }
}
