package dev.netspec.runtime.io;

import dev.netspec.runtime.tensor.DType;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The element types of a safetensors file that netspec reads, with their names in the header,
 * the tensor type each loads as, and little-endian decoders: the float types load as float32,
 * {@link #I64} as int64. {@link #F32} and {@link #I64} are written.
 */
enum FileDType {
  F16(2, DType.FLOAT32),
  BF16(2, DType.FLOAT32),
  F32(4, DType.FLOAT32),
  F64(8, DType.FLOAT32),
  I64(8, DType.INT64);

  /** Types the safetensors format defines that netspec cannot turn into float32 tensors. */
  private static final Set<String> UNSUPPORTED = Set.of("BOOL", "U8", "I8", "I16", "U16",
      "I32", "U32", "U64", "C64", "F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3",
      "F8_E8M0");

  /** Bytes per element. */
  final int size;
  /** The type of the tensor an entry of this type loads as. */
  final DType tensorType;

  FileDType(int size, DType tensorType) {
    this.size = size;
    this.tensorType = tensorType;
  }

  /** The type a tensor of {@code type} is written as: F32 or I64. */
  static FileDType of(DType type) {
    return type == DType.INT64 ? I64 : F32;
  }

  /** The type named {@code name} in a header, or null when the format has no such type. */
  static FileDType byName(String name) {
    for (FileDType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** Whether {@code name} is a safetensors type that netspec does not read. */
  static boolean isUnsupported(String name) {
    return UNSUPPORTED.contains(name);
  }

  /**
   * Decodes {@code count} elements from {@code src} (little-endian order set, positioned at
   * the first element) into {@code dst[from ...]}, advancing {@code src} past them.
   */
  void decode(ByteBuffer src, float[] dst, int from, int count) {
    if (tensorType != DType.FLOAT32) {
      throw new IllegalStateException(this + " does not decode to float32");
    }
    int end = from + count;
    switch (this) {
      case F32 -> {
        src.asFloatBuffer().get(dst, from, count);
        src.position(src.position() + count * size);
      }
      case F64 -> {
        for (int i = from; i < end; i++) {
          dst[i] = (float) src.getDouble();
        }
      }
      case F16 -> {
        for (int i = from; i < end; i++) {
          dst[i] = halfToFloat(src.getShort());
        }
      }
      case BF16 -> {
        for (int i = from; i < end; i++) {
          dst[i] = bfloat16ToFloat(src.getShort());
        }
      }
      default -> throw new AssertionError(this);
    }
  }

  /** Decodes {@code count} I64 elements into {@code dst[from ...]}, as {@link #decode}. */
  void decodeLongs(ByteBuffer src, long[] dst, int from, int count) {
    if (this != I64) {
      throw new IllegalStateException(this + " does not decode to int64");
    }
    src.asLongBuffer().get(dst, from, count);
    src.position(src.position() + count * size);
  }

  /**
   * IEEE 754 binary16 to float32, exactly ({@code Float.float16ToFloat} is JDK 20+). A NaN
   * keeps its sign and payload and comes back quiet, as the x86 conversion PyTorch uses.
   */
  static float halfToFloat(short bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1F;
    int mantissa = bits & 0x3FF;
    if (exponent == 0x1F) {
      int nan = mantissa == 0 ? 0 : 0x0040_0000 | mantissa << 13;
      return Float.intBitsToFloat(sign | 0x7F80_0000 | nan);
    }
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f; // zero or subnormal: exact in float32
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | (exponent + 127 - 15) << 23 | mantissa << 13);
  }

  /** bfloat16 to float32: the upper half of the float32 bits, so exact for every value. */
  static float bfloat16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }
}
