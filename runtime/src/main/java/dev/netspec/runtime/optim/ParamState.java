package dev.netspec.runtime.optim;

import dev.netspec.runtime.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** An optimizer's state for one parameter ({@code optimizer.state[p]}): its step count and buffers. */
final class ParamState {
  long step;
  final Map<String, Tensor> buffers = new LinkedHashMap<>();

  /** The buffer {@code name}, created as zeros of {@code shape} at the first call. */
  float[] buffer(String name, int[] shape) {
    return buffers.computeIfAbsent(name, k -> Tensor.zeros(shape)).array();
  }

  boolean has(String name) {
    return buffers.containsKey(name);
  }
}
