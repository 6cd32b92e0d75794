package dev.netspec.runtime.nn;

/**
 * 2-D average pooling ({@code nn.AvgPool2d}) over {@code (N, C, H, W)} or {@code (C, H, W)};
 * see {@link AvgPoolNd}. Prints as PyTorch does, sizes as given: {@code
 * AvgPool2d(kernel_size=3, stride=3, padding=0)}.
 */
public final class AvgPool2d extends AvgPoolNd {

  /** {@code nn.AvgPool2d(kernel_size)}: stride = kernel_size. */
  public AvgPool2d(int kernelSize) {
    this(new int[] {kernelSize}, null, new int[] {0}, false, true, null);
  }

  /** {@code nn.AvgPool2d(kernel_size, stride)}. */
  public AvgPool2d(int kernelSize, int stride) {
    this(kernelSize, stride, 0);
  }

  /** {@code nn.AvgPool2d(kernel_size, stride, padding)}. */
  public AvgPool2d(int kernelSize, int stride, int padding) {
    this(kernelSize, stride, padding, false, true, null);
  }

  /**
   * {@code nn.AvgPool2d(kernel_size, stride, padding, ceil_mode, count_include_pad,
   * divisor_override)}; {@code divisorOverride} null for none.
   */
  public AvgPool2d(int kernelSize, int stride, int padding, boolean ceilMode,
      boolean countIncludePad, Integer divisorOverride) {
    this(new int[] {kernelSize}, new int[] {stride}, new int[] {padding}, ceilMode,
        countIncludePad, divisorOverride);
  }

  /**
   * The full {@code nn.AvgPool2d}: each size one int or a pair {@code (height, width)}
   * (printed as given); {@code stride} null means {@code kernel_size}.
   */
  public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode,
      boolean countIncludePad, Integer divisorOverride) {
    super(new PoolArgs("avg_pool2d", 2, kernelSize, stride, padding, new int[] {1}, ceilMode),
        countIncludePad, checkDivisor(divisorOverride));
  }

  /** 0 for none; PyTorch refuses 0 itself. */
  static int checkDivisor(Integer divisorOverride) {
    if (divisorOverride == null) {
      return 0;
    }
    if (divisorOverride == 0) {
      throw new IllegalArgumentException("divisor must be not zero");
    }
    return divisorOverride;
  }

  @Override
  public String extraRepr() {
    return "kernel_size=" + PoolArgs.given(args.kernelGiven) + ", stride="
        + PoolArgs.given(args.strideGiven) + ", padding=" + PoolArgs.given(args.paddingGiven);
  }

  // covariant returns, so that calls chain: AvgPool2d layer = new AvgPool2d(...).eval(); each
  // narrows what the base's own returns (the same instance), so that one body sets the mode

  @Override
  public AvgPool2d train() {
    return (AvgPool2d) super.train();
  }

  @Override
  public AvgPool2d train(boolean mode) {
    return (AvgPool2d) super.train(mode);
  }

  @Override
  public AvgPool2d eval() {
    return (AvgPool2d) super.eval();
  }
}
