package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON fixtures that {@code tools/fixtures/nn_fixtures.py} writes with PyTorch,
 * from {@code fixtures/nn/} on the test class path. A small reader for the JSON that script
 * emits: objects keep their key order; numbers become doubles.
 */
public final class Fixtures {
  private final String text;
  private int pos;

  private Fixtures(String text) {
    this.text = text;
  }

  /** The parsed fixture {@code fixtures/nn/<name>}. */
  public static Map<String, Object> load(String name) {
    String path = "/fixtures/nn/" + name;
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + path
            + ": run /usr/bin/python3 tools/fixtures/nn_fixtures.py");
      }
      Fixtures reader = new Fixtures(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      Object value = reader.value();
      reader.skipSpace();
      if (reader.pos != reader.text.length()) {
        throw reader.error("trailing text");
      }
      return map(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  public static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  /** A shape written as a JSON list of ints. */
  public static int[] shape(Object o) {
    return list(o).stream().mapToInt(v -> ((Double) v).intValue()).toArray();
  }

  /** A tensor written as {@code {"shape": [...], "data": [float.hex(), ...]}}. */
  public static Tensor tensor(Object o) {
    Map<String, Object> m = map(o);
    List<Object> data = list(m.get("data"));
    float[] values = new float[data.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) Double.parseDouble((String) data.get(i));
    }
    return Tensor.fromArray(values, shape(m.get("shape")));
  }

  /** {@code [[name, shape], ...]} as an ordered map of name to shape. */
  public static Map<String, List<Integer>> shapes(Object o) {
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    for (Object entry : list(o)) {
      List<Object> pair = list(entry);
      List<Integer> dims = new ArrayList<>();
      for (int d : shape(pair.get(1))) {
        dims.add(d);
      }
      out.put((String) pair.get(0), dims);
    }
    return out;
  }

  private Object value() {
    skipSpace();
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      default:
        return literal();
    }
  }

  private Map<String, Object> object() {
    Map<String, Object> out = new LinkedHashMap<>();
    pos++;
    skipSpace();
    if (text.charAt(pos) == '}') {
      pos++;
      return out;
    }
    while (true) {
      skipSpace();
      String key = string();
      skipSpace();
      expect(':');
      out.put(key, value());
      skipSpace();
      if (text.charAt(pos++) == '}') {
        return out;
      }
      if (text.charAt(pos - 1) != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array() {
    List<Object> out = new ArrayList<>();
    pos++;
    skipSpace();
    if (text.charAt(pos) == ']') {
      pos++;
      return out;
    }
    while (true) {
      out.add(value());
      skipSpace();
      if (text.charAt(pos++) == ']') {
        return out;
      }
      if (text.charAt(pos - 1) != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = text.charAt(pos++);
      switch (e) {
        case 'n':
          sb.append('\n');
          break;
        case 't':
          sb.append('\t');
          break;
        case 'u':
          sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          pos += 4;
          break;
        default:
          sb.append(e); // \" \\ \/
      }
    }
  }

  private Object literal() {
    int start = pos;
    while (pos < text.length() && "{}[],: \n\r\t".indexOf(text.charAt(pos)) < 0) {
      pos++;
    }
    String word = text.substring(start, pos);
    switch (word) {
      case "null":
        return null;
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      default:
        try {
          return Double.parseDouble(word);
        } catch (NumberFormatException e) {
          throw error("bad literal '" + word + "'");
        }
    }
  }

  private void expect(char c) {
    if (pos >= text.length() || text.charAt(pos) != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private IllegalStateException error(String what) {
    return new IllegalStateException("fixture JSON at offset " + pos + ": " + what);
  }
}
