package dev.netspec.runtime.io;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The contents of a safetensors file: its tensors (the float types converted to float32, I64
 * as int64), in the order of their data in the file (for files written by PyTorch or netspec,
 * sorted by name), and its {@code __metadata__} strings (empty when the file has none), and
 * the dtype each tensor had in the file. The maps are unmodifiable.
 *
 * @param tensors the tensors by name
 * @param metadata the file's free-form string metadata
 * @param dtypes each tensor's dtype in the file, before any conversion to float32: {@code F32},
 *     {@code F16}, {@code BF16}, {@code F64} or {@code I64}; in the order of {@code tensors}
 */
public record SafeTensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata,
    Map<String, String> dtypes) {

  /** Copies the maps, keeping their order. */
  public SafeTensorsFile {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    dtypes = Collections.unmodifiableMap(new LinkedHashMap<>(dtypes));
  }

  /**
   * The tensor named {@code name}.
   *
   * @throws NoSuchElementException naming the keys the file has, if it has no such tensor
   */
  public Tensor tensor(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new NoSuchElementException(
          "no tensor named '" + name + "'; the file has " + tensors.keySet());
    }
    return t;
  }
}
