package dev.netspec.compiler.parse;

import dev.netspec.compiler.diag.Position;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A node of the spec tree: a mapping, a sequence or a scalar, each with its position. */
public sealed interface Node {
  /** Where the node starts in its file. */
  Position pos();

  /** What the node is, for messages: "a mapping", "a list", "a string", ... */
  String describe();

  /** A key of a mapping with its own position. */
  record Key(String name, Position pos) {}

  /** A mapping, in file order. */
  record MapNode(Position pos, Map<String, Entry> entries) implements Node {
    public MapNode {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The value of {@code key}, or null. */
    public Node get(String key) {
      Entry e = entries.get(key);
      return e == null ? null : e.value();
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** One key and its value. */
  record Entry(Key key, Node value) {}

  /** A sequence. */
  record ListNode(Position pos, List<Node> items) implements Node {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /**
   * A scalar: {@link String}, {@link Long}, {@link Double}, {@link Boolean} or null.
   *
   * @param textStart where the scalar's text starts: after an opening quote, or on the first
   *     content line of a {@code |} block, so positions inside the text can be mapped back
   * @param blockIndent for a {@code |} or {@code >} block scalar, the column where its lines
   *     start; 0 for a one-line scalar; -1 for a quoted string with escapes that {@code chars}
   *     does not map (positions after a line of its text map to the string's start)
   * @param chars for a quoted string, the position of each character of its value, then of
   *     its closing quote (an escape is longer in the file than in the value); null otherwise
   */
  record Scalar(Position pos, Object value, Position textStart, int blockIndent,
      List<Position> chars) implements Node {
    /** A scalar whose text maps to the file line by line ({@code chars} null). */
    public Scalar(Position pos, Object value, Position textStart, int blockIndent) {
      this(pos, value, textStart, blockIndent, null);
    }

    /** The position of a character at 1-based {@code line} and {@code column} of the text. */
    public Position at(int line, int column) {
      if (chars != null && value instanceof String s) {
        int offset = 0;
        for (int l = 1; l < line && offset >= 0; l++) {
          int nl = s.indexOf('\n', offset);
          offset = nl < 0 ? -1 : nl + 1;
        }
        if (offset >= 0) {
          return chars.get(Math.max(0, Math.min(offset + column - 1, chars.size() - 1)));
        }
      }
      if (blockIndent > 0) {
        return new Position(textStart.file(), textStart.line() + line - 1, blockIndent + column - 1);
      }
      if (line == 1) {
        return textStart.shift(column - 1);
      }
      if (blockIndent < 0) {
        return pos;
      }
      return new Position(textStart.file(), textStart.line() + line - 1, column);
    }

    @Override
    public String describe() {
      if (value == null) {
        return "null";
      }
      if (value instanceof String s) {
        return "the string '" + s + "'";
      }
      if (value instanceof Boolean) {
        return "the boolean " + value;
      }
      return "the number " + value;
    }
  }
}
