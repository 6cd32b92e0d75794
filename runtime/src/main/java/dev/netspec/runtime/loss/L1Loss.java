package dev.netspec.runtime.loss;

/**
 * {@code nn.L1Loss(reduction)} / {@code F.l1_loss}: {@code |x - t|}; the gradient is {@code
 * sgn(x - t)}, which is 0 at 0 and, as in PyTorch, at NaN.
 */
public final class L1Loss extends PointwiseLoss {
  /** {@code reduction='mean'}. */
  public L1Loss() {
    this(Reduction.MEAN);
  }

  public L1Loss(Reduction reduction) {
    super(reduction);
  }

  @Override
  String gradFnName() {
    // PyTorch 1.13 computes l1_loss as abs(x - t) and then its mean or sum
    switch (reduction()) {
      case NONE:
        return "AbsBackward0";
      case SUM:
        return "SumBackward0";
      default:
        return "MeanBackward0";
    }
  }

  @Override
  String name() {
    return "l1_loss";
  }

  @Override
  double value(double x, double t, double w) {
    return Math.abs(x - t);
  }

  @Override
  double derivative(double x, double t, double w) {
    double d = x - t;
    return d > 0 ? 1 : d < 0 ? -1 : 0;
  }
}
