package dev.netspec.compiler.layers;

/** {@code relu}: PyTorch's {@code nn.ReLU}; right after a {@code linear} it runs in the GEMM's epilogue. */
final class ReLUKind extends ElementwiseKind {
  ReLUKind() {
    super("relu", "ReLU", 1, "");
  }

  @Override
  public String activation() {
    return "RELU";
  }
}
