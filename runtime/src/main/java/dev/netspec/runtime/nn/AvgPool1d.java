package dev.netspec.runtime.nn;

/**
 * 1-D average pooling ({@code nn.AvgPool1d}) over {@code (N, C, L)} or {@code (C, L)}, as
 * {@link AvgPool2d} along one dim (no {@code divisor_override}, as in PyTorch). Prints its
 * sizes as 1-tuples, as PyTorch does: {@code AvgPool1d(kernel_size=(3,), stride=(3,),
 * padding=(0,))}.
 */
public final class AvgPool1d extends AvgPoolNd {

  /** {@code nn.AvgPool1d(kernel_size)}: stride = kernel_size. */
  public AvgPool1d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  /** {@code nn.AvgPool1d(kernel_size, stride)}. */
  public AvgPool1d(int kernelSize, int stride) {
    this(kernelSize, stride, 0);
  }

  /** {@code nn.AvgPool1d(kernel_size, stride, padding)}. */
  public AvgPool1d(int kernelSize, int stride, int padding) {
    this(kernelSize, stride, padding, false, true);
  }

  /** {@code nn.AvgPool1d(kernel_size, stride, padding, ceil_mode, count_include_pad)}. */
  public AvgPool1d(int kernelSize, int stride, int padding, boolean ceilMode,
      boolean countIncludePad) {
    super(new PoolArgs("avg_pool1d", 1, new int[] {kernelSize}, new int[] {stride},
        new int[] {padding}, new int[] {1}, ceilMode), countIncludePad, 0);
  }

  @Override
  public String extraRepr() {
    return "kernel_size=" + PyFormat.tuple(args.kernel) + ", stride="
        + PyFormat.tuple(args.stride) + ", padding=" + PyFormat.tuple(args.padding);
  }

  // covariant returns, so that calls chain: AvgPool1d layer = new AvgPool1d(...).eval(); each
  // narrows what the base's own returns (the same instance), so that one body sets the mode

  @Override
  public AvgPool1d train() {
    return (AvgPool1d) super.train();
  }

  @Override
  public AvgPool1d train(boolean mode) {
    return (AvgPool1d) super.train(mode);
  }

  @Override
  public AvgPool1d eval() {
    return (AvgPool1d) super.eval();
  }
}
