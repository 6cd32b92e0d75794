package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.autograd.BatchNormGrad;
import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.tensor.Tensor;

/**
 * Batch normalization over the channel dim 1 ({@code nn.modules.batchnorm._BatchNorm}): the
 * shared part of {@link BatchNorm1d} and {@link BatchNorm2d}, which differ only in the input
 * ranks they accept.
 *
 * <p>State, in PyTorch's state-dict order: parameters {@code weight} (ones) and {@code bias}
 * (zeros) when {@code affine}; buffers {@code running_mean} (zeros), {@code running_var}
 * (ones) and {@code num_batches_tracked} (a rank-0 int64 zero) when
 * {@code track_running_stats}.
 *
 * <p>In training mode a forward normalizes with the batch's mean and biased variance, then
 * (tracking running statistics) adds one to {@code num_batches_tracked} and moves the running
 * statistics toward the batch's, the variance unbiased: {@code running = (1 - momentum) *
 * running + momentum * batch}, or with {@code momentum} null a cumulative average (factor
 * {@code 1 / num_batches_tracked}). In eval mode it normalizes with the running statistics;
 * without them it uses the batch's in both modes. The batch mean and {@code 1 / sqrt(var +
 * eps)} of the last forward stay available ({@link #savedMean}, {@link #savedInvStd}) for a
 * backward pass.
 */
public abstract class BatchNorm extends Module {
  /** The per-channel scale {@code (C)}, or null without {@code affine}. */
  public final Parameter weight;
  /** The per-channel shift {@code (C)}, or null without {@code affine}. */
  public final Parameter bias;
  private final int numFeatures;
  private final double eps;
  private final Double momentum;
  private final Tensor runningMean; // (C), or null without track_running_stats
  private final Tensor runningVar; // (C)
  private final Tensor numBatchesTracked; // rank 0, int64
  // Per-channel arrays the forward writes, so a warm forward allocates nothing.
  private final Tensor savedMean; // (C): the mean the last forward normalized with
  private final Tensor savedInvStd; // (C): 1 / sqrt(var + eps) of that forward
  private final float[] scale;
  private final float[] shift;

  /**
   * {@code _BatchNorm(num_features, eps, momentum, affine, track_running_stats)};
   * {@code momentum} null means a cumulative moving average.
   */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  protected BatchNorm(int numFeatures, double eps, Double momentum, boolean affine,
      boolean trackRunningStats) {
    if (numFeatures <= 0) {
      throw new IllegalArgumentException(
          typeName() + ": num_features must be positive, got " + numFeatures);
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException(typeName() + ": eps must be at least 0, got " + eps);
    }
    if (momentum != null && !(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException(
          typeName() + ": momentum must be between 0 and 1 or null, got " + momentum);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = affine ? registerParameter("weight", new Parameter(Tensor.ones(numFeatures)))
        : null;
    this.bias = affine ? registerParameter("bias", new Parameter(Tensor.zeros(numFeatures)))
        : null;
    if (trackRunningStats) {
      runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
      runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
      numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.scalar(0L));
    } else {
      runningMean = null;
      runningVar = null;
      numBatchesTracked = null;
    }
    savedMean = Tensor.zeros(numFeatures);
    savedInvStd = Tensor.zeros(numFeatures);
    scale = new float[numFeatures];
    shift = new float[numFeatures];
  }

  /** Refuses an input of a rank this layer does not take ({@code _check_input_dim}). */
  protected abstract void checkInputDim(Tensor x);

  public int numFeatures() {
    return numFeatures;
  }

  public double eps() {
    return eps;
  }

  /** The running-average factor, or null for a cumulative average. */
  public Double momentum() {
    return momentum;
  }

  public boolean affine() {
    return weight != null;
  }

  public boolean trackRunningStats() {
    return runningMean != null;
  }

  /** The {@code running_mean} buffer {@code (C)}, or null without running statistics. */
  public Tensor runningMean() {
    return runningMean;
  }

  /** The {@code running_var} buffer {@code (C)}, or null without running statistics. */
  public Tensor runningVar() {
    return runningVar;
  }

  /** The {@code num_batches_tracked} buffer (rank 0, int64), or null without statistics. */
  public Tensor numBatchesTracked() {
    return numBatchesTracked;
  }

  /**
   * The per-channel mean the last forward normalized with {@code (C)}: the batch's in
   * training ({@code save_mean} of {@code torch.native_batch_norm}). Overwritten by the next
   * forward.
   */
  public Tensor savedMean() {
    return savedMean;
  }

  /** {@code 1 / sqrt(var + eps)} of the last forward's variance, {@code (C)}. */
  public Tensor savedInvStd() {
    return savedInvStd;
  }

  /** PyTorch's {@code reset_running_stats}: mean 0, variance 1, no batch tracked. */
  public void resetRunningStats() {
    if (runningMean != null) {
      Init.zeros_(runningMean);
      Init.ones_(runningVar);
      numBatchesTracked.setLong(0L);
    }
  }

  /** PyTorch's {@code reset_parameters}: running statistics reset, weight ones, bias zeros. */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    resetRunningStats();
    if (weight != null) {
      Init.ones_(weight.data());
      Init.zeros_(bias.data());
    }
  }

  /**
   * The eval-mode normalization as a per-channel affine {@code y = x * scale[c] + shift[c]},
   * written into the caller's arrays of length C (see {@link Functional#batchNormAffine}): what
   * folding this layer into the convolution before it multiplies in.
   *
   * @throws IllegalStateException without running statistics
   */
  public void evalAffine(float[] scale, float[] shift) {
    if (runningMean == null) {
      throw new IllegalStateException(typeName()
          + " has no running statistics (track_running_stats=False), so no fixed affine");
    }
    Functional.batchNormAffine(runningMean, runningVar, weight == null ? null : weight.data(),
        bias == null ? null : bias.data(), eps, scale, shift);
  }

  /**
   * The allocating forward, recorded for a backward pass ({@code NativeBatchNormBackward0})
   * when recording is on and {@code x} or a parameter requires a gradient: in training mode
   * the gradient flows through the batch's mean and variance, as in PyTorch; in eval mode the
   * running statistics are constants.
   */
  @Override
  public Tensor forward(Tensor x) {
    checkInputDim(x);
    boolean batchStats = isTraining() || runningMean == null;
    Tensor y = forward(x, Tensor.zeros(x.shape()));
    return BatchNormGrad.record(x, weight == null ? null : weight.data(),
        bias == null ? null : bias.data(), runningMean, runningVar, batchStats, eps, y);
  }

  /** Whether a forward now records for a backward pass because a parameter needs one. */
  boolean records() {
    return weight != null && Autograd.isRecording(weight.data(), bias.data());
  }

  /**
   * Allocation-free when {@code out} is contiguous (and {@code x} contiguous, or {@code out}
   * is {@code x} itself: the layer then runs in place); otherwise computes into a fresh tensor
   * and copies. In training, updates the running statistics once either way. One thread at a
   * time per instance (the statistics belong to it).
   */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    checkInputDim(x);
    enterForward(); // the running statistics and saved arrays: one thread at a time
    try {
      return normalize(x, out);
    } finally {
      exitForward();
    }
  }

  private Tensor normalize(Tensor x, Tensor out) {
    Tensor w = weight == null ? null : weight.data();
    Tensor b = bias == null ? null : bias.data();
    boolean batchStats = isTraining() || runningMean == null;
    Functional.checkBatchNorm(x, runningMean, runningVar, w, b, batchStats);
    Normalization.checkOut(typeName(), x, out); // before the statistics change
    double factor = 0;
    if (isTraining() && runningMean != null) {
      numBatchesTracked.setLong(numBatchesTracked.longItem() + 1);
      factor = momentum == null ? 1.0 / numBatchesTracked.longItem() : momentum;
    }
    Tensor target = Normalization.writable(x, out) ? out : Tensor.zeros(x.shape());
    Normalization.batchNorm(x, runningMean, runningVar, w, b, batchStats, factor, eps, target,
        savedMean.array(), savedInvStd.array(), scale, shift);
    savedMean.bumpVersion();
    savedInvStd.bumpVersion();
    return target == out ? out : target.copyInto(out);
  }

  @Override
  public String extraRepr() {
    return numFeatures + ", eps=" + PyFormat.floatRepr(eps) + ", momentum="
        + (momentum == null ? "None" : PyFormat.floatRepr(momentum)) + ", affine="
        + PyFormat.bool(weight != null) + ", track_running_stats="
        + PyFormat.bool(runningMean != null);
  }

  // covariant returns, so that calls chain: BatchNorm layer = new BatchNorm2d(...).eval();

  @Override
  public BatchNorm train() {
    return train(true);
  }

  @Override
  public BatchNorm train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public BatchNorm eval() {
    return train(false);
  }
}
