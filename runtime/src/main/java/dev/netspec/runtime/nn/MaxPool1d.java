package dev.netspec.runtime.nn;

/**
 * 1-D max pooling ({@code nn.MaxPool1d}) over {@code (N, C, L)} or {@code (C, L)}; see
 * {@link MaxPoolNd}.
 */
public final class MaxPool1d extends MaxPoolNd {
  /** {@code nn.MaxPool1d(kernel_size)}: stride = kernel_size. */
  public MaxPool1d(int kernelSize) {
    this(kernelSize, kernelSize, 0, 1, false);
  }

  /** {@code nn.MaxPool1d(kernel_size, stride)}. */
  public MaxPool1d(int kernelSize, int stride) {
    this(kernelSize, stride, 0, 1, false);
  }

  /** {@code nn.MaxPool1d(kernel_size, stride, padding)}. */
  public MaxPool1d(int kernelSize, int stride, int padding) {
    this(kernelSize, stride, padding, 1, false);
  }

  /** {@code nn.MaxPool1d(kernel_size, stride, padding, dilation, ceil_mode=...)}. */
  public MaxPool1d(int kernelSize, int stride, int padding, int dilation, boolean ceilMode) {
    super(new PoolArgs("max_pool1d", 1, new int[] {kernelSize}, new int[] {stride},
        new int[] {padding}, new int[] {dilation}, ceilMode));
  }

  // covariant returns, so that calls chain: MaxPool1d layer = new MaxPool1d(...).eval(); each
  // narrows what the base's own returns (the same instance), so that one body sets the mode

  @Override
  public MaxPool1d train() {
    return (MaxPool1d) super.train();
  }

  @Override
  public MaxPool1d train(boolean mode) {
    return (MaxPool1d) super.train(mode);
  }

  @Override
  public MaxPool1d eval() {
    return (MaxPool1d) super.eval();
  }
}
