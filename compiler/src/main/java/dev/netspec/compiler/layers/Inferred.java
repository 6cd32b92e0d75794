package dev.netspec.compiler.layers;

import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a layer kind's shape rule found for one call.
 *
 * @param output the output shape
 * @param runtimeClass the class the repr names ({@code Linear} or {@code LazyLinear})
 * @param repr the text inside PyTorch's repr parentheses
 * @param params parameter shapes in registration order
 * @param buffers buffer shapes in registration order (all persistent)
 * @param args the arguments read from the input's shape ({@code in_features})
 * @param flops the cost of the call: 0 adds nothing, -1 makes the total unknown
 */
public record Inferred(Shape output, String runtimeClass, String repr, Map<String, Shape> params,
    Map<String, Shape> buffers, Map<String, Dim> args, long flops) {
  public Inferred {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    buffers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
    args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
  }

  /** A layer without state. */
  public static Inferred of(Shape output, String runtimeClass, String repr, long flops) {
    return new Inferred(output, runtimeClass, repr, Map.of(), Map.of(), Map.of(), flops);
  }

  /** {@code n * perElement} for a concrete input, else unknown. */
  static long perElement(Shape in, long perElement) {
    return in.numel() < 0 ? -1 : perElement * in.numel();
  }
}
