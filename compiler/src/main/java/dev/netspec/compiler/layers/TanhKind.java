package dev.netspec.compiler.layers;

/** {@code tanh}: PyTorch's {@code nn.Tanh}. */
final class TanhKind extends ElementwiseKind {
  TanhKind() {
    super("tanh", "Tanh", 1, "");
  }
}
