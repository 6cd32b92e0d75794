package dev.netspec.compiler.layers;

import dev.netspec.compiler.infer.Type;
import java.util.List;

/**
 * {@code lstm}: PyTorch's {@code nn.LSTM}, gates i, f, g, o. {@code lstm(x)} and {@code
 * lstm(x, (h0, c0))} give {@code (output, (h_n, c_n))}; generated code calls the runtime's
 * {@code forwardWithState}, whose {@code LSTM.Output} holds them as {@code output, hN, cN}.
 */
final class LSTMKind extends RNNKind {
  LSTMKind() {
    super("lstm", "LSTM", 4);
  }

  @Override
  Type result(Type.TensorT out, Type.TensorT state) {
    return new Type.TupleT(List.of(out, new Type.TupleT(List.of(state, state))));
  }

  @Override
  List<Type> stateArgs(Type.TensorT state) {
    return List.of(new Type.TupleT(List.of(state, state)));
  }

  @Override
  public List<String> outputAccessors() {
    return List.of("output", "hN", "cN");
  }
}
