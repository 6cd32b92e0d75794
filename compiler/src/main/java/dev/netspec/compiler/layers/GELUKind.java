package dev.netspec.compiler.layers;

/**
 * {@code gelu}: PyTorch's {@code nn.GELU} with the exact (erf) form; right after a {@code
 * linear} it runs in the GEMM's epilogue.
 */
final class GELUKind extends ElementwiseKind {
  GELUKind() {
    super("gelu", "GELU", 1, "approximate='none'");
  }

  @Override
  public String activation() {
    return "GELU";
  }
}
