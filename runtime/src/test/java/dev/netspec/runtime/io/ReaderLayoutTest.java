package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the reader finds each tensor's bytes and how it reads them: the header may list the
 * tensors in any order (empty tensors included, which take no bytes at any offset), and a
 * large tensor is read in slices of at most 64 KB, never in one buffer as large as itself.
 */
class ReaderLayoutTest {
  /** A file: the header (single quotes become double), then the data. */
  private static ByteBuffer file(String header, ByteBuffer data) {
    byte[] text = header.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + text.length + data.remaining()).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(text.length).put(text).put(data).flip();
  }

  private static String f32(String name, String shape, long begin, long end) {
    return "'" + name + "':{'dtype':'F32','shape':" + shape + ",'data_offsets':[" + begin + ","
        + end + "]}";
  }

  /**
   * The data is b = [1.5] in bytes [0, 4) and c = [-2] in [4, 8); e and z are empty, at 0 and
   * at 4. Listed z, b, e, c, they tile the data only when sorted by begin and then by end
   * (e [0, 0) before b [0, 4), which ends where z [4, 4) begins): by end alone z would come
   * before b, by begin alone b before e.
   */
  @Test
  void emptyTensorsAnywhereInTheHeaderOrder() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
        .putFloat(1.5f).putFloat(-2f).flip();
    String header = "{" + f32("z", "[0]", 4, 4) + "," + f32("b", "[1]", 0, 4) + ","
        + f32("e", "[2,0]", 0, 0) + "," + f32("c", "[1]", 4, 8) + "}";
    SafeTensorsFile f = SafeTensors.parse(file(header, data), "ordered");
    assertEquals(List.of("e", "b", "z", "c"), List.copyOf(f.tensors().keySet()),
        "tensors come back in the order of their data");
    assertArrayEquals(new float[] {1.5f}, f.tensor("b").toFloatArray());
    assertArrayEquals(new float[] {-2f}, f.tensor("c").toFloatArray());
    assertArrayEquals(new int[] {2, 0}, f.tensor("e").shape());
    assertArrayEquals(new int[] {0}, f.tensor("z").shape());
  }

  /** A buffer's bytes from its position; a read past its end is an EOFException. */
  @Test
  void aBufferSourceReadsItsOwnBytesOnly() throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(new byte[] {9, 9, 1, 2, 3, 4, 5, 6, 7, 8}).position(2);
    SafeTensorsReader.ByteSource source = SafeTensorsReader.ByteSource.of(buffer);
    assertEquals(8, source.size());
    ByteBuffer dst = ByteBuffer.allocate(4);
    source.readFully(4, dst);
    assertArrayEquals(new byte[] {5, 6, 7, 8}, dst.array());
    assertEquals(2, buffer.position(), "the buffer is not moved");
    assertThrows(EOFException.class, () -> source.readFully(6, ByteBuffer.allocate(4)));
  }

  /**
   * 100,000 floats (400,000 bytes) are read in reads of at most 64 KB each, covering the data
   * exactly once, and decode to their values (i / 8, exact in float32).
   */
  @Test
  void aLargeTensorIsReadInSlicesOfAtMost64Kb() throws IOException {
    int n = 100_000;
    ByteBuffer data = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) {
      expected[i] = i / 8f;
      data.putFloat(expected[i]);
    }
    ByteBuffer bytes = file("{" + f32("w", "[" + n + "]", 0, 4L * n) + "}", data.flip());
    long dataStart = 8 + bytes.getLong(0);
    SafeTensorsReader.ByteSource whole = SafeTensorsReader.ByteSource.of(bytes);
    long[] largest = {0};
    long[] total = {0};
    SafeTensorsReader.ByteSource counted = new SafeTensorsReader.ByteSource() {
      @Override
      public long size() throws IOException {
        return whole.size();
      }

      @Override
      public void readFully(long position, ByteBuffer dst) throws IOException {
        if (position >= dataStart) {
          largest[0] = Math.max(largest[0], dst.remaining());
          total[0] += dst.remaining();
        }
        whole.readFully(position, dst);
      }
    };
    SafeTensorsFile f = SafeTensorsReader.read(counted, "large");
    assertArrayEquals(expected, f.tensor("w").toFloatArray());
    assertEquals(4L * n, total[0], "each byte of the data read once");
    assertTrue(largest[0] <= 1 << 16, "largest read " + largest[0] + " bytes");
  }
}
