package dev.netspec.runtime.kernels;

/** The activation a GEMM epilogue applies after the bias: {@code act(A @ op(B) + bias)}. */
public enum Activation {
  /** No activation: the affine result as is. */
  NONE,
  /** {@code max(x, 0)}, NaN propagating as in PyTorch. */
  RELU
}
