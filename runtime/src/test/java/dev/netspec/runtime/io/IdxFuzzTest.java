package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;

/**
 * Any bytes given to the IDX reader (plain or gzip) give either one {@link IdxException} naming
 * the file, or a tensor whose elements the file really holds: no other exception, and for a
 * plain file no more elements than its bytes can encode (a header claiming 2^31 elements must
 * not make us allocate them).
 *
 * <p>A plain build replays the committed inputs under
 * {@code src/test/resources/dev/netspec/runtime/io/IdxFuzzTestInputs/read/} (written by
 * {@code tools/fuzz/idx_seeds.py}); {@code tools/fuzz.sh idx SECONDS} fuzzes for longer, on a
 * small heap.
 */
class IdxFuzzTest {
  private static Path file;

  @FuzzTest
  void read(byte[] bytes) throws IOException {
    if (file == null) {
      file = Files.createTempFile("netspec-idx-fuzz", ".idx");
    }
    Files.write(file, bytes);
    boolean gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    try {
      Tensor t = Idx.readFloats(file);
      assertEquals(DType.FLOAT32, t.dtype());
      if (!gzip) {
        int type = bytes[2] & 0xff;
        int width = type == 0x08 || type == 0x09 ? 1 : type == 0x0b ? 2 : type == 0x0e ? 8 : 4;
        long header = 4L + 4L * t.dim();
        assertEquals(bytes.length, header + t.numel() * width,
            "a plain file holds exactly its header and elements");
      }
    } catch (IdxException e) {
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }
    try {
      Tensor t = Idx.readLongs(file);
      assertEquals(DType.INT64, t.dtype());
    } catch (IdxException e) {
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }
  }

  @AfterAll
  static void cleanUp() {
    try {
      if (file != null) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
