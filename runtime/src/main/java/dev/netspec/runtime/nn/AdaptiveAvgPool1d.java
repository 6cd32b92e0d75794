package dev.netspec.runtime.nn;

/**
 * 1-D adaptive average pooling ({@code nn.AdaptiveAvgPool1d}) of {@code (N, C, L)} or
 * {@code (C, L)} to a fixed length; see {@link AdaptivePoolNd}.
 */
public final class AdaptiveAvgPool1d extends AdaptivePoolNd {
  /** {@code nn.AdaptiveAvgPool1d(output_size)}. */
  public AdaptiveAvgPool1d(int outputSize) {
    super(false, "adaptive_avg_pool1d", 1, new int[] {outputSize});
  }

  // covariant returns, so that calls chain: AdaptiveAvgPool1d layer = new AdaptiveAvgPool1d(...).eval(); each
  // narrows what the base's own returns (the same instance), so that one body sets the mode

  @Override
  public AdaptiveAvgPool1d train() {
    return (AdaptiveAvgPool1d) super.train();
  }

  @Override
  public AdaptiveAvgPool1d train(boolean mode) {
    return (AdaptiveAvgPool1d) super.train(mode);
  }

  @Override
  public AdaptiveAvgPool1d eval() {
    return (AdaptiveAvgPool1d) super.eval();
  }
}
