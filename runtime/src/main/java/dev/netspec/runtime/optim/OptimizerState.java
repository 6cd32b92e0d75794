package dev.netspec.runtime.optim;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's {@code state_dict()} in a form a safetensors checkpoint holds: {@code
 * tensors} are the per-parameter buffers and step counts, {@code state.<i>.<name>} with
 * {@code i} the parameter's index over all groups in order (as in PyTorch); {@code metadata}
 * holds the optimizer's name and every group's options as strings ({@code
 * param_groups.<g>.<option>}; doubles printed so they read back exactly).
 */
public record OptimizerState(Map<String, Tensor> tensors, Map<String, String> metadata) {
  /** Copies both maps (read-only, in order). */
  public OptimizerState {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }
}
