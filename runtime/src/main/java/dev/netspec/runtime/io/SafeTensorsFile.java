package dev.netspec.runtime.io;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The contents of a safetensors file: its tensors, converted to float32, in the order of
 * their data in the file (for files written by PyTorch or netspec, sorted by name), and its
 * {@code __metadata__} strings (empty when the file has none). Both maps are unmodifiable.
 *
 * @param tensors the tensors by name
 * @param metadata the file's free-form string metadata
 */
public record SafeTensorsFile(Map<String, Tensor> tensors, Map<String, String> metadata) {

  /** Copies both maps, keeping their order. */
  public SafeTensorsFile {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
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
