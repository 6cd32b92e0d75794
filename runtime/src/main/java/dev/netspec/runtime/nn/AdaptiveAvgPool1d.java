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

  // covariant returns, so that calls chain: AdaptiveAvgPool1d layer = new AdaptiveAvgPool1d(...).eval();

  @Override
  public AdaptiveAvgPool1d train() {
    return train(true);
  }

  @Override
  public AdaptiveAvgPool1d train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public AdaptiveAvgPool1d eval() {
    return train(false);
  }
}
