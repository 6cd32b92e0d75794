package dev.netspec.runtime.nn;

/**
 * The output projection of {@link MultiheadAttention} ({@code out_proj}): a {@link Linear}
 * under PyTorch's class name, so reprs and load errors read as PyTorch's do.
 */
public final class NonDynamicallyQuantizableLinear extends Linear {
  /** {@code NonDynamicallyQuantizableLinear(in, out, bias)}, initialized as a Linear. */
  public NonDynamicallyQuantizableLinear(int inFeatures, int outFeatures, boolean bias) {
    super(inFeatures, outFeatures, bias);
  }

  // covariant returns, so that calls chain

  @Override
  public NonDynamicallyQuantizableLinear train() {
    return train(true);
  }

  @Override
  public NonDynamicallyQuantizableLinear train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public NonDynamicallyQuantizableLinear eval() {
    return train(false);
  }
}
