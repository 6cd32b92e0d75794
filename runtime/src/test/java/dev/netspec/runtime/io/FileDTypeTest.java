package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Conversions checked exhaustively against the definitions of the formats (PyTorch's values
 * for the special cases are checked by {@link PyTorchFixturesTest} on dtypes.safetensors).
 */
class FileDTypeTest {

  /** binary16: (-1)^s * 2^(e-15) * (1 + m/1024), or 2^-14 * m/1024 for e = 0. */
  private static double halfByDefinition(int bits) {
    int s = bits >>> 15 & 1;
    int e = bits >>> 10 & 0x1F;
    int m = bits & 0x3FF;
    double magnitude = e == 0 ? Math.scalb(m / 1024.0, -14) : Math.scalb(1 + m / 1024.0, e - 15);
    return s == 1 ? -magnitude : magnitude;
  }

  @Test
  void everyHalfConvertsExactly() {
    for (int bits = 0; bits < 1 << 16; bits++) {
      float f = FileDType.halfToFloat((short) bits);
      int exponent = bits >>> 10 & 0x1F;
      int mantissa = bits & 0x3FF;
      String what = "half 0x" + Integer.toHexString(bits);
      if (exponent == 0x1F && mantissa != 0) {
        assertTrue(Float.isNaN(f), what);
        int out = Float.floatToRawIntBits(f);
        assertEquals(bits >>> 15, out >>> 31, what + " keeps the sign");
        assertEquals(mantissa | 0x200, (out >>> 13) & 0x3FF, what + " keeps the payload, quiet");
      } else if (exponent == 0x1F) {
        assertEquals((bits & 0x8000) == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY, f,
            what);
      } else {
        double expected = halfByDefinition(bits);
        assertEquals(expected, f, 0.0, what);
        assertEquals(bits >>> 15, Float.floatToRawIntBits(f) >>> 31, what + " sign (of zero)");
      }
    }
  }

  /** On JDK 20+, the JDK's own conversion agrees on every non-NaN value (skipped on 17). */
  @Test
  void agreesWithTheJdkWhereItHasFloat16() throws Throwable {
    MethodHandle jdk;
    try {
      jdk = MethodHandles.publicLookup().findStatic(Float.class, "float16ToFloat",
          MethodType.methodType(float.class, short.class));
    } catch (NoSuchMethodException absent) {
      Assumptions.abort("Float.float16ToFloat needs JDK 20+");
      return;
    }
    for (int bits = 0; bits < 1 << 16; bits++) {
      float expected = (float) jdk.invokeExact((short) bits);
      float actual = FileDType.halfToFloat((short) bits);
      if (!Float.isNaN(expected)) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
            "half 0x" + Integer.toHexString(bits));
      } else {
        assertTrue(Float.isNaN(actual));
      }
    }
  }

  @Test
  void everyBfloat16IsTheTopHalfOfAFloat() {
    for (int bits = 0; bits < 1 << 16; bits++) {
      float f = FileDType.bfloat16ToFloat((short) bits);
      assertEquals(bits << 16, Float.floatToRawIntBits(f), "bf16 0x" + Integer.toHexString(bits));
    }
  }

  @Test
  void decodeReadsLittleEndianAcrossAllTypes() {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + 2 + 2).order(ByteOrder.LITTLE_ENDIAN);
    b.putDouble(-0.1).putFloat(2.5f).putShort((short) 0x3C00).putShort((short) 0xC000).flip();
    float[] out = new float[5];
    FileDType.F64.decode(b, out, 0, 1);
    FileDType.F32.decode(b, out, 1, 1);
    FileDType.F16.decode(b, out, 2, 1);
    FileDType.BF16.decode(b, out, 3, 1);
    assertEquals(-0.1f, out[0]);
    assertEquals(2.5f, out[1]);
    assertEquals(1f, out[2]);
    assertEquals(-2f, out[3]);
    assertEquals(0f, out[4]);
    assertEquals(16, b.position());
  }

  @Test
  void namesMatchTheFormat() {
    assertEquals(FileDType.BF16, FileDType.byName("BF16"));
    assertEquals(null, FileDType.byName("bf16"));
    assertEquals(FileDType.I64, FileDType.byName("I64"));
    assertTrue(FileDType.isUnsupported("BOOL") && FileDType.isUnsupported("I32"));
    assertTrue(!FileDType.isUnsupported("F99"));
  }
}
