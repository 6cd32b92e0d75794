package dev.netspec.runtime.nn;

/**
 * A 1-D convolution over {@code (N, C_in, L)} (or unbatched {@code (C_in, L)}) inputs
 * ({@code nn.Conv1d}), with PyTorch's arguments, defaults, state-dict keys ({@code weight}
 * {@code (out, in / groups, k)}, {@code bias} {@code (out)}), initialization and repr, such as
 * {@code Conv1d(3, 6, kernel_size=(3,), stride=(2,), padding=(1,))}. It runs as a
 * {@link Conv2d} of height 1.
 */
public final class Conv1d extends ConvNd {
  /** {@code nn.Conv1d(in, out, kernel_size)}: stride 1, no padding, with a bias. */
  public Conv1d(int inChannels, int outChannels, int kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true, "zeros");
  }

  /** {@code nn.Conv1d(in, out, kernel_size, stride, padding)}, with a bias. */
  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true, "zeros");
  }

  /**
   * The full {@code nn.Conv1d(in, out, kernel_size, stride, padding, dilation, groups, bias,
   * padding_mode)}; {@code padding_mode} one of {@code "zeros"}, {@code "reflect"}, {@code
   * "replicate"} ({@code "circular"} is refused).
   */
  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding,
      int dilation, int groups, boolean bias, String paddingMode) {
    super(inChannels, outChannels, new ConvArgs(1, ints(kernelSize), ints(stride),
        ints(padding), null, ints(dilation), groups, paddingMode), bias);
  }

  /** {@code nn.Conv1d} with {@code padding="same"} or {@code padding="valid"}. */
  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, String padding,
      int dilation, int groups, boolean bias, String paddingMode) {
    super(inChannels, outChannels, new ConvArgs(1, ints(kernelSize), ints(stride), null,
        padding, ints(dilation), groups, paddingMode), bias);
  }

  // covariant returns, so that calls chain: Conv1d layer = new Conv1d(...).eval();

  @Override
  public Conv1d train() {
    return train(true);
  }

  @Override
  public Conv1d train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Conv1d eval() {
    return train(false);
  }
}
