package dev.netspec.runtime.io;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A parsed safetensors header: the tensor entries in header order and the
 * {@code __metadata__} strings (empty when absent). Nothing here is validated against the
 * data yet.
 */
record Header(List<Entry> tensors, Map<String, String> metadata) {

  /** One tensor's header entry: {@code name: {"dtype", "shape", "data_offsets": [begin, end]}}. */
  record Entry(String name, String dtype, long[] shape, long begin, long end) {
    /** Describes the offsets as the messages do: {@code [0, 96)}. */
    String offsets() {
      return "[" + begin + ", " + end + ")";
    }

    String shapeText() {
      return Arrays.toString(shape);
    }
  }
}
