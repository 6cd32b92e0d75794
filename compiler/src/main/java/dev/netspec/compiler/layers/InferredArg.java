package dev.netspec.compiler.layers;

/**
 * An argument the compiler reads from the input's shape when the spec leaves it out, as
 * PyTorch's lazy modules do: {@code in_features} from the last dim, {@code in_channels}
 * from the channel dim.
 *
 * @param name the argument ({@code in_features})
 * @param dim the input dim it comes from, negatives counted from the end
 * @param what how messages call it ({@code input features})
 * @param where how messages call the dim ({@code last dim})
 * @param lazy whether the runtime layer can take it at the first forward ({@code LazyLinear})
 */
public record InferredArg(String name, int dim, String what, String where, boolean lazy) {}
