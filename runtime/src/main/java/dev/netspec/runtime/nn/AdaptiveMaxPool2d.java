package dev.netspec.runtime.nn;

/**
 * 2-D adaptive max pooling ({@code nn.AdaptiveMaxPool2d}) of {@code (N, C, H, W)} or {@code (C, H, W)} to a
 * fixed {@code (out_h, out_w)}; see {@link AdaptivePoolNd}.
 */
public final class AdaptiveMaxPool2d extends AdaptivePoolNd {
  /** {@code nn.AdaptiveMaxPool2d(output_size)}: a square output; prints {@code output_size=n}. */
  public AdaptiveMaxPool2d(int outputSize) {
    super(true, "adaptive_max_pool2d", 2, new int[] {outputSize});
  }

  /** {@code nn.AdaptiveMaxPool2d((out_h, out_w))}; prints {@code output_size=(out_h, out_w)}. */
  public AdaptiveMaxPool2d(int outHeight, int outWidth) {
    super(true, "adaptive_max_pool2d", 2, new int[] {outHeight, outWidth});
  }

  // covariant returns, so that calls chain: AdaptiveMaxPool2d layer = new AdaptiveMaxPool2d(...).eval(); each
  // narrows what the base's own returns (the same instance), so that one body sets the mode

  @Override
  public AdaptiveMaxPool2d train() {
    return (AdaptiveMaxPool2d) super.train();
  }

  @Override
  public AdaptiveMaxPool2d train(boolean mode) {
    return (AdaptiveMaxPool2d) super.train(mode);
  }

  @Override
  public AdaptiveMaxPool2d eval() {
    return (AdaptiveMaxPool2d) super.eval();
  }
}
