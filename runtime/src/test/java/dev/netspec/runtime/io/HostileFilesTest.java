package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every class of malformed or hostile file gets one SafeTensorsException naming the file and
 * the fault, from both {@link SafeTensors#load} and {@link SafeTensors#parse}.
 */
class HostileFilesTest {
  @TempDir Path dir;

  /** A file: the header length, the header text as given (single quotes become double), data. */
  private static byte[] file(String header, int dataBytes) {
    byte[] text = header.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(text.length).put(text).array();
  }

  private static String f32(String name, String shape, long begin, long end) {
    return "'" + name + "':{'dtype':'F32','shape':" + shape + ",'data_offsets':[" + begin + ","
        + end + "]}";
  }

  /** Asserts both entry points refuse {@code bytes} with exactly {@code fault}. */
  private void assertFault(byte[] bytes, String fault) throws IOException {
    Path path = dir.resolve("model.safetensors");
    Files.write(path, bytes);
    SafeTensorsException e =
        assertThrows(SafeTensorsException.class, () -> SafeTensors.load(path));
    assertEquals(path + ": " + fault, e.getMessage());
    assertEquals(fault, e.fault());
    assertEquals(path.toString(), e.source());
    SafeTensorsException p = assertThrows(SafeTensorsException.class,
        () -> SafeTensors.parse(ByteBuffer.wrap(bytes), "buffer"));
    assertEquals("buffer: " + fault, p.getMessage());
  }

  @Test
  void fileTooShortForTheLength() throws IOException {
    assertFault(new byte[5], "file is 5 bytes, too short for the 8-byte header length");
  }

  @Test
  void hugeHeaderLengthsAreRefusedBeforeAnyAllocation() throws IOException {
    byte[] bytes = file("{}", 0);
    Arrays.fill(bytes, 0, 8, (byte) 0xFF);
    assertFault(bytes, "header length 18446744073709551615 exceeds the limit of 100000000 bytes");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001L);
    assertFault(bytes, "header length 100000001 exceeds the limit of 100000000 bytes");
  }

  @Test
  void headerLengthPastTheEndOfTheFile() throws IOException {
    byte[] bytes = file("{}", 0);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
    assertFault(bytes, "header length 1000 runs past the end of the file (10 bytes)");
  }

  @Test
  void headerLengthsAtTheirLimits() throws IOException {
    byte[] bytes = file("{}", 0);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_000L);
    assertFault(bytes, "header length 100000000 runs past the end of the file (10 bytes)");
    // 10 bytes leave 2 for the header: 3 is one too many
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 3);
    assertFault(bytes, "header length 3 runs past the end of the file (10 bytes)");
  }

  @Test
  void pytorchPickleZipGetsAHint() throws IOException {
    byte[] zip = {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0};
    assertFault(zip, "not a safetensors file but a zip archive (PyTorch's torch.save format?); "
        + "save it with safetensors.torch.save_file");
  }

  @Test
  void aTextFileIsNamedAsSuch() throws IOException {
    // a spec given as --input: its first 8 bytes read as a header length of 4207318010541925742
    byte[] spec = "netspec: 1\npackage: p\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertFault(spec, "not a safetensors file but text (it starts with 'netspec:'); "
        + "write tensors with safetensors.torch.save_file or SafeTensors.save");
    // the printable range's two ends, space (0x20) and tilde (0x7e), are text
    assertFault("a b~c d~e\n".getBytes(StandardCharsets.US_ASCII), "not a safetensors file but "
        + "text (it starts with 'a b~c d~'); write tensors with safetensors.torch.save_file or "
        + "SafeTensors.save");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                          | invalid header at byte 8: header ends early, expected '{': "
          + "the header must be a JSON object",
      "[]                          | invalid header at byte 8: expected '{': the header must "
          + "be a JSON object",
      "{'a' 1}                     | invalid header at byte 13: expected ':'",
      "{'a':                       | invalid header: tensor 'a': must be an object with dtype, "
          + "shape and data_offsets",
      "{} x                        | invalid header at byte 11: unexpected data after the "
          + "header object",
      "{'a\\q':{}}                 | invalid header at byte 11: invalid escape in a string",
      "{'\\ud800':{}}              | invalid header at byte 10: unpaired surrogate in a \\u "
          + "escape",
      "{'\\udc00x':{}}             | invalid header at byte 10: unpaired surrogate in a \\u "
          + "escape",
      "{'abc                       | invalid header at byte 13: unterminated string",
      "{'__metadata__':[]}         | invalid header: '__metadata__' must be an object of "
          + "strings",
      "{'__metadata__':{'k':1}}    | invalid header: '__metadata__' value of 'k' must be a "
          + "string",
      "{'__metadata__':{'k':'1','k':'2'}} | invalid header at byte 33: duplicate key 'k' in "
          + "'__metadata__'",
      "{'a':{'dtype':'F32','shape':[]}} | invalid header: tensor 'a': missing field "
          + "'data_offsets'",
      "{'a':{'dtype':'F32','shape':[],'data_offsets':[0,4],'x':1}} | invalid header: tensor "
          + "'a': unknown field 'x'",
      "{'a':{'dtype':'F32','dtype':'F32'}} | invalid header: tensor 'a': duplicate field "
          + "'dtype'",
      "{'a':{'dtype':4}}           | invalid header: tensor 'a': dtype must be a string",
      "{'a':{'shape':4}}           | invalid header: tensor 'a': shape must be an array of "
          + "integers",
      "{'a':{'shape':[-1]}}        | invalid header: tensor 'a': shape must not hold negative "
          + "numbers",
      "{'a':{'shape':[1.5]}}       | invalid header: tensor 'a': shape must hold integers",
      "{'a':{'shape':[1e3]}}       | invalid header: tensor 'a': shape must hold integers",
      "{'a':{'shape':[true]}}      | invalid header: tensor 'a': shape must hold integers",
      "{'a':{'shape':[01]}}        | invalid header at byte 23: a number has a leading zero",
      "{'a':{'shape':[99999999999999999999]}} | invalid header: tensor 'a': shape holds a "
          + "number too large",
      "{'a':{'shape':[1,1,1,1,1,1,1,1,1]}} | invalid header: tensor 'a': shape has more than "
          + "8 entries",
      "{'a':{'data_offsets':[0]}}  | invalid header: tensor 'a': data_offsets must be two "
          + "integers [begin, end]",
      "{'a':{'data_offsets':[0,1,2]}} | invalid header: tensor 'a': data_offsets has more "
          + "than 2 entries",
  })
  void malformedHeaders(String header, String fault) throws IOException {
    assertFault(file(header, 0), fault);
  }

  @Test
  void duplicateTensorKey() throws IOException {
    assertFault(file("{" + f32("a", "[]", 0, 4) + "," + f32("a", "[]", 4, 8) + "}", 8),
        "invalid header at byte 61: duplicate key 'a'");
  }

  @Test
  void invalidUtf8AndControlCharacters() throws IOException {
    byte[] bytes = file("{'ab':{}}", 0);
    bytes[11] = (byte) 0xC0; // an overlong encoding's lead byte
    assertFault(bytes, "invalid header at byte 11: invalid UTF-8");
    bytes[11] = (byte) 0xE2; // a three-byte sequence cut short by the quote
    assertFault(bytes, "invalid header at byte 11: invalid UTF-8");
    bytes[11] = (byte) 0xED; // would encode a surrogate: ED A0 80
    bytes[12] = (byte) 0xA0;
    bytes[13] = (byte) 0x80;
    assertFault(bytes, "invalid header at byte 11: invalid UTF-8");
    bytes = file("{'a\tb':{}}", 0);
    assertFault(bytes, "invalid header at byte 11: control character 0x9 in a string");
  }

  @Test
  void unknownAndUnsupportedDtypes() throws IOException {
    assertFault(file("{'w':{'dtype':'F99','shape':[1],'data_offsets':[0,4]}}", 4),
        "tensor 'w': unknown dtype 'F99'");
    assertFault(file("{'w':{'dtype':'BOOL','shape':[1],'data_offsets':[0,1]}}", 1),
        "tensor 'w': dtype BOOL is not supported (netspec reads F32, F16, BF16, F64 and I64)");
  }

  @Test
  void int64EntriesAreCheckedAgainstTheirEightByteElements() throws IOException {
    assertFault(file("{'n':{'dtype':'I64','shape':[3],'data_offsets':[0,16]}}", 16),
        "tensor 'n': data_offsets [0, 16) do not match shape [3] of I64 (24 bytes)");
    assertFault(file("{'n':{'dtype':'I64','shape':[],'data_offsets':[0,4]}}", 4),
        "tensor 'n': data_offsets [0, 4) do not match shape [] of I64 (8 bytes)");
    assertFault(file("{'n':{'dtype':'I64','shape':[1000000000],'data_offsets':[0,8000000000]}}",
        8), "tensor 'n': data_offsets [0, 8000000000) run past the end of the data (8 bytes "
        + "after the header; is the file truncated?)");
  }

  @Test
  void shapeThatDoesNotMatchTheBytes() throws IOException {
    assertFault(file("{" + f32("0.weight", "[8,4]", 0, 96) + "}", 96),
        "tensor '0.weight': data_offsets [0, 96) do not match shape [8, 4] of F32 (128 bytes)");
    assertFault(file("{'h':{'dtype':'F16','shape':[3],'data_offsets':[0,8]}}", 8),
        "tensor 'h': data_offsets [0, 8) do not match shape [3] of F16 (6 bytes)");
    assertFault(file("{'h':{'dtype':'F64','shape':[2147483647,2147483647,2147483647],"
        + "'data_offsets':[0,8]}}", 8), "tensor 'h': data_offsets [0, 8) do not match shape "
        + "[2147483647, 2147483647, 2147483647] of F64 (more than 2^63 bytes)");
    assertFault(file("{" + f32("empty", "[0]", 0, 4) + "}", 4),
        "tensor 'empty': data_offsets [0, 4) do not match shape [0] of F32 (0 bytes)");
    assertFault(file("{" + f32("big", "[4294967296]", 0, 8) + "}", 8), "tensor 'big': "
        + "dimension 4294967296 of shape [4294967296] is larger than a tensor dimension can be "
        + "(2147483647)");
  }

  @Test
  void offsetsOutOfRange() throws IOException {
    assertFault(file("{" + f32("a", "[100]", 0, 400) + "}", 16), "tensor 'a': data_offsets "
        + "[0, 400) run past the end of the data (16 bytes after the header; is the file "
        + "truncated?)");
    assertFault(file("{" + f32("a", "[2]", 8, 0) + "}", 8),
        "tensor 'a': data_offsets [8, 0) end before they begin");
  }

  @Test
  void overlappingGappedAndTrailingData() throws IOException {
    assertFault(file("{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 4, 12) + "}", 12),
        "tensor 'b': data_offsets [4, 12) overlap tensor 'a' [0, 8)");
    assertFault(file("{" + f32("b", "[2]", 0, 8) + "," + f32("a", "[2]", 0, 8) + "}", 8),
        "tensor 'a': data_offsets [0, 8) overlap tensor 'b' [0, 8)");
    assertFault(file("{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 12, 20) + "}", 20),
        "tensor 'b': data_offsets [12, 20) leave bytes [8, 12) of the data unused");
    assertFault(file("{" + f32("a", "[1]", 4, 8) + "}", 8),
        "tensor 'a': data_offsets [4, 8) leave bytes [0, 4) of the data unused");
    assertFault(file("{" + f32("a", "[2]", 0, 8) + "}", 12),
        "the file has 4 bytes after the last tensor's data");
    assertFault(file("{}", 3), "the file has 3 bytes after the last tensor's data");
  }

  @Test
  void truncatedFile() throws IOException {
    byte[] whole = SafeTensors.serialize(Map.of("w", Tensor.ones(4, 4)),
        Map.of());
    assertFault(Arrays.copyOf(whole, whole.length - 1), "tensor 'w': data_offsets [0, 64) run "
        + "past the end of the data (63 bytes after the header; is the file truncated?)");
  }

  @Test
  void tensorTooLargeForAnArrayIsRefusedWithoutReadingIt() throws IOException {
    byte[] header = file("{" + f32("w", "[2147483647,2]", 0, 17179869176L) + "}", 0);
    long fakeSize = header.length + 17179869176L;
    SafeTensorsReader.ByteSource huge = new SafeTensorsReader.ByteSource() {
      @Override
      public long size() {
        return fakeSize;
      }

      @Override
      public void readFully(long position, ByteBuffer dst) throws IOException {
        if (position + dst.remaining() > header.length) {
          throw new EOFException("the test source holds only the header");
        }
        dst.put(header, (int) position, dst.remaining());
      }
    };
    SafeTensorsException e = assertThrows(SafeTensorsException.class,
        () -> SafeTensorsReader.read(huge, "huge.safetensors"));
    assertEquals("huge.safetensors: tensor 'w': shape [2147483647, 2] has 4294967294 elements, "
        + "more than a tensor can hold", e.getMessage());
  }

  /**
   * A tensor of exactly 2^31 - 9 elements (the largest array the JVM reliably allocates) passes
   * the element limit: the file is refused for the gap after it, found before anything is read.
   */
  @Test
  void theLargestTensorPassesTheElementLimit() throws IOException {
    long end = 2 * 2147483639L;
    byte[] header = file("{'w':{'dtype':'F16','shape':[2147483639],'data_offsets':[0," + end
        + "]}," + f32("x", "[1]", end + 4, end + 8) + "}", 0);
    long fakeSize = header.length + end + 8;
    SafeTensorsReader.ByteSource huge = new SafeTensorsReader.ByteSource() {
      @Override
      public long size() {
        return fakeSize;
      }

      @Override
      public void readFully(long position, ByteBuffer dst) throws IOException {
        if (position + dst.remaining() > header.length) {
          throw new EOFException("the test source holds only the header");
        }
        dst.put(header, (int) position, dst.remaining());
      }
    };
    SafeTensorsException e = assertThrows(SafeTensorsException.class,
        () -> SafeTensorsReader.read(huge, "huge.safetensors"));
    assertEquals("huge.safetensors: tensor 'x': data_offsets [4294967282, 4294967286) leave "
        + "bytes [4294967278, 4294967282) of the data unused", e.getMessage());
  }

  @Test
  void missingFileAndDirectory() {
    Path missing = dir.resolve("nope.safetensors");
    SafeTensorsException e =
        assertThrows(SafeTensorsException.class, () -> SafeTensors.load(missing));
    assertEquals(missing + ": cannot read: no such file or directory", e.getMessage());
    SafeTensorsException d = assertThrows(SafeTensorsException.class, () -> SafeTensors.load(dir));
    assertTrue(d.getMessage().startsWith(dir + ": cannot read: "), d.getMessage());
  }

  /**
   * The operating system's reason, in its own words (Linux's strerror texts: ENOTDIR,
   * EISDIR), after "cannot read:" or "cannot write:".
   */
  @Test
  void theSystemsReasonNamesWhatIsWrong() throws IOException {
    assumeTrue(System.getProperty("os.name").equals("Linux"), "Linux's error texts");
    Path file = Files.writeString(dir.resolve("plain.txt"), "x");
    Path under = file.resolve("w.safetensors");
    SafeTensorsException notDir =
        assertThrows(SafeTensorsException.class, () -> SafeTensors.load(under));
    assertEquals(under + ": cannot read: Not a directory", notDir.getMessage());
    SafeTensorsException isDir =
        assertThrows(SafeTensorsException.class, () -> SafeTensors.load(dir));
    assertEquals(dir + ": cannot read: Is a directory", isDir.getMessage());
    SafeTensorsException write = assertThrows(SafeTensorsException.class,
        () -> SafeTensors.saveTensor(Tensor.ones(1), under));
    assertEquals(under + ": cannot write: Not a directory", write.getMessage());
  }

  @Test
  void anUnreadableFileIsPermissionDenied() throws IOException {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path locked = Files.write(dir.resolve("locked.safetensors"),
        SafeTensors.serialize(Map.of("x", Tensor.ones(1)), Map.of()));
    Files.setPosixFilePermissions(locked, Set.of());
    assumeFalse(Files.isReadable(locked), "root reads any file");
    SafeTensorsException denied =
        assertThrows(SafeTensorsException.class, () -> SafeTensors.load(locked));
    assertEquals(locked + ": cannot read: permission denied", denied.getMessage());
  }

  @Test
  void badFileLeavesTheModuleUnchanged() throws IOException {
    Module net = new Fixtures.Seq(new Fixtures.Lin(2, 1));
    net.getParameter("0.bias").data().fill_(7f);
    Path path = dir.resolve("bad.safetensors");
    byte[] good = SafeTensors.serialize(Map.of("0.bias", Tensor.of(1f),
        "0.weight", Tensor.of(new float[][] {{2f, 3f}})), Map.of());
    Files.write(path, Arrays.copyOf(good, good.length - 2));
    assertThrows(SafeTensorsException.class, () -> SafeTensors.loadStateDict(net, path, true));
    assertEquals(7f, net.getParameter("0.bias").data().item());
  }

  @Test
  void listAndSingleTensorShapesAreChecked() throws IOException {
    Path path = dir.resolve("dict.safetensors");
    SafeTensors.save(Map.of("x", Tensor.zeros(1), "y", Tensor.zeros(1)), path);
    SafeTensorsException one =
        assertThrows(SafeTensorsException.class, () -> SafeTensors.loadTensor(path));
    assertEquals(path + ": expected one tensor, found 2 [x, y]", one.getMessage());
    SafeTensorsException list =
        assertThrows(SafeTensorsException.class, () -> SafeTensors.loadList(path));
    assertEquals(path + ": not a tensor list: key 'x' is not an index from 0 to 1",
        list.getMessage());
    SafeTensors.save(Map.of("0", Tensor.zeros(1), "01", Tensor.zeros(1)), path);
    assertThrows(SafeTensorsException.class, () -> SafeTensors.loadList(path));
    SafeTensors.save(Map.of("0", Tensor.zeros(1), "2", Tensor.zeros(1)), path);
    assertThrows(SafeTensorsException.class, () -> SafeTensors.loadList(path));
  }

  /**
   * Seeded random mutations of a valid multi-dtype file: every outcome is a clean load or a
   * SafeTensorsException, never another exception. (A stand-in for the future Jazzer target.)
   */
  @Test
  void randomMutationsNeverEscapeAsOtherExceptions() {
    byte[] valid = Fixtures.bytes("dtypes.safetensors");
    Random random = new Random(20261127);
    int refused = 0;
    for (int round = 0; round < 3000; round++) {
      byte[] bytes = mutate(valid, random);
      try {
        SafeTensors.parse(ByteBuffer.wrap(bytes), "mutant");
      } catch (SafeTensorsException expected) {
        refused++;
      } catch (RuntimeException | Error e) {
        fail("round " + round + ": " + e + " for " + Arrays.toString(bytes), e);
      }
    }
    assertTrue(refused > 1000, "most mutants are refused: " + refused);
  }

  private static byte[] mutate(byte[] valid, Random random) {
    byte[] bytes = valid.clone();
    switch (random.nextInt(4)) {
      case 0 -> {
        for (int i = random.nextInt(4); i >= 0; i--) {
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
      }
      case 1 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
      case 2 -> { // one header character replaced by a JSON-significant one
        String significant = "{}[],:\"\\0-9e. u";
        bytes[8 + random.nextInt(bytes.length - 8)] =
            (byte) significant.charAt(random.nextInt(significant.length()));
      }
      default -> ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)
          .putLong(0, random.nextInt(1 << 12));
    }
    return bytes;
  }
}
