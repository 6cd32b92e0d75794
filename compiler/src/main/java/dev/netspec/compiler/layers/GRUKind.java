package dev.netspec.compiler.layers;

import dev.netspec.compiler.infer.Type;
import java.util.List;

/**
 * {@code gru}: PyTorch's {@code nn.GRU}, gates r, z, n (the reset gate applied to the hidden
 * term with its bias). {@code gru(x)} and {@code gru(x, h0)} give {@code (output, h_n)};
 * generated code calls the runtime's {@code forwardWithState}, whose {@code GRU.Output} holds
 * them as {@code output, hN}.
 */
final class GRUKind extends RNNKind {
  GRUKind() {
    super("gru", "GRU", 3);
  }

  @Override
  Type result(Type.TensorT out, Type.TensorT state) {
    return new Type.TupleT(List.of(out, state));
  }

  @Override
  List<Type> stateArgs(Type.TensorT state) {
    return List.of(state);
  }

  @Override
  public List<String> outputAccessors() {
    return List.of("output", "hN");
  }
}
