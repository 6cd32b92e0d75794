package dev.netspec.runtime.loss;

/** How a loss reduces its per-element values: PyTorch's {@code reduction} argument. */
public enum Reduction {
  /** The per-element losses, shaped as the input (as the target, for class losses). */
  NONE,
  /** Their mean (the default); class losses divide by the count of targets not ignored. */
  MEAN,
  /** Their sum. */
  SUM;

  /** The reduction named {@code "none"}, {@code "mean"} or {@code "sum"}. */
  public static Reduction of(String name) {
    switch (name) {
      case "none":
        return NONE;
      case "mean":
        return MEAN;
      case "sum":
        return SUM;
      default:
        throw new IllegalArgumentException(
            name + " is not a valid value for reduction (expected 'none', 'mean' or 'sum')");
    }
  }

  /** The name PyTorch uses: {@code "none"}, {@code "mean"} or {@code "sum"}. */
  public String pyName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
