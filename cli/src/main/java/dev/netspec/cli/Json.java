package dev.netspec.cli;

import java.util.List;
import java.util.Map;

/**
 * Just enough JSON output for {@code inspect --format json}: objects (from ordered maps), lists,
 * strings, integers, booleans and null, pretty-printed with two-space indents.
 */
final class Json {
  private Json() {}

  /** {@code value} as JSON text. */
  static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(value, sb, "");
    return sb.toString();
  }

  private static void write(Object value, StringBuilder sb, String indent) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      quote(s, sb);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Boolean) {
      sb.append(value);
    } else if (value instanceof Map<?, ?> map) {
      writeObject(map, sb, indent);
    } else if (value instanceof List<?> list) {
      writeList(list, sb, indent);
    } else {
      throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
  }

  private static void writeObject(Map<?, ?> map, StringBuilder sb, String indent) {
    if (map.isEmpty()) {
      sb.append("{}");
      return;
    }
    String inner = indent + "  ";
    sb.append("{\n");
    int i = 0;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      sb.append(inner);
      quote(String.valueOf(e.getKey()), sb);
      sb.append(": ");
      write(e.getValue(), sb, inner);
      sb.append(++i < map.size() ? ",\n" : "\n");
    }
    sb.append(indent).append('}');
  }

  /** Lists of scalars stay on one line ({@code [2, 20]}); others take a line per item. */
  private static void writeList(List<?> list, StringBuilder sb, String indent) {
    boolean flat = list.stream().noneMatch(v -> v instanceof Map || v instanceof List);
    if (flat) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        sb.append(i == 0 ? "" : ", ");
        write(list.get(i), sb, indent);
      }
      sb.append(']');
      return;
    }
    String inner = indent + "  ";
    sb.append("[\n");
    for (int i = 0; i < list.size(); i++) {
      sb.append(inner);
      write(list.get(i), sb, inner);
      sb.append(i + 1 < list.size() ? ",\n" : "\n");
    }
    sb.append(indent).append(']');
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
