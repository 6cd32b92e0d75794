package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IDX reader on small files written here (every element type, plain and gzip), hostile
 * headers (located errors, no allocation on a header's word), and Debian's Fashion-MNIST
 * when installed (values checked against Python's gzip + struct).
 */
class IdxTest {
  @TempDir Path dir;

  /** An IDX file: type, sizes, then the already big-endian data. */
  private static byte[] idx(int type, int[] shape, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + data.length);
    b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) shape.length);
    for (int d : shape) {
      b.putInt(d);
    }
    return b.put(data).array();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void everyElementTypePlainAndGzip() throws IOException {
    byte[] ubytes = {0, 1, (byte) 200, (byte) 255, 7, 9};
    Path plain = write("u8.idx", idx(0x08, new int[] {2, 3}, ubytes));
    Tensor f = Idx.readFloats(plain);
    assertArrayEquals(new int[] {2, 3}, f.shape());
    assertArrayEquals(new float[] {0, 1, 200, 255, 7, 9}, f.toFloatArray());
    Tensor l = Idx.readLongs(write("u8.idx.gz", gzip(idx(0x08, new int[] {6}, ubytes))));
    assertEquals(DType.INT64, l.dtype());
    assertArrayEquals(new long[] {0, 1, 200, 255, 7, 9}, l.toLongArray());
    assertArrayEquals(new long[] {-56, -1}, Idx.readLongs(write("s8.idx",
        idx(0x09, new int[] {2}, new byte[] {(byte) 200, (byte) 255}))).toLongArray());
    ByteBuffer i16 = ByteBuffer.allocate(4).putShort((short) -300).putShort((short) 1234);
    assertArrayEquals(new long[] {-300, 1234}, Idx.readLongs(write("i16.idx",
        idx(0x0b, new int[] {2}, i16.array()))).toLongArray());
    ByteBuffer i32 = ByteBuffer.allocate(8).putInt(-70000).putInt(123456789);
    assertArrayEquals(new long[] {-70000, 123456789}, Idx.readLongs(write("i32.idx",
        idx(0x0c, new int[] {2}, i32.array()))).toLongArray());
    ByteBuffer f32 = ByteBuffer.allocate(8).putFloat(1.5f).putFloat(-0.25f);
    assertArrayEquals(new float[] {1.5f, -0.25f}, Idx.readFloats(write("f32.idx",
        idx(0x0d, new int[] {1, 2}, f32.array()))).toFloatArray());
    ByteBuffer f64 = ByteBuffer.allocate(8).putDouble(0.1);
    assertArrayEquals(new float[] {0.1f}, Idx.readFloats(write("f64.idx",
        idx(0x0e, new int[] {1}, f64.array()))).toFloatArray());
  }

  private String error(String name, byte[] bytes, boolean longs) throws IOException {
    Path p = write(name, bytes);
    IdxException e = assertThrows(IdxException.class,
        () -> {
          if (longs) {
            Idx.readLongs(p);
          } else {
            Idx.readFloats(p);
          }
        });
    return e.getMessage().substring(p.toString().length() + 2);
  }

  @Test
  void badFilesGetLocatedErrors() throws IOException {
    assertEquals("truncated header: 3 bytes, an IDX file starts with 4 (zero, zero, type, rank)",
        error("short", new byte[] {0, 0, 8}, false));
    assertEquals("byte 0: not an IDX file (it starts with 0x50 0x4b, expected 0x00 0x00)",
        error("zip", new byte[] {0x50, 0x4b, 3, 4, 0, 0}, false));
    assertEquals("byte 2: unknown element type 0x07 (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or"
        + " 0x0e)", error("type", idx(0x07, new int[] {1}, new byte[1]), false));
    assertEquals("byte 3: rank 0 is not between 1 and 8",
        error("rank", new byte[] {0, 0, 8, 0}, false));
    assertEquals("truncated header: rank 3 needs 12 bytes of sizes after byte 4, the file has 5",
        error("dims", new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0}, false));
    assertEquals("byte 14: truncated data: the shape [2, 3] needs 6 bytes after the header,"
        + " the file has 2", error("data", idx(0x08, new int[] {2, 3}, new byte[2]), false));
    assertEquals("byte 10: trailing data after the 2 bytes of the shape [2]",
        error("trail", idx(0x08, new int[] {2}, new byte[3]), false));
    assertEquals("byte 16: truncated data: the shape [1, 2] needs 8 bytes after the header,"
        + " the file has 4", error("gz", gzip(idx(0x0c, new int[] {1, 2}, new byte[4])), true));
    assertEquals("byte 2: the file holds float32 values; read it with readFloats",
        error("float", idx(0x0d, new int[] {1}, new byte[4]), true));
    assertEquals("byte 4: size 4294967295 of dim 0 is too large",
        error("neg", idx(0x08, new int[] {-1}, new byte[0]), false));
    String broken = error("badgz", new byte[] {0x1f, (byte) 0x8b, 9, 9, 9, 9}, false);
    assertTrue(broken.startsWith("not a valid gzip stream") || broken.startsWith("cannot read"),
        broken);
  }

  @Test
  void aHeaderClaimingHugeSizesAllocatesNothingOnItsWord() throws IOException {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    // 2^30 bytes claimed, 10 present: plain (checked against the file size) and gzip (read
    // as it arrives)
    byte[] claim = idx(0x08, new int[] {1 << 15, 1 << 15}, new byte[10]);
    Path plain = write("huge.idx", claim);
    Path gz = write("huge.idx.gz", gzip(claim));
    for (Path p : new Path[] {plain, gz}) {
      long before = threads.getCurrentThreadAllocatedBytes();
      IdxException e = assertThrows(IdxException.class, () -> Idx.readFloats(p));
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertTrue(e.getMessage().contains("truncated data: the shape [32768, 32768] needs"
          + " 1073741824 bytes"), e.getMessage());
      assertTrue(allocated < 4 << 20, p + ": allocated " + allocated + " bytes");
    }
    assertEquals("byte 8: the shape [65536, 65536] holds more elements than one tensor can",
        error("product", idx(0x0c, new int[] {1 << 16, 1 << 16}, new byte[0]), false));
  }

  /**
   * The header's limits at their edges, each message placing the byte of the size at fault
   * (byte 4 + 4 d for dim d). One tensor holds at most 2^31 - 9 elements (the largest array
   * the JVM reliably allocates): (2^31 - 9) / element size of them; a size word above 2^31 - 1
   * is refused on its own.
   */
  @Test
  void rankAndSizeLimitsAtTheirEdges() throws IOException {
    byte[] two = {3, 4};
    Tensor rank8 = Idx.readFloats(write("r8", idx(0x08, new int[] {1, 1, 1, 1, 1, 1, 1, 2}, two)));
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 2}, rank8.shape());
    assertArrayEquals(new float[] {3, 4}, rank8.toFloatArray());
    assertEquals("byte 3: rank 9 is not between 1 and 8",
        error("r9", idx(0x08, new int[] {1, 1, 1, 1, 1, 1, 1, 1, 2}, two), false));

    assertEquals("byte 8: size 4294967295 of dim 1 is too large",
        error("dim1", idx(0x08, new int[] {2, -1}, new byte[0]), false));
    assertEquals("byte 12: size 2147483648 of dim 2 is too large",
        error("dim2", idx(0x08, new int[] {1, 1, 1 << 31}, new byte[0]), false));
    // 2^31 - 1 is a valid int, so it is counted, not refused as a size
    assertEquals("byte 4: the shape [2147483647] holds more elements than one tensor can",
        error("max", idx(0x08, new int[] {Integer.MAX_VALUE}, new byte[0]), false));

    // exactly 2^31 - 9 bytes: allowed by the count, refused only as missing from the file
    assertEquals("byte 8: truncated data: the shape [2147483639] needs 2147483639 bytes after"
        + " the header, the file has 0",
        error("u8max", idx(0x08, new int[] {2147483639}, new byte[0]), false));
    assertEquals("byte 4: the shape [2147483640] holds more elements than one tensor can",
        error("u8over", idx(0x08, new int[] {2147483640}, new byte[0]), false));
    // int32: (2^31 - 9) / 4 = 536870909.75
    assertEquals("byte 8: truncated data: the shape [536870909] needs 2147483636 bytes after"
        + " the header, the file has 0",
        error("i32max", idx(0x0c, new int[] {536870909}, new byte[0]), false));
    assertEquals("byte 4: the shape [536870910] holds more elements than one tensor can",
        error("i32over", idx(0x0c, new int[] {536870910}, new byte[0]), false));
    // the count passes the limit at dim 2 of 4: the shape so far, and "..." for the rest
    assertEquals("byte 12: the shape [1, 65536, 65536]... holds more elements than one tensor"
        + " can", error("mid", idx(0x08, new int[] {1, 1 << 16, 1 << 16, 1}, new byte[0]), false));
  }

  /**
   * A file several read buffers long (64 KB each) comes back whole, plain (full reads) and
   * gzip-compressed; the values are the index mod 251, so a chunk out of place shows.
   */
  @Test
  void aFileOfSeveralReadBuffersIsReadWhole() throws IOException {
    int rows = 500;
    int cols = 400;
    byte[] data = new byte[rows * cols];
    long[] expected = new long[data.length];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i % 251);
      expected[i] = i % 251;
    }
    byte[] file = idx(0x08, new int[] {rows, cols}, data);
    for (Path p : new Path[] {write("big.idx", file), write("big.idx.gz", gzip(file))}) {
      Tensor t = Idx.readLongs(p);
      assertArrayEquals(new int[] {rows, cols}, t.shape(), p.toString());
      assertArrayEquals(expected, t.toLongArray(), p.toString());
    }
  }

  @Test
  void debiansFashionMnist() throws IOException {
    Path root = Path.of("/usr/share/datasets/fashion-mnist");
    assumeTrue(Files.isDirectory(root), "apt-get install dataset-fashion-mnist");
    Tensor labels = Idx.readLongs(root.resolve("t10k-labels-idx1-ubyte.gz"));
    assertArrayEquals(new int[] {10000}, labels.shape());
    long[] l = labels.toLongArray();
    // python3: gzip.open(...).read()[8:20] and sum(...[8:])
    assertArrayEquals(new long[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5},
        java.util.Arrays.copyOf(l, 12));
    assertEquals(45000, java.util.Arrays.stream(l).sum());
    Tensor images = Idx.readFloats(root.resolve("t10k-images-idx3-ubyte.gz"));
    assertArrayEquals(new int[] {10000, 28, 28}, images.shape());
    double sum = 0;
    for (float v : images.toFloatArray()) {
      sum += v;
    }
    assertEquals(573469082.0, sum);
  }
}
