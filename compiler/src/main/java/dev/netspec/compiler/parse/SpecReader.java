package dev.netspec.compiler.parse;

import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.parse.Node.Entry;
import dev.netspec.compiler.parse.Node.Key;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads YAML or JSON text into a {@link Node} tree that keeps the position of every node,
 * built from Jackson's streaming parser (Jackson's own tree keeps no locations). Duplicate
 * keys, YAML anchors, aliases and tags are refused; the {@link Limits} are enforced.
 */
public final class SpecReader {
  private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
      .maxDocumentLength(Limits.MAX_DOCUMENT_CHARS)
      .maxNestingDepth(Limits.MAX_DEPTH + 1)
      .maxStringLength(Limits.MAX_STRING_CHARS)
      .maxNameLength(Limits.MAX_NAME_CHARS)
      .maxNumberLength(64)
      .build();
  private static final YAMLFactory YAML = YAMLFactory.builder()
      .streamReadConstraints(CONSTRAINTS)
      .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .loadSettings(LoadSettings.builder()
          .setCodePointLimit(Limits.MAX_DOCUMENT_CHARS)
          .setMaxAliasesForCollections(0)
          .setAllowRecursiveKeys(false)
          .setAllowDuplicateKeys(true) // reported by SpecReader itself, with both positions
          .build())
      .build();
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(CONSTRAINTS)
      .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final Path file;
  private final String text;
  private final Reporter reporter;
  private final boolean yaml;
  private JsonParser parser;

  private SpecReader(Path file, String text, Reporter reporter) {
    this.file = file;
    this.text = text;
    this.reporter = reporter;
    this.yaml = !file.toString().toLowerCase(Locale.ROOT).endsWith(".json");
  }

  /**
   * Parses {@code text}; returns the root node, or null after reporting why there is none.
   * Problems that do not stop reading (a duplicate key) are reported and reading goes on.
   */
  public static Node read(Path file, String text, Reporter reporter) {
    return new SpecReader(file, text, reporter).read();
  }

  private Node read() {
    if (text.length() > Limits.MAX_DOCUMENT_CHARS) {
      reporter.fileError(file, "spec is " + text.length() + " characters long; the limit is "
          + Limits.MAX_DOCUMENT_CHARS);
      return null;
    }
    TokenStreamFactory factory = yaml ? YAML : JSON;
    try (JsonParser p = factory.createParser(ObjectReadContext.empty(), new StringReader(text))) {
      parser = p;
      JsonToken first = p.nextToken();
      if (first == null) {
        reporter.fileError(file, "spec is empty");
        return null;
      }
      Node root = readValue(first, 1);
      JsonToken extra = p.nextToken();
      if (root != null && extra != null) {
        reporter.error(position(), "only one document is allowed in a spec file");
        return null;
      }
      return root;
    } catch (Refused r) {
      reporter.error(r.pos, r.getMessage());
      return null;
    } catch (JacksonException e) {
      syntaxError(e);
      return null;
    } catch (RuntimeException e) {
      // SnakeYAML-engine can fail below Jackson with its own unchecked exceptions.
      if (e instanceof MarkedYamlEngineException m && yamlSyntaxError(m)) {
        return null;
      }
      reporter.fileError(file, (yaml ? "YAML" : "JSON") + " syntax error: " + firstLine(e.getMessage()));
      return null;
    }
  }

  private Node readValue(JsonToken token, int depth) {
    Position pos = position();
    if (depth > Limits.MAX_DEPTH) {
      throw new Refused(pos, "nesting is deeper than " + Limits.MAX_DEPTH + " levels");
    }
    refuseYamlFeatures(pos);
    switch (token) {
      case START_OBJECT:
        return readMap(pos, depth);
      case START_ARRAY:
        List<Node> items = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          Node item = readValue(t, depth + 1);
          if (!items.isEmpty() && open(items.get(items.size() - 1)) && item instanceof Node.Scalar next
              && next.value() instanceof String more) { // [Linear(20, 4)]: one item, as written
            Node.Scalar first = (Node.Scalar) items.remove(items.size() - 1);
            item = new Node.Scalar(first.pos(), first.value() + ", " + more, first.textStart(), 0);
          }
          items.add(item);
        }
        return new Node.ListNode(pos, items);
      case VALUE_STRING:
        return scalar(pos, parser.getString());
      case VALUE_NUMBER_INT:
        if (parser.getNumberType() != JsonParser.NumberType.INT
            && parser.getNumberType() != JsonParser.NumberType.LONG) {
          throw new Refused(pos, "the number " + parser.getString() + " is too large");
        }
        return scalar(pos, parser.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return scalar(pos, parser.getDoubleValue());
      case VALUE_TRUE:
        return scalar(pos, Boolean.TRUE);
      case VALUE_FALSE:
        return scalar(pos, Boolean.FALSE);
      case VALUE_NULL:
        return scalar(pos, null);
      default:
        throw new Refused(pos, "unsupported value");
    }
  }

  private Node readMap(Position pos, int depth) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    Entry last = null; // the entry put last
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
      Position keyPos = position();
      refuseYamlFeatures(keyPos);
      String name = parser.currentName();
      Node value = readValue(parser.nextToken(), depth + 1);
      if (last != null && open(last.value()) && value instanceof Node.Scalar v && v.value() == null) {
        // {kernel_size: (3, 3)}: YAML splits the tuple at its comma; one value, as written
        Node.Scalar first = (Node.Scalar) last.value();
        last = new Entry(last.key(), new Node.Scalar(first.pos(), first.value() + ", " + name, first.textStart(), 0));
        entries.put(last.key().name(), last);
        continue;
      }
      Entry previous = entries.get(name);
      if (previous != null) {
        Position first = previous.key().pos();
        reporter.error(keyPos, "duplicate key '" + name + "' (first at line " + first.line()
            + ", column " + first.column() + ")");
        continue;
      }
      last = new Entry(new Key(name, keyPos), value);
      entries.put(name, last);
    }
    return new Node.MapNode(pos, entries);
  }

  /**
   * Whether {@code node} is a plain YAML scalar that opens more parentheses than it closes: the
   * start of a tuple or call that a flow collection split at its comma ({@code (3, 3)}).
   */
  private boolean open(Node node) {
    return yaml && node instanceof Node.Scalar sc && sc.chars() == null && sc.blockIndent() == 0
        && sc.textStart().equals(sc.pos())
        && sc.value() instanceof String v && v.chars().filter(ch -> ch == '(').count()
            > v.chars().filter(ch -> ch == ')').count();
  }

  /** A scalar, with where its text starts (after a quote, or on a block scalar's first line). */
  private Node scalar(Position pos, Object value) {
    int offset = offset();
    if (offset < 0 || offset >= text.length()) {
      return new Node.Scalar(pos, value, pos, 0);
    }
    char c = text.charAt(offset);
    if (c == '"' || c == '\'') {
      // An escape makes the value shorter than its text in the file: each character's place
      // is mapped. Where the map fails, a position after an escaped line break maps to the
      // string's start.
      List<Position> chars = value instanceof String s
          ? QuotedText.map(text, offset, pos, yaml, s) : null;
      return new Node.Scalar(pos, value, pos.shift(1), yaml && !escaped(offset) ? 0 : -1, chars);
    }
    if (yaml && (c == '|' || c == '>')) {
      int lineStart = text.indexOf('\n', offset) + 1;
      int line = pos.line() + 1;
      // The first content line fixes the block's indentation.
      while (lineStart > 0 && lineStart < text.length()) {
        int end = text.indexOf('\n', lineStart);
        String l = text.substring(lineStart, end < 0 ? text.length() : end);
        if (!l.isBlank()) {
          int indent = 0;
          while (indent < l.length() && l.charAt(indent) == ' ') {
            indent++;
          }
          // The value keeps a line end for each blank line before it: its first line is the
          // first of those, so that its lines map to the file's.
          int blank = 0;
          while (value instanceof String v && blank < v.length() && v.charAt(blank) == '\n') {
            blank++;
          }
          return new Node.Scalar(pos, value, new Position(file, line - blank, indent + 1), indent + 1);
        }
        lineStart = end + 1;
        line++;
        if (end < 0) {
          break;
        }
      }
    }
    return new Node.Scalar(pos, value, pos, 0);
  }

  /** Whether the double-quoted string opening at {@code quote} holds a backslash escape. */
  private boolean escaped(int quote) {
    if (text.charAt(quote) != '"') {
      return false;
    }
    for (int i = quote + 1; i < text.length() && text.charAt(i) != '"'; i++) {
      if (text.charAt(i) == '\\') {
        return true;
      }
    }
    return false;
  }

  private void refuseYamlFeatures(Position pos) {
    if (!yaml) {
      return;
    }
    YAMLParser y = (YAMLParser) parser;
    if (y.isCurrentAlias()) {
      throw new Refused(pos, "YAML aliases are not allowed in a spec; write the value out");
    }
    int offset = offset();
    if (offset >= 0 && offset < text.length() && text.charAt(offset) == '&') {
      throw new Refused(pos, "YAML anchors are not allowed in a spec; write the value out");
    }
    if (y.getRawTag() != null) {
      throw new Refused(pos, "YAML tags are not allowed in a spec ('" + y.getRawTag() + "')");
    }
  }

  private Position position() {
    TokenStreamLocation l = parser.currentTokenLocation();
    return new Position(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
  }

  private int offset() {
    long off = parser.currentTokenLocation().getCharOffset();
    return off > Integer.MAX_VALUE ? -1 : (int) off;
  }

  private void syntaxError(JacksonException e) {
    String kind = yaml ? "YAML" : "JSON";
    if (e.getCause() instanceof MarkedYamlEngineException m && yamlSyntaxError(m)) {
      return;
    }
    TokenStreamLocation l = e.getLocation();
    String msg = firstLine(e.getOriginalMessage());
    if (!yaml) {
      msg = JsonSyntax.explain(msg);
    }
    if (l != null && l.getLineNr() > 0) {
      int at = offsetOf(l.getLineNr(), Math.max(1, l.getColumnNr()));
      int comma = at - 1;
      while (comma >= 0 && Character.isWhitespace(text.charAt(comma))) {
        comma--;
      }
      if (!yaml && at >= 0 && (text.charAt(at) == ']' || text.charAt(at) == '}')
          && comma >= 0 && text.charAt(comma) == ',') {
        // JSON has no trailing commas; Jackson says only that it expected a value.
        reporter.error(positionOf(comma), kind + " syntax error: trailing comma before '" + text.charAt(at)
            + "'; remove it");
        return;
      }
      reporter.error(new Position(file, l.getLineNr(), Math.max(1, l.getColumnNr())),
          kind + " syntax error: " + msg);
    } else {
      reporter.fileError(file, kind + " syntax error: " + msg);
    }
  }

  /** Reports SnakeYAML's error {@code m} explained; false if it has no location. */
  private boolean yamlSyntaxError(MarkedYamlEngineException m) {
    return YamlSyntax.explain(text, m).map(x -> {
      reporter.error(new Position(file, x.line(), x.column()), "YAML syntax error: " + x.message());
      return true;
    }).orElse(false);
  }

  /** The offset of a 1-based line and column in the text, or -1 if outside it. */
  private int offsetOf(int line, int column) {
    int offset = 0;
    for (int i = 1; i < line; i++) {
      offset = text.indexOf('\n', offset) + 1;
      if (offset == 0) {
        return -1;
      }
    }
    offset += column - 1;
    return offset < text.length() ? offset : -1;
  }

  private Position positionOf(int offset) {
    int lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    int line = 1;
    for (int i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
    }
    return new Position(file, line, offset - lineStart + 1);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable input";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }

  /** Stops reading: a limit or a refused YAML feature. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Position pos;

    Refused(Position pos, String message) {
      super(message, null, false, false);
      this.pos = pos;
    }
  }
}
