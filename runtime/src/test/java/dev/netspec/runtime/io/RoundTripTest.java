package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What netspec writes, netspec reads back unchanged; header layout checked by hand. */
class RoundTripTest {
  @TempDir Path dir;

  @Test
  void emptyFileIsTheReferenceWritersBytes() {
    // safetensors' own test_empty: {} padded to 8 bytes with spaces
    assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '},
        SafeTensors.serialize(Map.of(), Map.of()));
    byte[] withMeta = SafeTensors.serialize(Map.of(), Map.of("framework", "pt"));
    assertEquals("{\"__metadata__\":{\"framework\":\"pt\"}}     ",
        new String(withMeta, 8, withMeta.length - 8, StandardCharsets.UTF_8));
    assertEquals(40, withMeta[0]);
  }

  @Test
  void headerIsCompactSortedByCodePointAndPadded() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("\uD83D\uDE00", Tensor.scalar(1f)); // U+1F600: after U+FF01 in code point order
    tensors.put("\uFF01", Tensor.scalar(2f));
    tensors.put("b", Tensor.zeros(0, 3));
    tensors.put("a\"\\\n\u0001", Tensor.of(1f, 2f));
    byte[] bytes = SafeTensors.serialize(tensors, Map.of());
    int length = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    assertEquals(bytes.length - 8 - 16, length, "header length; then 4 floats of data");
    assertEquals(0, length % 8, "header padded to 8 bytes");
    String header = new String(bytes, 8, length, StandardCharsets.UTF_8);
    assertEquals("{\"a\\\"\\\\\\n\\u0001\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":"
        + "[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]},"
        + "\"\uFF01\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]},"
        + "\"\uD83D\uDE00\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]}}",
        header.stripTrailing());
  }

  /**
   * A key that is a prefix of another sorts first, as Python's {@code sorted} (code points)
   * has it: {@code sorted(["ab", "b", "a.b", "a"]) == ["a", "a.b", "ab", "b"]}.
   */
  @Test
  void aPrefixSortsBeforeTheKeysItStarts() {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (String key : List.of("ab", "b", "a.b", "a")) {
      tensors.put(key, Tensor.zeros(0));
    }
    byte[] bytes = SafeTensors.serialize(tensors, Map.of());
    String header = new String(bytes, 8, bytes.length - 8, StandardCharsets.UTF_8).strip();
    String entry = ":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}";
    assertEquals("{\"a\"" + entry + ",\"a.b\"" + entry + ",\"ab\"" + entry + ",\"b\"" + entry
        + "}", header);
    assertTrue(SafeTensorsWriter.CODE_POINT_ORDER.compare("a", "ab") < 0);
    assertTrue(SafeTensorsWriter.CODE_POINT_ORDER.compare("ab", "a") > 0);
    assertEquals(0, SafeTensorsWriter.CODE_POINT_ORDER.compare("ab", "ab"));
    assertEquals(0, SafeTensorsWriter.CODE_POINT_ORDER.compare("", ""));
  }

  /**
   * int64 tensors of more than one write buffer (8,192 longs) and int64 views that start
   * inside their array come back with their values: 3i - 7 for i below 20,000, and rows 2 to
   * 3 of a 5 x 3 matrix of 10 + i.
   */
  @Test
  void int64ViewsAndLargeTensorsRoundTrip() throws IOException {
    long[] large = new long[20_000];
    for (int i = 0; i < large.length; i++) {
      large[i] = 3L * i - 7;
    }
    long[] matrix = new long[15];
    for (int i = 0; i < matrix.length; i++) {
      matrix[i] = 10 + i;
    }
    Tensor rows = Tensor.ofLongs(matrix, 5, 3).narrow(0, 2, 2);
    assertTrue(rows.isContiguous() && rows.arrayOffset() == 6, "a dense view inside its array");
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("large", Tensor.ofLongs(large, 20_000));
    tensors.put("rows", rows);
    Path path = dir.resolve("ids.safetensors");
    SafeTensors.save(tensors, Map.of(), path);
    for (SafeTensorsFile f : List.of(SafeTensors.load(path),
        SafeTensors.parse(ByteBuffer.wrap(SafeTensors.serialize(tensors, Map.of())), "ids"))) {
      assertArrayEquals(large, f.tensor("large").toLongArray());
      assertArrayEquals(new long[] {16, 17, 18, 19, 20, 21}, f.tensor("rows").toLongArray());
      assertArrayEquals(new int[] {2, 3}, f.tensor("rows").shape());
    }
    assertEquals(8 * (20_000 + 6), Files.size(path) - 8
        - ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
  }

  @Test
  void viewsScalarsEmptiesAndSpecialValuesRoundTrip() throws IOException {
    Generator gen = new Generator(42);
    Tensor matrix = Tensor.randn(gen, 5, 7);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("transposed", matrix.transpose(0, 1));
    tensors.put("row", matrix.select(0, 3));
    tensors.put("scalar", Tensor.scalar(-0f));
    tensors.put("empty", Tensor.zeros(0));
    tensors.put("special", Tensor.of(Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE,
        -Float.MAX_VALUE));
    tensors.put("large", Tensor.randn(gen, 3, 10_000)); // more than one write chunk
    Map<String, String> metadata = Map.of("format", "pt", "", "empty key", "uni", "\u00e9\u2603");
    Path path = dir.resolve("all.safetensors");
    SafeTensors.save(tensors, metadata, path);
    SafeTensorsFile back = SafeTensors.load(path);
    assertEquals(metadata, back.metadata());
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = back.tensor(e.getKey());
      assertArrayEquals(e.getValue().shape(), t.shape(), e.getKey());
      assertArrayEquals(bits(e.getValue()), bits(t), e.getKey());
    }
    assertArrayEquals(Files.readAllBytes(path), SafeTensors.serialize(tensors, metadata));
  }

  /** Valid JSON the reference accepts that neither PyTorch nor netspec writes. */
  @Test
  void readsAnyValidLayoutOfTheHeader() throws IOException {
    String header = " \n{ \"__metadata__\" : null ,\r\n"
        + "\"b\\/\\u00e9\\ud83d\\ude00\":{\"data_offsets\":[ 4 , 8 ],\"shape\":[],"
        + "\"dtype\":\"F32\"},\t\"a\":{\"shape\":[1],\"dtype\":\"F32\","
        + "\"data_offsets\":[0,4]} }";
    byte[] text = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer file = ByteBuffer.allocate(8 + text.length + 8).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(text.length).put(text).putFloat(1f).putFloat(2f).flip();
    SafeTensorsFile parsed = SafeTensors.parse(file, "layout");
    assertEquals(Map.of(), parsed.metadata());
    assertEquals(List.of("a", "b/\u00e9\uD83D\uDE00"), List.copyOf(parsed.tensors().keySet()),
        "names unescaped, in data order");
    assertEquals(2f, parsed.tensor("b/\u00e9\uD83D\uDE00").item());
    assertArrayEquals(new int[] {1}, parsed.tensor("a").shape());
  }

  /** Every dtype read across several 64 KiB read chunks, from a file and from a buffer. */
  @Test
  void largeTensorsOfEveryDtypeReadAcrossChunks() throws IOException {
    int n = 70_007; // 7 * 10001: 3 to 9 chunks, depending on the element size, ragged tail
    String header = "{\"bf16\":{\"dtype\":\"BF16\",\"shape\":[" + n + "],\"data_offsets\":[0,"
        + 2 * n + "]},\"f16\":{\"dtype\":\"F16\",\"shape\":[" + n + "],\"data_offsets\":["
        + 2 * n + "," + 4 * n + "]},\"f64\":{\"dtype\":\"F64\",\"shape\":[7," + n / 7
        + "],\"data_offsets\":[" + 4 * n + "," + 12 * n + "]}}";
    byte[] text = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer file = ByteBuffer.allocate(8 + text.length + 12 * n)
        .order(ByteOrder.LITTLE_ENDIAN).putLong(text.length).put(text);
    for (int i = 0; i < n; i++) {
      file.putShort((short) (i * 7));
    }
    for (int i = 0; i < n; i++) {
      file.putShort((short) (i * 3));
    }
    for (int i = 0; i < n; i++) {
      file.putDouble(i / 3.0);
    }
    Path path = dir.resolve("chunks.safetensors");
    Files.write(path, file.array());
    for (SafeTensorsFile f : List.of(SafeTensors.load(path),
        SafeTensors.parse(ByteBuffer.wrap(file.array()), "chunks"))) {
      float[] bf16 = f.tensor("bf16").toFloatArray();
      float[] f16 = f.tensor("f16").toFloatArray();
      float[] f64 = f.tensor("f64").toFloatArray();
      for (int i = 0; i < n; i++) {
        assertEquals((i * 7 & 0xFFFF) << 16, Float.floatToRawIntBits(bf16[i]), "bf16 " + i);
        assertEquals(Float.floatToRawIntBits(FileDType.halfToFloat((short) (i * 3))),
            Float.floatToRawIntBits(f16[i]), "f16 " + i);
        assertEquals((float) (i / 3.0), f64[i], "f64 " + i);
      }
      assertArrayEquals(new int[] {7, n / 7}, f.tensor("f64").shape());
    }
  }

  @Test
  void parseReadsFromPositionToLimitAndLeavesTheBuffer() throws IOException {
    byte[] file = SafeTensors.serialize(Map.of("w", Tensor.of(1f, 2f)), Map.of());
    byte[] padded = new byte[file.length + 10];
    System.arraycopy(file, 0, padded, 3, file.length);
    ByteBuffer buffer = ByteBuffer.wrap(padded, 3, file.length);
    SafeTensorsFile parsed = SafeTensors.parse(buffer, "mem");
    assertTrue(Tensor.of(1f, 2f).contentEquals(parsed.tensor("w")));
    assertEquals(3, buffer.position());
    assertEquals(3 + file.length, buffer.limit());
  }

  @Test
  void listOfTwelveKeepsIndexOrder() throws IOException {
    List<Tensor> list = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      list.add(Tensor.full(i, 1));
    }
    Path path = dir.resolve("list");
    SafeTensors.saveList(list, path);
    List<Tensor> back = SafeTensors.loadList(path);
    for (int i = 0; i < 12; i++) {
      assertEquals(i, back.get(i).item());
    }
    assertEquals("x", SafeTensors.TENSOR_KEY);
    SafeTensors.saveTensor(Tensor.scalar(3f), path);
    assertEquals(List.of("x"), List.copyOf(SafeTensors.load(path).tensors().keySet()));
    assertEquals(3f, SafeTensors.loadTensor(path).item());
  }

  private static int[] bits(Tensor t) {
    float[] v = t.toFloatArray();
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }
}
