package dev.netspec.runtime.nn;

import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code y = x @ weight.T + bias} ({@code nn.Linear}), with {@code weight} of shape
 * {@code [out_features, in_features]} and {@code bias} of shape {@code [out_features]}, as
 * PyTorch lays them out. PyTorch's default init: weight and bias from
 * U(-1/sqrt(in_features), 1/sqrt(in_features)).
 */
public class Linear extends Module {
  /** The weight, {@code [out_features, in_features]}. */
  public final Parameter weight;
  /** The bias, {@code [out_features]}, or null for a layer without one. */
  public final Parameter bias;
  private final int outFeatures;
  /**
   * The weight packed for the GEMM kernel, refreshed when the weight changes; a replica
   * shares its original's ({@link #shareDerived}).
   */
  private PackedWeight packed = new PackedWeight();
  private int inFeatures;

  /** {@code nn.Linear(in, out)}: with a bias. */
  public Linear(int inFeatures, int outFeatures) {
    this(inFeatures, outFeatures, true);
  }

  /**
   * {@code nn.Linear(in, out, bias)}, initialized as {@link ParameterSeeds#standalone()}
   * gives it; a model's {@link Module#initialize(long)} draws it again from its own streams.
   */
  public Linear(int inFeatures, int outFeatures, boolean bias) {
    this(checkSize("in_features", inFeatures), outFeatures, bias, true);
    initWeight(weight, ParameterSeeds.standalone().generator("weight"));
    if (bias) {
      initBias(this.bias, inFeatures, ParameterSeeds.standalone().generator("bias"));
    }
  }

  /** Registers the parameters: zeros, or uninitialized if {@code !known} (a lazy layer). */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  Linear(int inFeatures, int outFeatures, boolean bias, boolean known) {
    this.inFeatures = inFeatures;
    this.outFeatures = checkSize("out_features", outFeatures);
    this.weight = registerParameter("weight", known
        ? new Parameter(Tensor.zeros(outFeatures, inFeatures)) : Parameter.uninitialized());
    this.bias = !bias ? null : registerParameter("bias", known
        ? new Parameter(Tensor.zeros(outFeatures)) : Parameter.uninitialized());
  }

  private static int checkSize(String what, int size) {
    if (size < 0) {
      throw new IllegalArgumentException(what + " must be >= 0, got " + size);
    }
    return size;
  }

  /** PyTorch's {@code reset_parameters}: see the class comment. */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    initWeight(weight, seeds.generator("weight"));
    if (bias != null) {
      initBias(bias, weight.data().size(1), seeds.generator("bias"));
    }
  }

  /** {@code kaiming_uniform_(weight, a=sqrt(5))}: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  static void initWeight(Parameter weight, Generator gen) {
    Init.kaimingUniform_(weight.data(), Math.sqrt(5), "fan_in", "leaky_relu", gen);
  }

  /** U(-1/sqrt(fan_in), 1/sqrt(fan_in)), or zeros when {@code fan_in} is 0. */
  static void initBias(Parameter bias, int fanIn, Generator gen) {
    double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    Init.uniform_(bias.data(), -bound, bound, gen);
  }

  /**
   * The number of input features ({@code in_features}): 0 while a lazy layer waits, and
   * still 0 for one materialized by a state dict rather than a forward, as in PyTorch.
   */
  public int inFeatures() {
    return inFeatures;
  }

  void setInFeatures(int inFeatures) {
    this.inFeatures = inFeatures;
  }

  /** The number of output features ({@code out_features}). */
  public int outFeatures() {
    return outFeatures;
  }

  /** The weight ({@code self.weight}). */
  public Parameter weight() {
    return weight;
  }

  /** The bias, or null for a layer without one ({@code self.bias}). */
  public Parameter bias() {
    return bias;
  }

  /** {@code x [..., in_features] -> [..., out_features]}. */
  @Override
  public Tensor forward(Tensor x) {
    checkInput(x);
    return Functional.linear(x, weight.data(), bias == null ? null : bias.data(), packed);
  }

  /**
   * The zero-allocation forward: {@code act(x @ weight.T + bias)} written into {@code out}
   * ({@code [..., out_features]}, contiguous, owned by the caller and reused across calls)
   * and returned. Generated code calls this with buffers sized once per batch size, fusing
   * a following ReLU or GELU through {@code act}: it runs on each tile of the GEMM while the
   * tile is in L1, with the same floats as the separate layer. See docs/performance.md.
   */
  public Tensor forwardInto(Tensor x, Activation act, Tensor out) {
    checkInput(x);
    return Functional.linearInto(x, weight.data(), bias == null ? null : bias.data(), act,
        packed, out);
  }

  /**
   * {@link #forward(Tensor)} written into {@code out}: {@link #forwardInto} without an
   * activation, allocation-free once warm.
   */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return forwardInto(x, Activation.NONE, out);
  }

  /** The input's last dim must match the weight's (which a loaded lazy layer has, not 0). */
  private void checkInput(Tensor x) {
    int in = weight.data().size(1);
    if (x.dim() == 0 || x.size(-1) != in) {
      throw new IllegalArgumentException(typeName() + "(in_features=" + in
          + "): expected an input whose last dim is " + in + ", got shape "
          + Arrays.toString(x.shape()));
    }
  }

  /** A replica's layer packs nothing: it uses the original's packed weight (one weight, one packing). */
  @Override
  protected void shareDerived(Module original) {
    packed = ((Linear) original).packed;
  }

  @Override
  public String extraRepr() {
    return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias="
        + PyFormat.bool(bias != null);
  }

  // covariant returns, so that calls chain: Linear layer = new Linear(...).eval();

  @Override
  public Linear train() {
    return train(true);
  }

  @Override
  public Linear train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Linear eval() {
    return train(false);
  }
}
