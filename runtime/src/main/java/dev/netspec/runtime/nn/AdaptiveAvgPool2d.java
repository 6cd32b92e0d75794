package dev.netspec.runtime.nn;

/**
 * 2-D adaptive average pooling ({@code nn.AdaptiveAvgPool2d}) of {@code (N, C, H, W)} or {@code (C, H, W)} to a
 * fixed {@code (out_h, out_w)}; see {@link AdaptivePoolNd}.
 */
public final class AdaptiveAvgPool2d extends AdaptivePoolNd {
  /** {@code nn.AdaptiveAvgPool2d(output_size)}: a square output; prints {@code output_size=n}. */
  public AdaptiveAvgPool2d(int outputSize) {
    super(false, "adaptive_avg_pool2d", 2, new int[] {outputSize});
  }

  /** {@code nn.AdaptiveAvgPool2d((out_h, out_w))}; prints {@code output_size=(out_h, out_w)}. */
  public AdaptiveAvgPool2d(int outHeight, int outWidth) {
    super(false, "adaptive_avg_pool2d", 2, new int[] {outHeight, outWidth});
  }

  // covariant returns, so that calls chain: AdaptiveAvgPool2d layer = new AdaptiveAvgPool2d(...).eval(); each
  // narrows what the base's own returns (the same instance), so that one body sets the mode

  @Override
  public AdaptiveAvgPool2d train() {
    return (AdaptiveAvgPool2d) super.train();
  }

  @Override
  public AdaptiveAvgPool2d train(boolean mode) {
    return (AdaptiveAvgPool2d) super.train(mode);
  }

  @Override
  public AdaptiveAvgPool2d eval() {
    return (AdaptiveAvgPool2d) super.eval();
  }
}
