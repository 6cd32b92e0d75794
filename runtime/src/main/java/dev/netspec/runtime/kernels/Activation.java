package dev.netspec.runtime.kernels;

/** The activation a GEMM epilogue applies after the bias: {@code act(A @ op(B) + bias)}. */
public enum Activation {
  /** No activation: the affine result as is. */
  NONE,
  /** {@code x < 0 ? 0 : x}: NaN and {@code -0.0} pass through, as in PyTorch. */
  RELU
}
