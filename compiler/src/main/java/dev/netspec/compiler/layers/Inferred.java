package dev.netspec.compiler.layers;

import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param type the result's type: null for a float32 tensor of {@code output}, else a tuple
 *     ({@code (output, (h_n, c_n))}) or a tensor of another dtype
 * @param extraInputs the types of the optional arguments after the input ({@code (h0, c0)}),
 *     empty when the layer takes one tensor
 */
public record Inferred(Shape output, String runtimeClass, String repr, Map<String, Shape> params,
    Map<String, Shape> buffers, Map<String, Dim> args, long flops, Type type, List<Type> extraInputs) {
  public Inferred {
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    buffers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(buffers));
    args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args));
    extraInputs = List.copyOf(extraInputs);
  }

  /** A layer returning a float32 tensor of {@code output}. */
  public Inferred(Shape output, String runtimeClass, String repr, Map<String, Shape> params,
      Map<String, Shape> buffers, Map<String, Dim> args, long flops) {
    this(output, runtimeClass, repr, params, buffers, args, flops, null, List.of());
  }

  /** The result's type. */
  public Type resultType() {
    return type != null ? type : new Type.TensorT(output);
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
