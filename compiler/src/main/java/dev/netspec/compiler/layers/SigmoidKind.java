package dev.netspec.compiler.layers;

/** {@code sigmoid}: PyTorch's {@code nn.Sigmoid}, {@code 1 / (1 + exp(-x))}. */
final class SigmoidKind extends ElementwiseKind {
  SigmoidKind() {
    super("sigmoid", "Sigmoid", 1, "");
  }
}
