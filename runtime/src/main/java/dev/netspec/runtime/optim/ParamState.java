package dev.netspec.runtime.optim;

import dev.netspec.runtime.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** An optimizer's state for one parameter ({@code optimizer.state[p]}): its step count and buffers. */
final class ParamState {
  long step;
  final Map<String, Tensor> buffers = new LinkedHashMap<>();

  /**
   * The buffer {@code name}, created as zeros of {@code param}'s shape at the first call;
   * allocation-free after that (an optimizer step allocates nothing once warm).
   */
  float[] buffer(String name, Tensor param) {
    Tensor b = buffers.get(name);
    if (b == null) {
      b = Tensor.zeros(param.shape());
      buffers.put(name, b);
    }
    return b.array();
  }

  boolean has(String name) {
    return buffers.containsKey(name);
  }
}
