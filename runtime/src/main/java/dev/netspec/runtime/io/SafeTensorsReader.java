package dev.netspec.runtime.io;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file or buffer, checking everything the reference implementation
 * checks before it allocates anything sized by the file: the header length against the
 * 100 MB limit and the file size, then the header, then every tensor's dtype, shape and
 * offsets against each other and the data. Only then are tensors read, so a bad file never
 * yields a partial result and never triggers a huge allocation.
 */
final class SafeTensorsReader {
  /** The header size limit of the reference implementation (100 MB, decimal). */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  /** The largest array the JVM reliably allocates. */
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  /** Read and convert tensors in slices of this many bytes (a multiple of every dtype size). */
  private static final int CHUNK_BYTES = 1 << 16;

  /** Random access to the bytes of a file or buffer. */
  interface ByteSource {
    long size() throws IOException;

    /** Fills {@code dst} with the bytes at {@code position}; EOFException if they run out. */
    void readFully(long position, ByteBuffer dst) throws IOException;

    static ByteSource of(FileChannel channel) {
      return new ByteSource() {
        @Override
        public long size() throws IOException {
          return channel.size();
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
          long at = position;
          while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
              throw new EOFException();
            }
            at += n;
          }
        }
      };
    }

    /** The bytes between the buffer's position and limit; the buffer is not changed. */
    static ByteSource of(ByteBuffer buffer) {
      ByteBuffer bytes = buffer.slice();
      return new ByteSource() {
        @Override
        public long size() {
          return bytes.remaining();
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws IOException {
          if (position + dst.remaining() > bytes.remaining()) {
            throw new EOFException();
          }
          dst.put(bytes.duplicate().position((int) position).limit((int) position
              + dst.remaining()));
        }
      };
    }
  }

  /** A header entry that passed validation, with its decoded type and int shape. */
  private record Planned(Header.Entry entry, FileDType dtype, int[] shape, int numel) {}

  private final ByteSource in;
  private final String source;

  private SafeTensorsReader(ByteSource in, String source) {
    this.in = in;
    this.source = source;
  }

  static SafeTensorsFile read(ByteSource in, String source) throws IOException {
    return new SafeTensorsReader(in, source).read();
  }

  private SafeTensorsFile read() throws IOException {
    long size = in.size();
    if (size < 8) {
      throw fault("file is " + size + " bytes, too short for the 8-byte header length");
    }
    ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    in.readFully(0, prefix);
    long headerLength = prefix.getLong(0);
    if (prefix.getInt(0) == 0x04034B50) {
      throw fault("not a safetensors file but a zip archive (PyTorch's torch.save format?); "
          + "save it with safetensors.torch.save_file");
    }
    if (isText(prefix.array())) {
      throw fault("not a safetensors file but text (it starts with '"
          + new String(prefix.array(), java.nio.charset.StandardCharsets.US_ASCII).strip()
          + "'); write tensors with safetensors.torch.save_file or SafeTensors.save");
    }
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw fault("header length " + Long.toUnsignedString(headerLength)
          + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    if (headerLength > size - 8) {
      throw fault("header length " + headerLength + " runs past the end of the file ("
          + size + " bytes)");
    }
    byte[] headerBytes = new byte[(int) headerLength];
    in.readFully(8, ByteBuffer.wrap(headerBytes));
    Header header = HeaderParser.parse(headerBytes, source);
    long dataStart = 8 + headerLength;
    List<Planned> plan = plan(header, size - dataStart);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> dtypes = new LinkedHashMap<>();
    for (Planned p : plan) {
      tensors.put(p.entry().name(), readTensor(p, dataStart));
      dtypes.put(p.entry().name(), p.entry().dtype());
    }
    return new SafeTensorsFile(tensors, header.metadata(), dtypes);
  }

  /**
   * Whether the 8 bytes of the header length are printable ASCII text (a spec, a CSV): as a
   * length that is at least 0x0909090909090909, far past any header a file may have.
   */
  private static boolean isText(byte[] prefix) {
    for (byte b : prefix) {
      if ((b < 0x20 || b > 0x7E) && b != '\t' && b != '\n' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks each entry alone (dtype, shape, offsets within the data and matching the shape),
   * then all together (sorted by offset, they tile the data exactly: no gap, no overlap, no
   * trailing bytes). Returns the entries in offset order.
   */
  private List<Planned> plan(Header header, long dataSize) throws SafeTensorsException {
    List<Planned> plan = new ArrayList<>();
    for (Header.Entry e : header.tensors()) {
      plan.add(check(e, dataSize));
    }
    plan.sort(Comparator.comparingLong((Planned p) -> p.entry().begin())
        .thenComparingLong(p -> p.entry().end()));
    long expected = 0;
    Header.Entry previous = null;
    for (Planned p : plan) {
      Header.Entry e = p.entry();
      if (e.begin() < expected) {
        throw fault(tensor(e) + "data_offsets " + e.offsets() + " overlap tensor '"
            + previous.name() + "' " + previous.offsets());
      }
      if (e.begin() > expected) {
        throw fault(tensor(e) + "data_offsets " + e.offsets() + " leave bytes [" + expected
            + ", " + e.begin() + ") of the data unused");
      }
      expected = e.end();
      previous = e;
    }
    if (expected != dataSize) {
      throw fault("the file has " + (dataSize - expected)
          + " bytes after the last tensor's data");
    }
    return plan;
  }

  private Planned check(Header.Entry e, long dataSize) throws SafeTensorsException {
    FileDType dtype = FileDType.byName(e.dtype());
    if (dtype == null) {
      throw fault(tensor(e) + (FileDType.isUnsupported(e.dtype())
          ? "dtype " + e.dtype() + " is not supported (netspec reads F32, F16, BF16, F64 and I64)"
          : "unknown dtype '" + e.dtype() + "'"));
    }
    if (e.end() < e.begin()) {
      throw fault(tensor(e) + "data_offsets " + e.offsets() + " end before they begin");
    }
    if (e.end() > dataSize) {
      throw fault(tensor(e) + "data_offsets " + e.offsets() + " run past the end of the data ("
          + dataSize + " bytes after the header; is the file truncated?)");
    }
    int[] shape = new int[e.shape().length];
    for (int d = 0; d < shape.length; d++) {
      if (e.shape()[d] > Integer.MAX_VALUE) {
        throw fault(tensor(e) + "dimension " + e.shape()[d] + " of shape " + e.shapeText()
            + " is larger than a tensor dimension can be (" + Integer.MAX_VALUE + ")");
      }
      shape[d] = (int) e.shape()[d];
    }
    long bytes = byteCount(shape, dtype);
    if (bytes != e.end() - e.begin()) {
      throw fault(tensor(e) + "data_offsets " + e.offsets() + " do not match shape "
          + e.shapeText() + " of " + dtype + " ("
          + (bytes < 0 ? "more than 2^63" : String.valueOf(bytes)) + " bytes)");
    }
    long numel = bytes / dtype.size;
    if (numel > MAX_ELEMENTS) {
      throw fault(tensor(e) + "shape " + e.shapeText() + " has " + numel
          + " elements, more than a tensor can hold");
    }
    return new Planned(e, dtype, shape, (int) numel);
  }

  /** The bytes a tensor of this shape and type takes, or -1 if that overflows a long. */
  private static long byteCount(int[] shape, FileDType dtype) {
    for (int size : shape) {
      if (size == 0) {
        return 0;
      }
    }
    long bytes = dtype.size;
    try {
      for (int size : shape) {
        bytes = Math.multiplyExact(bytes, size);
      }
      return bytes;
    } catch (ArithmeticException overflow) {
      return -1;
    }
  }

  /** Reads one planned tensor: an array of its checked element count, filled chunk by chunk. */
  private Tensor readTensor(Planned p, long dataStart) throws IOException {
    FileDType dtype = p.dtype();
    boolean int64 = dtype.tensorType == DType.INT64;
    float[] values = int64 ? null : new float[p.numel()];
    long[] longs = int64 ? new long[p.numel()] : null;
    int perChunk = CHUNK_BYTES / dtype.size;
    ByteBuffer chunk = ByteBuffer.allocate(Math.min(p.numel(), perChunk) * dtype.size)
        .order(ByteOrder.LITTLE_ENDIAN);
    long position = dataStart + p.entry().begin();
    for (int from = 0; from < p.numel(); from += perChunk) {
      int count = Math.min(perChunk, p.numel() - from);
      chunk.clear().limit(count * dtype.size);
      in.readFully(position, chunk);
      chunk.flip();
      if (int64) {
        dtype.decodeLongs(chunk, longs, from, count);
      } else {
        dtype.decode(chunk, values, from, count);
      }
      position += (long) count * dtype.size;
    }
    return int64 ? Tensor.ofLongs(longs, p.shape()) : Tensor.fromArray(values, p.shape());
  }

  private static String tensor(Header.Entry e) {
    return "tensor '" + e.name() + "': ";
  }

  private SafeTensorsException fault(String message) {
    return new SafeTensorsException(source, message);
  }
}
