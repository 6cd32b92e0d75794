package dev.netspec.peers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsF32Test {
  @TempDir Path dir;

  /** A file laid out as tools/fixtures/st.py writes it: header length, JSON, padding, data. */
  private Path write(String header, float... data) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer buf = ByteBuffer.allocate(8 + padded + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(padded).put(json);
    for (int i = json.length; i < padded; i++) {
      buf.put((byte) ' ');
    }
    for (float f : data) {
      buf.putFloat(f);
    }
    Path file = dir.resolve("t.safetensors");
    Files.write(file, buf.array());
    return file;
  }

  @Test
  void readsTheNamedTensor() throws IOException {
    Path file = write("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"y\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[4,20]}}", 9f, 1f, -2f, 0.5f, 4f);
    SafeTensorsF32 y = SafeTensorsF32.read(file, "y");
    assertArrayEquals(new long[] {2, 2}, y.shape);
    assertArrayEquals(new float[] {1f, -2f, 0.5f, 4f}, y.data);
    assertArrayEquals(new float[] {9f}, SafeTensorsF32.read(file, "x").data);
  }

  @Test
  void refusesAMissingName() throws IOException {
    Path file = write("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 1f);
    IOException e = assertThrows(IOException.class, () -> SafeTensorsF32.read(file, "y"));
    assertEquals(file + ": no tensor named 'y'", e.getMessage());
  }

  @Test
  void refusesAnotherDtype() throws IOException {
    Path file = write("{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 1f);
    IOException e = assertThrows(IOException.class, () -> SafeTensorsF32.read(file, "x"));
    assertEquals(file + ": tensor 'x' is F16, expected F32", e.getMessage());
  }

  @Test
  void refusesOffsetsThatDisagreeWithTheShape() throws IOException {
    Path file = write("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 1f, 2f);
    IOException e = assertThrows(IOException.class, () -> SafeTensorsF32.read(file, "x"));
    assertEquals(file + ": tensor 'x' has inconsistent offsets", e.getMessage());
  }

  @Test
  void refusesATruncatedFile() throws IOException {
    Path file = dir.resolve("short.safetensors");
    Files.write(file, new byte[] {1, 2, 3});
    IOException e = assertThrows(IOException.class, () -> SafeTensorsF32.read(file, "x"));
    assertEquals(file + ": not a safetensors file (shorter than 8 bytes)", e.getMessage());
  }
}
