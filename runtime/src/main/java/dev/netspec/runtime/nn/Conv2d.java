package dev.netspec.runtime.nn;

/**
 * A 2-D convolution over {@code (N, C_in, H, W)} (or unbatched {@code (C_in, H, W)}) inputs
 * ({@code nn.Conv2d}), with PyTorch's arguments, defaults, state-dict keys ({@code weight}
 * {@code (out, in / groups, kH, kW)}, {@code bias} {@code (out)}), initialization and repr,
 * such as {@code Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)}.
 * The output size along each dim is {@code floor((L + 2p - d(k - 1) - 1) / s) + 1}. See
 * {@link ConvNd} for the forward.
 */
public final class Conv2d extends ConvNd {
  /** {@code nn.Conv2d(in, out, kernel_size)}: stride 1, no padding, with a bias. */
  public Conv2d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0);
  }

  /** {@code nn.Conv2d(in, out, kernel_size, stride, padding)}: square kernel, with a bias. */
  public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true, "zeros");
  }

  /**
   * {@code nn.Conv2d(in, out, kernel_size, stride, padding, dilation, groups, bias,
   * padding_mode)} with every size the same along both dims.
   */
  public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding,
      int dilation, int groups, boolean bias, String paddingMode) {
    this(inChannels, outChannels, ints(kernelSize), ints(stride), ints(padding),
        ints(dilation), groups, bias, paddingMode);
  }

  /**
   * The full {@code nn.Conv2d}: each size an int (an array of one value) or a pair
   * {@code (height, width)}; {@code padding_mode} one of {@code "zeros"}, {@code "reflect"},
   * {@code "replicate"} ({@code "circular"} is refused).
   */
  public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding,
      int[] dilation, int groups, boolean bias, String paddingMode) {
    super(inChannels, outChannels,
        new ConvArgs(2, kernelSize, stride, padding, null, dilation, groups, paddingMode), bias);
  }

  /**
   * {@code nn.Conv2d} with {@code padding="same"} (the output as large as the input; stride
   * 1; an even kernel pads one more after than before) or {@code padding="valid"} (none).
   */
  public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride,
      String padding, int[] dilation, int groups, boolean bias, String paddingMode) {
    super(inChannels, outChannels,
        new ConvArgs(2, kernelSize, stride, null, padding, dilation, groups, paddingMode), bias);
  }

  // covariant returns, so that calls chain: Conv2d layer = new Conv2d(...).eval();

  @Override
  public Conv2d train() {
    return train(true);
  }

  @Override
  public Conv2d train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Conv2d eval() {
    return train(false);
  }
}
