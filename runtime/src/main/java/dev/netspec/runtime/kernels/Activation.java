package dev.netspec.runtime.kernels;

/** The activation a GEMM epilogue applies after the bias: {@code act(A @ op(B) + bias)}. */
public enum Activation {
  /** No activation: the affine result as is. */
  NONE,
  /** {@code x < 0 ? 0 : x}: NaN and {@code -0.0} pass through, as in PyTorch. */
  RELU,
  /**
   * PyTorch's exact GELU, {@code x * 0.5 * (1 + erf(x / sqrt(2)))}: the same floats as the
   * {@code GELU} layer computes from the stored sum, applied while the tile is in L1.
   */
  GELU
}
