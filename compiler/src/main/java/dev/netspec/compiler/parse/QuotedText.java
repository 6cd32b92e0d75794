package dev.netspec.compiler.parse;

import dev.netspec.compiler.diag.Position;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each character of a quoted string's value stands in the file. An escape ({@code \t},
 * {@code \"}, {@code \u00e9}, YAML's {@code ''}) is longer in the file than in the value, and
 * YAML folds a line break inside quotes into a space; without this map, an error after an escape
 * would point too far left. The value is decoded again here and the map is used only if that
 * gives the parser's value exactly.
 */
final class QuotedText {
  /** No such escape. */
  private static final char NONE = '\uffff';

  private final String text;
  private final boolean yaml;
  private final StringBuilder value = new StringBuilder();
  private final List<Position> places = new ArrayList<>();
  private final Position start;
  private int line;
  private int column;

  private QuotedText(String text, boolean yaml, Position quote) {
    this.text = text;
    this.yaml = yaml;
    this.start = quote;
  }

  /**
   * The file position of each character of {@code expected}, the value of the string quoted at
   * {@code offset} ({@code quote}), then of its closing quote; null if it cannot be mapped.
   */
  static List<Position> map(String text, int offset, Position quote, boolean yaml,
      String expected) {
    QuotedText q = new QuotedText(text, yaml, quote);
    return q.decode(offset) && q.value.toString().equals(expected) ? List.copyOf(q.places) : null;
  }

  private boolean decode(int offset) {
    char quote = text.charAt(offset);
    line = start.line();
    column = start.column() + 1;
    int i = offset + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == quote) {
        if (quote == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
          emit('\'', 2);
          i += 2;
          continue;
        }
        places.add(here());
        return true;
      }
      if (c == '\\' && quote == '"') {
        int n = escape(i);
        if (n < 0) {
          return false;
        }
        i += n;
      } else if (c == '\n' || c == '\r') {
        if (!yaml) {
          return false;
        }
        i = fold(i);
      } else {
        emit(c, 1);
        i++;
      }
    }
    return false;
  }

  /** Decodes the escape at {@code i}; returns its length in the file, or -1. */
  private int escape(int i) {
    if (i + 1 >= text.length()) {
      return -1;
    }
    char e = text.charAt(i + 1);
    int hex = switch (e) {
      case 'x' -> yaml ? 2 : -1;
      case 'u' -> 4;
      case 'U' -> yaml ? 8 : -1;
      default -> 0;
    };
    if (hex > 0) {
      if (i + 2 + hex > text.length()) {
        return -1;
      }
      int cp;
      try {
        cp = Integer.parseInt(text.substring(i + 2, i + 2 + hex), 16);
      } catch (NumberFormatException x) {
        return -1;
      }
      Position at = here();
      for (char ch : Character.toChars(cp)) {
        value.append(ch);
        places.add(at);
      }
      column += 2 + hex;
      return 2 + hex;
    }
    if (hex < 0) {
      return -1;
    }
    if (yaml && (e == '\n' || e == '\r')) { // an escaped line break joins the lines
      return fold(i + 1) - i;
    }
    char decoded = switch (e) {
      case 'n' -> '\n';
      case 't', '\t' -> '\t';
      case 'r' -> '\r';
      case 'b' -> '\b';
      case 'f' -> '\f';
      case '"', '\\', '/' -> e;
      case '0' -> yaml ? '\0' : NONE;
      case 'a' -> yaml ? '\u0007' : NONE;
      case 'v' -> yaml ? '\u000b' : NONE;
      case 'e' -> yaml ? '\u001b' : NONE;
      case ' ' -> yaml ? ' ' : NONE;
      case 'N' -> yaml ? '\u0085' : NONE;
      case '_' -> yaml ? '\u00a0' : NONE;
      case 'L' -> yaml ? '\u2028' : NONE;
      case 'P' -> yaml ? '\u2029' : NONE;
      default -> NONE;
    };
    if (decoded == NONE) {
      return -1;
    }
    emit(decoded, 2);
    return 2;
  }

  /**
   * YAML's folding of the line break at {@code i} (raw, or after a backslash when {@code
   * escaped}): spaces before it are dropped, one break becomes a space, each empty line after it
   * a {@code \n}, and the next line's leading spaces go. Returns the offset after them.
   */
  private int fold(int i) {
    boolean escaped = i > 0 && text.charAt(i - 1) == '\\';
    if (!escaped) {
      while (value.length() > 0 && (value.charAt(value.length() - 1) == ' '
          || value.charAt(value.length() - 1) == '\t')) {
        value.setLength(value.length() - 1);
        places.remove(places.size() - 1);
      }
    }
    Position at = here();
    int breaks = 0;
    while (i < text.length() && (text.charAt(i) == '\n' || text.charAt(i) == '\r')) {
      i += text.charAt(i) == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n' ? 2 : 1;
      breaks++;
      line++;
      column = 1;
      while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        i++;
        column++;
      }
    }
    if (!escaped) {
      if (breaks == 1) {
        value.append(' ');
        places.add(at);
      }
      for (int b = 1; b < breaks; b++) {
        value.append('\n');
        places.add(at);
      }
    }
    return i;
  }

  private void emit(char c, int width) {
    value.append(c);
    places.add(here());
    column += width;
  }

  private Position here() {
    return new Position(start.file(), line, column);
  }
}
