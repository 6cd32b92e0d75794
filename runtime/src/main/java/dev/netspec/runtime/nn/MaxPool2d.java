package dev.netspec.runtime.nn;

/**
 * 2-D max pooling ({@code nn.MaxPool2d}) over {@code (N, C, H, W)} or {@code (C, H, W)}; see
 * {@link MaxPoolNd}.
 */
public final class MaxPool2d extends MaxPoolNd {
  /** {@code nn.MaxPool2d(kernel_size)}: stride = kernel_size. */
  public MaxPool2d(int kernelSize) {
    this(new int[] {kernelSize}, null, new int[] {0}, new int[] {1}, false);
  }

  /** {@code nn.MaxPool2d(kernel_size, stride)}. */
  public MaxPool2d(int kernelSize, int stride) {
    this(kernelSize, stride, 0);
  }

  /** {@code nn.MaxPool2d(kernel_size, stride, padding)}. */
  public MaxPool2d(int kernelSize, int stride, int padding) {
    this(kernelSize, stride, padding, 1, false);
  }

  /** {@code nn.MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode=...)}. */
  public MaxPool2d(int kernelSize, int stride, int padding, int dilation, boolean ceilMode) {
    this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding},
        new int[] {dilation}, ceilMode);
  }

  /**
   * The full {@code nn.MaxPool2d}: each size one int or a pair {@code (height, width)}
   * (printed as given); {@code stride} null means {@code kernel_size}.
   */
  public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation,
      boolean ceilMode) {
    super(new PoolArgs("max_pool2d", 2, kernelSize, stride, padding, dilation, ceilMode));
  }

  // covariant returns, so that calls chain: MaxPool2d layer = new MaxPool2d(...).eval(); each
  // narrows what the base's own returns (the same instance), so that one body sets the mode

  @Override
  public MaxPool2d train() {
    return (MaxPool2d) super.train();
  }

  @Override
  public MaxPool2d train(boolean mode) {
    return (MaxPool2d) super.train(mode);
  }

  @Override
  public MaxPool2d eval() {
    return (MaxPool2d) super.eval();
  }
}
