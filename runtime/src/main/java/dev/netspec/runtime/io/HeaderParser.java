package dev.netspec.runtime.io;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict JSON reader for exactly the safetensors header schema, working on the raw UTF-8
 * bytes: {@code {name: {"dtype": str, "shape": [int...], "data_offsets": [int, int]},
 * "__metadata__": {str: str}}}. It allocates only what it returns, never more elements than
 * the schema allows (a shape has at most {@link Tensor#MAX_RANK} dimensions), and needs no
 * recursion, so neither a deep nor a huge header can exhaust the stack or the heap.
 *
 * <p>Rejected, with the byte offset in the file: invalid JSON or UTF-8, duplicate keys,
 * unknown or missing fields, values of the wrong kind, negative or non-integer numbers, and
 * anything after the top-level object but the padding whitespace.
 */
final class HeaderParser {
  private static final String METADATA_KEY = "__metadata__";

  /** Where the header starts in the file: offsets in messages count from the file start. */
  private static final int FILE_OFFSET = 8;

  private final byte[] in;
  private final String source;
  private int pos;

  private HeaderParser(byte[] in, String source) {
    this.in = in;
    this.source = source;
  }

  /** Parses the header bytes of the file (or buffer) called {@code source}. */
  static Header parse(byte[] header, String source) throws SafeTensorsException {
    return new HeaderParser(header, source).header();
  }

  private Header header() throws SafeTensorsException {
    skipWhitespace();
    expect('{', "'{': the header must be a JSON object");
    List<Header.Entry> tensors = new ArrayList<>();
    Map<String, String> metadata = Map.of();
    Set<String> keys = new HashSet<>();
    skipWhitespace();
    if (!consume('}')) {
      do {
        skipWhitespace();
        int keyAt = pos;
        String key = string();
        if (!keys.add(key)) {
          throw error(keyAt, "duplicate key '" + key + "'");
        }
        colon();
        if (key.equals(METADATA_KEY)) {
          metadata = metadata();
        } else {
          tensors.add(tensor(key));
        }
        skipWhitespace();
      } while (consume(','));
      expect('}', "',' or '}'");
    }
    skipWhitespace();
    if (pos < in.length) {
      throw error(pos, "unexpected data after the header object");
    }
    return new Header(tensors, metadata);
  }

  /** The {@code __metadata__} object; {@code null} means none, as the reference reads it. */
  private Map<String, String> metadata() throws SafeTensorsException {
    if (consumeLiteral("null")) {
      return Map.of();
    }
    if (!consume('{')) {
      throw fault("'" + METADATA_KEY + "' must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    skipWhitespace();
    if (consume('}')) {
      return out;
    }
    do {
      skipWhitespace();
      int keyAt = pos;
      String key = string();
      colon();
      if (peek() != '"') {
        throw fault("'" + METADATA_KEY + "' value of '" + key + "' must be a string");
      }
      if (out.put(key, string()) != null) {
        throw error(keyAt, "duplicate key '" + key + "' in '" + METADATA_KEY + "'");
      }
      skipWhitespace();
    } while (consume(','));
    expect('}', "',' or '}'");
    return out;
  }

  private Header.Entry tensor(String name) throws SafeTensorsException {
    if (!consume('{')) {
      throw fault(name, "must be an object with dtype, shape and data_offsets");
    }
    String dtype = null;
    long[] shape = null;
    long[] offsets = null;
    skipWhitespace();
    if (!consume('}')) {
      do {
        skipWhitespace();
        String field = string();
        colon();
        switch (field) {
          case "dtype" -> {
            requireFirst(dtype, name, field);
            if (peek() != '"') {
              throw fault(name, "dtype must be a string");
            }
            dtype = string();
          }
          case "shape" -> {
            requireFirst(shape, name, field);
            shape = integers(name, field, Tensor.MAX_RANK);
          }
          case "data_offsets" -> {
            requireFirst(offsets, name, field);
            offsets = integers(name, field, 2);
            if (offsets.length != 2) {
              throw fault(name, "data_offsets must be two integers [begin, end]");
            }
          }
          default -> throw fault(name, "unknown field '" + field + "'");
        }
        skipWhitespace();
      } while (consume(','));
      expect('}', "',' or '}'");
    }
    requirePresent(dtype, name, "dtype");
    requirePresent(shape, name, "shape");
    requirePresent(offsets, name, "data_offsets");
    return new Header.Entry(name, dtype, shape, offsets[0], offsets[1]);
  }

  private void requireFirst(Object previous, String tensor, String field)
      throws SafeTensorsException {
    if (previous != null) {
      throw fault(tensor, "duplicate field '" + field + "'");
    }
  }

  private void requirePresent(Object value, String tensor, String field)
      throws SafeTensorsException {
    if (value == null) {
      throw fault(tensor, "missing field '" + field + "'");
    }
  }

  /** A JSON array of at most {@code max} non-negative integers: a tensor's shape or offsets. */
  private long[] integers(String tensor, String field, int max) throws SafeTensorsException {
    if (!consume('[')) {
      throw fault(tensor, field + " must be an array of integers");
    }
    long[] values = new long[max];
    int n = 0;
    skipWhitespace();
    if (consume(']')) {
      return new long[0];
    }
    do {
      skipWhitespace();
      if (n == max) {
        throw fault(tensor, field + " has more than " + max + " entries");
      }
      values[n++] = nonNegativeInteger(tensor, field);
      skipWhitespace();
    } while (consume(','));
    expect(']', "',' or ']'");
    return Arrays.copyOf(values, n);
  }

  private long nonNegativeInteger(String tensor, String field) throws SafeTensorsException {
    int start = pos;
    int c = peek();
    if (c == '-') {
      throw fault(tensor, field + " must not hold negative numbers");
    }
    if (c < '0' || c > '9') {
      throw fault(tensor, field + " must hold integers");
    }
    long value = 0;
    while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
      int digit = in[pos++] - '0';
      if (value > (Long.MAX_VALUE - digit) / 10) {
        throw fault(tensor, field + " holds a number too large");
      }
      value = value * 10 + digit;
    }
    if (in[start] == '0' && pos - start > 1) {
      throw error(start, "a number has a leading zero");
    }
    c = peek();
    if (c == '.' || c == 'e' || c == 'E') {
      throw fault(tensor, field + " must hold integers");
    }
    return value;
  }

  /** A JSON string, with escapes resolved and its UTF-8 checked. */
  private String string() throws SafeTensorsException {
    expect('"', "a string");
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= in.length) {
        throw error(pos, "unterminated string");
      }
      int b = in[pos] & 0xFF;
      if (b == '"') {
        pos++;
        return sb.toString();
      } else if (b == '\\') {
        pos++;
        escape(sb);
      } else if (b < 0x20) {
        throw error(pos, "control character 0x" + Integer.toHexString(b) + " in a string");
      } else if (b < 0x80) {
        sb.append((char) b);
        pos++;
      } else {
        sb.appendCodePoint(utf8());
      }
    }
  }

  private void escape(StringBuilder sb) throws SafeTensorsException {
    int at = pos - 1;
    int c = pos < in.length ? in[pos++] : -1;
    switch (c) {
      case '"', '\\', '/' -> sb.append((char) c);
      case 'b' -> sb.append('\b');
      case 'f' -> sb.append('\f');
      case 'n' -> sb.append('\n');
      case 'r' -> sb.append('\r');
      case 't' -> sb.append('\t');
      case 'u' -> {
        char unit = hex4();
        if (Character.isHighSurrogate(unit) && consume('\\') && consume('u')) {
          char low = hex4();
          if (!Character.isLowSurrogate(low)) {
            throw error(at, "unpaired surrogate in a \\u escape");
          }
          sb.append(unit).append(low);
        } else if (Character.isSurrogate(unit)) {
          throw error(at, "unpaired surrogate in a \\u escape");
        } else {
          sb.append(unit);
        }
      }
      default -> throw error(at, "invalid escape in a string");
    }
  }

  private char hex4() throws SafeTensorsException {
    if (pos + 4 > in.length) {
      throw error(pos, "truncated \\u escape");
    }
    int value = 0;
    for (int i = 0; i < 4; i++) {
      int digit = Character.digit(in[pos + i], 16);
      if (digit < 0) {
        throw error(pos, "invalid \\u escape");
      }
      value = value << 4 | digit;
    }
    pos += 4;
    return (char) value;
  }

  /** One UTF-8 encoded code point; rejects overlong forms, surrogates and stray bytes. */
  private int utf8() throws SafeTensorsException {
    int at = pos;
    int lead = in[pos++] & 0xFF;
    int extra;
    int codePoint;
    int min;
    if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
      codePoint = lead & 0x1F;
      min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
      codePoint = lead & 0x0F;
      min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
      codePoint = lead & 0x07;
      min = 0x10000;
    } else {
      throw error(at, "invalid UTF-8");
    }
    for (int i = 0; i < extra; i++) {
      if (pos >= in.length || (in[pos] & 0xC0) != 0x80) {
        throw error(at, "invalid UTF-8");
      }
      codePoint = codePoint << 6 | (in[pos++] & 0x3F);
    }
    if (codePoint < min || codePoint > Character.MAX_CODE_POINT
        || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
      throw error(at, "invalid UTF-8");
    }
    return codePoint;
  }

  // ---------------------------------------------------------------- tokens

  private int peek() {
    return pos < in.length ? in[pos] : -1;
  }

  private boolean consume(char c) {
    if (pos < in.length && in[pos] == c) {
      pos++;
      return true;
    }
    return false;
  }

  private boolean consumeLiteral(String word) {
    if (pos + word.length() > in.length) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (in[pos + i] != word.charAt(i)) {
        return false;
      }
    }
    pos += word.length();
    return true;
  }

  private void expect(char c, String expected) throws SafeTensorsException {
    if (!consume(c)) {
      throw error(pos, pos < in.length ? "expected " + expected : "header ends early, expected "
          + expected);
    }
  }

  private void colon() throws SafeTensorsException {
    skipWhitespace();
    expect(':', "':'");
    skipWhitespace();
  }

  private void skipWhitespace() {
    while (pos < in.length
        && (in[pos] == ' ' || in[pos] == '\n' || in[pos] == '\r' || in[pos] == '\t')) {
      pos++;
    }
  }

  /** A JSON syntax error at byte {@code at} of the header. */
  private SafeTensorsException error(int at, String message) {
    return new SafeTensorsException(source,
        "invalid header at byte " + (FILE_OFFSET + (long) at) + ": " + message);
  }

  /** A header that is valid JSON so far but not the safetensors schema. */
  private SafeTensorsException fault(String message) {
    return new SafeTensorsException(source, "invalid header: " + message);
  }

  /** A tensor entry that does not follow the schema. */
  private SafeTensorsException fault(String tensor, String message) {
    return fault("tensor '" + tensor + "': " + message);
  }
}
