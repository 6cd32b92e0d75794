package dev.netspec.compiler.layers;

/** {@code gelu}: PyTorch's {@code nn.GELU} with the exact (erf) form. */
final class GELUKind extends ElementwiseKind {
  GELUKind() {
    super("gelu", "GELU", 1, "approximate='none'");
  }
}
