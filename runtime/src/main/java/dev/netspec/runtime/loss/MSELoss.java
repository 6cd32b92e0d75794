package dev.netspec.runtime.loss;

/** {@code nn.MSELoss(reduction)} / {@code F.mse_loss}: {@code (x - t)^2}, gradient {@code 2 (x - t)}. */
public final class MSELoss extends PointwiseLoss {
  /** {@code reduction='mean'}. */
  public MSELoss() {
    this(Reduction.MEAN);
  }

  public MSELoss(Reduction reduction) {
    super(reduction);
  }

  @Override
  String gradFnName() {
    return "MseLossBackward0";
  }

  @Override
  String name() {
    return "mse_loss";
  }

  @Override
  double value(double x, double t, double w) {
    double d = x - t;
    return d * d;
  }

  @Override
  double derivative(double x, double t, double w) {
    return 2 * (x - t);
  }
}
