package dev.netspec.runtime.io;

import dev.netspec.runtime.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST ({@code train-images-idx3-ubyte}),
 * plain or gzip-compressed (as Debian's {@code dataset-fashion-mnist} ships them, under
 * {@code /usr/share/datasets/fashion-mnist/}). An IDX file is two zero bytes, an element type
 * ({@code 0x08} unsigned byte, {@code 0x09} signed byte, {@code 0x0b} int16, {@code 0x0c}
 * int32, {@code 0x0d} float32, {@code 0x0e} float64), the rank, one big-endian int32 size per
 * dim, then the elements, big-endian, row-major.
 *
 * <p>Nothing is allocated from the header's word: the data is read as it arrives, up to the
 * size the header claims, and the tensor is allocated only once that many bytes were really
 * there; a plain file's length is checked before reading. Every fault is one {@link
 * IdxException} naming the file and the byte.
 */
public final class Idx {
  private static final int CHUNK = 1 << 16;

  private Idx() {}

  /**
   * The elements as float32 (every integer type converts exactly; float64 is rounded): images
   * as pixel values 0 to 255.
   */
  public static Tensor readFloats(Path path) throws IdxException {
    Raw raw = read(path);
    float[] out = new float[raw.count];
    ByteBuffer b = raw.data;
    for (int i = 0; i < out.length; i++) {
      out[i] = raw.type == 0x0d ? b.getFloat()
          : raw.type == 0x0e ? (float) b.getDouble() : integer(b, raw.type);
    }
    return Tensor.fromArray(out, raw.shape);
  }

  /** The elements as int64, for labels (class indices); integer types only. */
  public static Tensor readLongs(Path path) throws IdxException {
    Raw raw = read(path);
    if (raw.type == 0x0d || raw.type == 0x0e) {
      throw new IdxException(path.toString(), "byte 2: the file holds "
          + (raw.type == 0x0d ? "float32" : "float64") + " values; read it with readFloats");
    }
    long[] out = new long[raw.count];
    ByteBuffer b = raw.data;
    for (int i = 0; i < out.length; i++) {
      out[i] = integer(b, raw.type);
    }
    return Tensor.ofLongs(out, raw.shape);
  }

  /** The next element of an integer type, widened. */
  private static long integer(ByteBuffer b, int type) {
    return switch (type) {
      case 0x08 -> b.get() & 0xff;
      case 0x09 -> b.get();
      case 0x0b -> b.getShort();
      default -> b.getInt();
    };
  }

  private record Raw(int type, int[] shape, int count, ByteBuffer data) {}

  private static int elementSize(int type) {
    return switch (type) {
      case 0x08, 0x09 -> 1;
      case 0x0b -> 2;
      case 0x0c, 0x0d -> 4;
      case 0x0e -> 8;
      default -> 0;
    };
  }

  private static Raw read(Path path) throws IdxException {
    String name = path.toString();
    try (InputStream in = open(path)) {
      byte[] head = readUpTo(in, 4);
      if (head.length < 4) {
        throw new IdxException(name, "truncated header: " + head.length
            + " bytes, an IDX file starts with 4 (zero, zero, type, rank)");
      }
      if (head[0] != 0 || head[1] != 0) {
        throw new IdxException(name, String.format("byte 0: not an IDX file (it starts with"
            + " 0x%02x 0x%02x, expected 0x00 0x00)", head[0] & 0xff, head[1] & 0xff));
      }
      int type = head[2] & 0xff;
      int size = elementSize(type);
      if (size == 0) {
        throw new IdxException(name, String.format("byte 2: unknown element type 0x%02x"
            + " (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)", type));
      }
      int rank = head[3] & 0xff;
      if (rank < 1 || rank > Tensor.MAX_RANK) {
        throw new IdxException(name, "byte 3: rank " + rank + " is not between 1 and "
            + Tensor.MAX_RANK);
      }
      byte[] dims = readUpTo(in, 4 * rank);
      if (dims.length < 4 * rank) {
        throw new IdxException(name, "truncated header: rank " + rank + " needs " + 4 * rank
            + " bytes of sizes after byte 4, the file has " + dims.length);
      }
      ByteBuffer db = ByteBuffer.wrap(dims);
      int[] shape = new int[rank];
      long count = 1;
      for (int d = 0; d < rank; d++) {
        long v = db.getInt() & 0xffffffffL;
        if (v > Integer.MAX_VALUE) {
          throw new IdxException(name, "byte " + (4 + 4 * d) + ": size " + v + " of dim " + d
              + " is too large");
        }
        shape[d] = (int) v;
        count *= v;
        if (count > (Integer.MAX_VALUE - 8) / size) {
          throw new IdxException(name, "byte " + (4 + 4 * d) + ": the shape "
              + Arrays.toString(Arrays.copyOf(shape, d + 1)) + (d + 1 < rank ? "..." : "")
              + " holds more elements than one tensor can");
        }
      }
      int dataStart = 4 + 4 * rank;
      long bytes = count * size;
      if (!isGzip(path)) {
        long fileSize = Files.size(path);
        checkLength(name, shape, dataStart, bytes, fileSize - dataStart);
      }
      byte[] data = readUpTo(in, (int) bytes + 1); // one more, to see trailing data
      checkLength(name, shape, dataStart, bytes, data.length);
      return new Raw(type, shape, (int) count, ByteBuffer.wrap(data, 0, (int) bytes));
    } catch (NoSuchFileException e) {
      throw new IdxException(name, "no such file");
    } catch (IdxException e) {
      throw e;
    } catch (ZipException e) {
      throw new IdxException(name, "not a valid gzip stream: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new IdxException(name, "cannot read: " + e.getMessage(), e);
    }
  }

  private static void checkLength(String name, int[] shape, int dataStart, long expected,
      long actual) throws IdxException {
    if (actual < expected) {
      throw new IdxException(name, "byte " + (dataStart + actual) + ": truncated data: the"
          + " shape " + Arrays.toString(shape) + " needs " + expected + " bytes after the"
          + " header, the file has " + actual);
    }
    if (actual > expected) {
      throw new IdxException(name, "byte " + (dataStart + expected) + ": trailing data after"
          + " the " + expected + " bytes of the shape " + Arrays.toString(shape));
    }
  }

  private static boolean isGzip(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  private static InputStream open(Path path) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(path));
    return isGzip(path) ? new GZIPInputStream(raw, CHUNK) : raw;
  }

  /**
   * Up to {@code limit} bytes, fewer at the end of the stream; the buffer grows with the data
   * actually read, never to {@code limit} on trust.
   */
  private static byte[] readUpTo(InputStream in, int limit) throws IOException {
    byte[] buf = new byte[Math.min(limit, CHUNK)];
    int n = 0;
    while (n < limit) {
      if (n == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(limit, 2L * buf.length));
      }
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    return n == buf.length ? buf : Arrays.copyOf(buf, n);
  }
}
