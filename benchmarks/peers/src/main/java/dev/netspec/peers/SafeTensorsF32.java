package dev.netspec.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one F32 tensor from a safetensors file written by {@code tools/fixtures/st.py}.
 *
 * <p>Only what the peers need: the header is matched, not parsed as general JSON, so files from
 * other writers may be refused (with a message, never a wrong tensor).
 */
final class SafeTensorsF32 {
  final long[] shape;
  final float[] data;

  private SafeTensorsF32(long[] shape, float[] data) {
    this.shape = shape;
    this.data = data;
  }

  static SafeTensorsF32 read(Path file, String name) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.remaining() < 8) {
      throw new IOException(file + ": not a safetensors file (shorter than 8 bytes)");
    }
    long headerLength = bytes.getLong();
    if (headerLength < 2 || headerLength > bytes.remaining()) {
      throw new IOException(file + ": not a safetensors file (header length " + headerLength + ")");
    }
    String header = new String(bytes.array(), 8, (int) headerLength, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("\"" + Pattern.quote(name)
        + "\":\\{\"dtype\":\"(\\w+)\",\"shape\":\\[([0-9,]*)\\],\"data_offsets\":\\[(\\d+),(\\d+)\\]\\}")
        .matcher(header);
    if (!m.find()) {
      throw new IOException(file + ": no tensor named '" + name + "'");
    }
    if (!m.group(1).equals("F32")) {
      throw new IOException(file + ": tensor '" + name + "' is " + m.group(1) + ", expected F32");
    }
    long[] shape = m.group(2).isEmpty()
        ? new long[0]
        : Arrays.stream(m.group(2).split(",")).mapToLong(Long::parseLong).toArray();
    long begin = Long.parseLong(m.group(3));
    long end = Long.parseLong(m.group(4));
    long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    long base = 8 + headerLength;
    if (end - begin != 4 * count || base + end > bytes.capacity()) {
      throw new IOException(file + ": tensor '" + name + "' has inconsistent offsets");
    }
    float[] data = new float[(int) count];
    bytes.position((int) (base + begin));
    bytes.asFloatBuffer().get(data);
    return new SafeTensorsF32(shape, data);
  }
}
