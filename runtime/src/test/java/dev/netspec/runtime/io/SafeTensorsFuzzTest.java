package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Any bytes given to the safetensors reader give either one {@link SafeTensorsException} or a
 * file whose tensors the bytes really hold: no other exception, and no allocation beyond what
 * the input's size justifies (a header claiming 2^40 elements must not make us allocate them).
 *
 * <p>A plain build replays the committed inputs under
 * {@code src/test/resources/dev/netspec/runtime/io/SafeTensorsFuzzTestInputs/parse/};
 * {@code tools/fuzz.sh safetensors SECONDS} fuzzes for longer, on a small heap.
 */
class SafeTensorsFuzzTest {
  /** Bytes per element in the file, from the safetensors format (not from our reader). */
  private static final Map<String, Integer> FILE_BYTES =
      Map.of("F32", 4, "F16", 2, "BF16", 2, "F64", 8, "I64", 8);

  @FuzzTest
  void parse(byte[] bytes) {
    SafeTensorsFile file;
    try {
      file = SafeTensors.parse(ByteBuffer.wrap(bytes), "fuzz");
    } catch (SafeTensorsException e) {
      assertTrue(e.getMessage().startsWith("fuzz: "), e.getMessage());
      assertFalse(e.fault().isBlank());
      return;
    }
    long dataBytes = 0;
    for (Map.Entry<String, Tensor> t : file.tensors().entrySet()) {
      String dtype = file.dtypes().get(t.getKey());
      Integer width = FILE_BYTES.get(dtype);
      assertTrue(width != null, "unexpected dtype " + dtype);
      long numel = 1;
      for (int d : t.getValue().shape()) {
        assertTrue(d >= 0, "negative dimension");
        numel = Math.multiplyExact(numel, d);
      }
      assertEquals(numel, t.getValue().numel());
      dataBytes += numel * width;
    }
    assertTrue(dataBytes <= bytes.length,
        "tensors of " + dataBytes + " bytes from an input of " + bytes.length);
  }
}
