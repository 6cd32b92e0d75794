package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The header reader accepts what JSON and UTF-8 allow, not only what our writer and PyTorch's
 * emit: whitespace between any two tokens (other writers indent, and safetensors pads the
 * header with spaces), and exactly the byte sequences the JDK's strict UTF-8 decoder accepts.
 */
class HeaderSyntaxTest {
  /** A file: the header bytes as given, then {@code data} as little-endian floats. */
  private static ByteBuffer file(byte[] header, float... data) {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + 4 * data.length)
        .order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header);
    for (float f : data) {
      b.putFloat(f);
    }
    return b.flip();
  }

  private static ByteBuffer file(String header, float... data) {
    return file(header.replace('\'', '"').getBytes(StandardCharsets.UTF_8), data);
  }

  @Test
  void whitespaceBetweenAnyTwoTokens() throws SafeTensorsException {
    String header = " \n\t{ 'a b' : { 'dtype' : 'F32' , 'shape' : [ 2 ] , 'data_offsets' : [ 0 ,"
        + " 8 ] } ,\r\n '__metadata__' : { 'k' : 'v' , 'j' : 'w' } , 's' : {\n 'dtype' :"
        + " 'F32', 'shape' : [ ] , 'data_offsets' : [ 8 , 12 ] } }    ";
    SafeTensorsFile f = SafeTensors.parse(file(header, 1.5f, -2f, 7f), "spaced");
    assertArrayEquals(new float[] {1.5f, -2f}, f.tensor("a b").toFloatArray());
    assertArrayEquals(new int[] {2}, f.tensor("a b").shape());
    assertEquals(7f, f.tensor("s").item());
    assertEquals(0, f.tensor("s").dim());
    assertEquals(Map.of("k", "v", "j", "w"), f.metadata());
    SafeTensorsFile empty = SafeTensors.parse(file("{ '__metadata__' : { } }"), "empty");
    assertEquals(Map.of(), empty.metadata());
    assertEquals(Map.of(), SafeTensors.parse(file("{'__metadata__':null}"), "n").metadata());
  }

  @Test
  void escapesResolveAsInJson() throws SafeTensorsException {
    // JSON: \u0041 is 'A', \u00e9 is 'é', a surrogate pair is one code point.
    String header = "{'\\u0041\\u00e9\\ud83d\\ude00\\/\\t':{'dtype':'F32','shape':[0],"
        + "'data_offsets':[0,0]}}";
    SafeTensorsFile f = SafeTensors.parse(file(header), "escapes");
    assertEquals("A\u00e9\ud83d\ude00/\t", f.tensors().keySet().iterator().next());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // the header ends inside a \\u escape, right after one, inside an escape, inside null
      "{'\\u00        | invalid header at byte 12: truncated \\u escape",
      "{'\\u0041      | invalid header at byte 16: unterminated string",
      "{'\\           | invalid header at byte 10: invalid escape in a string",
      "{'__metadata__':nul | invalid header: '__metadata__' must be an object of strings",
      "{'__metadata__':null | invalid header at byte 28: header ends early, expected ',' or '}'",
  })
  void headersThatEndEarly(String header, String fault) {
    SafeTensorsException e = assertThrows(SafeTensorsException.class,
        () -> SafeTensors.parse(file(header), "cut"));
    assertEquals("cut: " + fault, e.getMessage());
  }

  /** Strict UTF-8, as the JDK decodes it with errors reported: the oracle. */
  private static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  @Test
  void tensorNamesAreStrictUtf8() {
    // Both sides of every boundary: lead bytes, overlong forms, surrogates, the last code point.
    int[][] sequences = {
        {0x7F}, {0x80}, {0xBF}, {0xC0, 0x80}, {0xC1, 0xBF}, {0xC2, 0x80}, {0xDF, 0xBF},
        {0xC2, 0xC0}, {0xC2, 0x7F}, {0xE0, 0x9F, 0xBF}, {0xE0, 0xA0, 0x80}, {0xE1, 0x80, 0x80},
        {0xEC, 0xBF, 0xBF}, {0xED, 0x9F, 0xBF}, {0xED, 0xA0, 0x80}, {0xED, 0xBF, 0xBF},
        {0xEE, 0x80, 0x80}, {0xEF, 0xBF, 0xBF}, {0xE0, 0xA0}, {0xF0, 0x8F, 0xBF, 0xBF},
        {0xF0, 0x90, 0x80, 0x80}, {0xF1, 0x80, 0x80, 0x80}, {0xF4, 0x8F, 0xBF, 0xBF},
        {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xF0, 0x90, 0x80}, {0xFE}, {0xFF},
    };
    for (int[] sequence : sequences) {
      byte[] name = new byte[sequence.length];
      for (int i = 0; i < name.length; i++) {
        name[i] = (byte) sequence[i];
      }
      ByteBuffer header = ByteBuffer.allocate(200);
      header.put("{\"".getBytes(StandardCharsets.US_ASCII)).put(name).put(
          "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}"
              .getBytes(StandardCharsets.US_ASCII));
      byte[] bytes = new byte[header.position()];
      header.flip().get(bytes);
      String expected = strictUtf8(name);
      String what = java.util.Arrays.toString(sequence);
      if (expected == null) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
            () -> SafeTensors.parse(file(bytes), "utf8"), what);
        assertEquals("utf8: invalid header at byte 10: invalid UTF-8", e.getMessage(), what);
      } else {
        try {
          assertEquals(expected,
              SafeTensors.parse(file(bytes), "utf8").tensors().keySet().iterator().next(), what);
        } catch (SafeTensorsException e) {
          throw new AssertionError(what + ": " + e.getMessage(), e);
        }
      }
    }
    assertEquals(null, strictUtf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
        "the oracle refuses an encoded surrogate");
    assertEquals("\uDBFF\uDFFF", CharBuffer.wrap(strictUtf8(
        new byte[] {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF})).toString());
  }
}
