package dev.netspec.runtime.io;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Lays out float32 and int64 tensors as a safetensors file (as F32 and I64), byte for byte as
 * the reference Rust writer does: keys sorted by code point, {@code __metadata__} first, compact JSON
 * with non-ASCII characters as raw UTF-8, the header padded with spaces to a multiple of 8
 * bytes, then the data of each tensor in key order, little-endian. Metadata keys are sorted
 * too (the reference writes them in hash order), so equal input gives equal bytes.
 *
 * <p>The layout is computed (and the arguments checked) when the writer is made, before any
 * byte is written, so bad arguments never leave a half-written file.
 */
final class SafeTensorsWriter {
  private static final int CHUNK_FLOATS = 1 << 14;

  /** Unicode code point order, which is the byte order of UTF-8 (Rust's and Python's sort). */
  static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  };

  private final List<Map.Entry<String, Tensor>> tensors;
  private final byte[] header;
  private final long dataBytes;

  SafeTensorsWriter(Map<String, Tensor> tensors, Map<String, String> metadata) {
    this.tensors = sorted(Objects.requireNonNull(tensors, "tensors"), "tensor");
    List<Map.Entry<String, String>> meta =
        sorted(Objects.requireNonNull(metadata, "metadata"), "metadata");
    StringBuilder json = new StringBuilder("{");
    if (!meta.isEmpty()) {
      json.append("\"__metadata__\":");
      appendMetadata(json, meta);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : this.tensors) {
      if (e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
      }
      FileDType type = FileDType.of(e.getValue().dtype());
      long end = offset + e.getValue().numel() * type.size;
      json.append(json.length() > 1 ? "," : "");
      appendString(json, e.getKey());
      appendTensorInfo(json, type, e.getValue().shape(), offset, end);
      offset = end;
    }
    json.append('}');
    byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
    if (text.length > SafeTensorsReader.MAX_HEADER_BYTES) {
      throw new IllegalArgumentException("the header would take " + text.length
          + " bytes, more than the " + SafeTensorsReader.MAX_HEADER_BYTES
          + " readers accept: too many tensors or too much metadata for one file");
    }
    this.header = Arrays.copyOf(text, (text.length + 7) / 8 * 8);
    Arrays.fill(header, text.length, header.length, (byte) ' ');
    this.dataBytes = offset;
  }

  /** {@code {"key":"value",...}} */
  private static void appendMetadata(StringBuilder json, List<Map.Entry<String, String>> meta) {
    json.append('{');
    String separator = "";
    for (Map.Entry<String, String> e : meta) {
      json.append(separator);
      appendString(json, e.getKey());
      json.append(':');
      appendString(json, checkText(e.getValue(), "metadata value"));
      separator = ",";
    }
    json.append('}');
  }

  /** {@code :{"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]}} */
  private static void appendTensorInfo(StringBuilder json, FileDType type, int[] shape,
      long begin, long end) {
    json.append(":{\"dtype\":\"").append(type).append("\",\"shape\":[");
    for (int d = 0; d < shape.length; d++) {
      json.append(d == 0 ? "" : ",").append(shape[d]);
    }
    json.append("],\"data_offsets\":[").append(begin).append(',').append(end).append("]}");
  }

  /** The size of the whole file in bytes. */
  long size() {
    return 8L + header.length + dataBytes;
  }

  /** Writes the file to {@code out}. */
  void writeTo(WritableByteChannel out) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    buffer.putLong(header.length).flip();
    writeFully(out, buffer);
    writeFully(out, ByteBuffer.wrap(header));
    FloatBuffer floats = buffer.clear().asFloatBuffer();
    for (Map.Entry<String, Tensor> e : tensors) {
      Tensor t = e.getValue().isContiguous() ? e.getValue() : e.getValue().contiguous();
      if (t.dtype() == DType.INT64) {
        writeLongs(out, t, buffer);
        continue;
      }
      float[] array = t.array();
      int start = t.arrayOffset();
      int end = start + Math.toIntExact(t.numel());
      for (int from = start; from < end; from += CHUNK_FLOATS) {
        int count = Math.min(CHUNK_FLOATS, end - from);
        floats.clear();
        floats.put(array, from, count);
        buffer.clear().limit(count * Float.BYTES);
        writeFully(out, buffer);
      }
    }
  }

  /** The values of a contiguous int64 tensor, little-endian, through {@code buffer}. */
  private static void writeLongs(WritableByteChannel out, Tensor t, ByteBuffer buffer)
      throws IOException {
    long[] array = t.longArray();
    int chunk = buffer.capacity() / Long.BYTES;
    LongBuffer longs = buffer.clear().asLongBuffer();
    int end = t.arrayOffset() + Math.toIntExact(t.numel());
    for (int from = t.arrayOffset(); from < end; from += chunk) {
      int count = Math.min(chunk, end - from);
      longs.clear();
      longs.put(array, from, count);
      buffer.clear().limit(count * Long.BYTES);
      writeFully(out, buffer);
    }
  }

  private static void writeFully(WritableByteChannel out, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      out.write(bytes);
    }
  }

  private static <V> List<Map.Entry<String, V>> sorted(Map<String, V> map, String what) {
    List<Map.Entry<String, V>> out = new ArrayList<>();
    for (Map.Entry<String, V> e : map.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException(what + " map holds a null key or value");
      }
      out.add(Map.entry(checkText(e.getKey(), what + " name"), e.getValue()));
    }
    out.sort(Map.Entry.comparingByKey(CODE_POINT_ORDER));
    return out;
  }

  /** Rejects strings that UTF-8 cannot encode (an unpaired surrogate). */
  private static String checkText(String s, String what) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            what + " '" + s + "' holds an unpaired surrogate, which UTF-8 cannot encode");
      }
    }
    return s;
  }

  /** A JSON string as serde_json and Python's json.dumps write it (ensure_ascii off). */
  private static void appendString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
