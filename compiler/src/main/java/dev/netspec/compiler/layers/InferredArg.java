package dev.netspec.compiler.layers;

/**
 * An argument the compiler reads from the input's shape when the spec leaves it out, as
 * PyTorch's lazy modules do: {@code in_features} from the last dim, {@code in_channels}
 * from dim 1.
 *
 * @param name the argument ({@code in_features})
 * @param dim the input dim it comes from, negatives counted from the end
 * @param what how messages call it ({@code input features})
 */
public record InferredArg(String name, int dim, String what) {
  /** {@code last dim} or {@code dim 1}, for messages. */
  public String dimLabel() {
    return dim == -1 ? "last dim" : "dim " + dim;
  }
}
