package dev.netspec.runtime.loss;

/**
 * {@code nn.SmoothL1Loss(reduction, beta)} / {@code F.smooth_l1_loss}: with {@code d = x -
 * t}, {@code 0.5 d^2 / beta} where {@code |d| < beta}, else {@code |d| - 0.5 beta}; {@code
 * beta = 0} is the L1 loss. The gradient is PyTorch's: {@code d <= -beta ? -1 : d >= beta ?
 * 1 : d / beta} (so -1 at 0 when beta is 0, NaN at NaN).
 */
public final class SmoothL1Loss extends PointwiseLoss {
  private final double beta;

  /** {@code reduction='mean', beta=1.0}. */
  public SmoothL1Loss() {
    this(Reduction.MEAN, 1.0);
  }

  public SmoothL1Loss(Reduction reduction, double beta) {
    super(reduction);
    if (!(beta >= 0)) {
      throw new IllegalArgumentException(
          "smooth_l1_loss does not support negative values for beta, got " + beta);
    }
    this.beta = beta;
  }

  public double beta() {
    return beta;
  }

  @Override
  String gradFnName() {
    return "SmoothL1LossBackward0";
  }

  @Override
  String name() {
    return "smooth_l1_loss";
  }

  @Override
  double value(double x, double t, double w) {
    double z = Math.abs(x - t);
    return z < beta ? 0.5 * z * z / beta : z - 0.5 * beta;
  }

  @Override
  double derivative(double x, double t, double w) {
    double d = x - t;
    return d <= -beta ? -1 : d >= beta ? 1 : d / beta;
  }
}
