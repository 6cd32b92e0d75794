package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.GroupNormGrad;
import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.tensor.Tensor;

/**
 * Splits the channels of an {@code (N, C, *)} input into {@code num_groups} groups and
 * normalizes each sample's group over its channels and spatial dims to mean 0 and variance 1
 * (biased), then scales and shifts each channel ({@code nn.GroupNorm}). Same in training and
 * eval: no running statistics. PyTorch's default init: weight ones, bias zeros.
 *
 * <p>The mean and {@code 1 / sqrt(var + eps)} of each (sample, group) of the last forward
 * stay available ({@link #savedMean}, {@link #savedRstd}, shaped {@code (N, num_groups)}) for
 * a backward pass.
 */
public final class GroupNorm extends Module {
  /** The per-channel scale {@code (C)}, or null without {@code affine}. */
  public final Parameter weight;
  /** The per-channel shift {@code (C)}, or null without {@code affine}. */
  public final Parameter bias;
  private final int numGroups;
  private final int numChannels;
  private final double eps;
  private Tensor savedMean = Tensor.zeros(0, 0); // (N, G), resized when N changes
  private Tensor savedRstd = Tensor.zeros(0, 0); // (N, G)

  /** {@code nn.GroupNorm(num_groups, num_channels)}: eps 1e-5, affine. */
  public GroupNorm(int numGroups, int numChannels) {
    this(numGroups, numChannels, 1e-5, true);
  }

  /** {@code nn.GroupNorm(num_groups, num_channels, eps, affine)}. */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
    if (numGroups <= 0 || numChannels <= 0) {
      throw new IllegalArgumentException("GroupNorm: num_groups and num_channels must be "
          + "positive, got " + numGroups + " and " + numChannels);
    }
    if (numChannels % numGroups != 0) {
      throw new IllegalArgumentException("num_channels must be divisible by num_groups, got "
          + numChannels + " channels and " + numGroups + " groups");
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("GroupNorm: eps must be at least 0, got " + eps);
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    this.weight = affine ? registerParameter("weight", new Parameter(Tensor.ones(numChannels)))
        : null;
    this.bias = affine ? registerParameter("bias", new Parameter(Tensor.zeros(numChannels)))
        : null;
  }

  public int numGroups() {
    return numGroups;
  }

  public int numChannels() {
    return numChannels;
  }

  public double eps() {
    return eps;
  }

  /** The mean of each (sample, group) of the last forward, {@code (N, num_groups)}. */
  public Tensor savedMean() {
    return savedMean;
  }

  /** {@code 1 / sqrt(var + eps)} of each (sample, group) of the last forward. */
  public Tensor savedRstd() {
    return savedRstd;
  }

  /** PyTorch's {@code reset_parameters}: weight ones, bias zeros. */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    if (weight != null) {
      Init.ones_(weight.data());
      Init.zeros_(bias.data());
    }
  }

  /**
   * The allocating forward, recorded for a backward pass ({@code NativeGroupNormBackward0})
   * when recording is on and {@code x} or a parameter requires a gradient.
   */
  @Override
  public Tensor forward(Tensor x) {
    return GroupNormGrad.record(x, numGroups, weight == null ? null : weight.data(),
        bias == null ? null : bias.data(), eps, forward(x, Tensor.zeros(x.shape())));
  }

  /**
   * Allocation-free once warm (for one batch size) when {@code out} is contiguous and
   * {@code x} contiguous, or {@code out} is {@code x} itself; otherwise computes into a fresh
   * tensor and copies. One thread at a time per instance (the saved statistics belong to it).
   */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    enterForward(); // the saved statistics belong to this instance: one thread at a time
    try {
      return normalize(x, out);
    } finally {
      exitForward();
    }
  }

  private Tensor normalize(Tensor x, Tensor out) {
    Tensor w = weight == null ? null : weight.data();
    Tensor b = bias == null ? null : bias.data();
    Functional.checkGroupNorm(x, numGroups, w, b);
    Normalization.checkOut(typeName(), x, out);
    if (x.size(1) != numChannels) {
      throw new IllegalArgumentException("GroupNorm: expected input with " + numChannels
          + " channels, got shape " + Module.sizeString(x.shape()));
    }
    if (savedMean.size(0) != x.size(0) || savedMean.size(1) != numGroups) {
      savedMean = Tensor.zeros(x.size(0), numGroups);
      savedRstd = Tensor.zeros(x.size(0), numGroups);
    }
    Tensor target = Normalization.writable(x, out) ? out : Tensor.zeros(x.shape());
    Normalization.groupNorm(x, numGroups, w, b, eps, target, savedMean.array(),
        savedRstd.array());
    savedMean.bumpVersion();
    savedRstd.bumpVersion();
    return target == out ? out : target.copyInto(out);
  }

  @Override
  public String extraRepr() {
    return numGroups + ", " + numChannels + ", eps=" + PyFormat.floatRepr(eps) + ", affine="
        + PyFormat.bool(weight != null);
  }

  // covariant returns, so that calls chain: GroupNorm layer = new GroupNorm(...).eval();

  @Override
  public GroupNorm train() {
    return train(true);
  }

  @Override
  public GroupNorm train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public GroupNorm eval() {
    return train(false);
  }
}
