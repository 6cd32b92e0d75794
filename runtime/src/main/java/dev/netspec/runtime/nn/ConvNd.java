package dev.netspec.runtime.nn;

import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Tensor;

/**
 * What {@link Conv1d} and {@link Conv2d} share ({@code _ConvNd}): the arguments, checked as
 * PyTorch checks them; {@code weight} {@code (out_channels, in_channels / groups, *kernel_size)}
 * and {@code bias} {@code (out_channels)}; PyTorch's default init ({@code
 * kaiming_uniform_(weight, a=sqrt(5))}, so U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both, with
 * {@code fan_in = in_channels / groups * prod(kernel_size)}); the repr; and the forward, through
 * the packed GEMM (see docs/performance.md).
 */
public abstract class ConvNd extends Module {
  /** The filters, {@code (out_channels, in_channels / groups, *kernel_size)}. */
  public final Parameter weight;
  /** The bias, {@code (out_channels)}, or null for a layer built with {@code bias=false}. */
  public final Parameter bias;
  private final int inChannels;
  private final int outChannels;
  private final ConvArgs args;
  private final ConvState state = new ConvState();
  /** The last input of a forward in training mode: what a backward will need (issue 15). */
  private Tensor savedInput;

  @SuppressWarnings("this-escape") // registration only touches Module's registries
  ConvNd(int inChannels, int outChannels, ConvArgs args, boolean bias) {
    if (inChannels <= 0 || outChannels <= 0) {
      throw new IllegalArgumentException("in_channels and out_channels must be positive, got "
          + inChannels + " and " + outChannels);
    }
    if (inChannels % args.groups != 0) {
      throw new IllegalArgumentException("in_channels must be divisible by groups");
    }
    if (outChannels % args.groups != 0) {
      throw new IllegalArgumentException("out_channels must be divisible by groups");
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.args = args;
    int[] shape = new int[args.dims + 2];
    shape[0] = outChannels;
    shape[1] = inChannels / args.groups;
    System.arraycopy(args.kernel, 0, shape, 2, args.dims);
    this.weight = registerParameter("weight", new Parameter(Tensor.zeros(shape)));
    this.bias = bias ? registerParameter("bias", new Parameter(Tensor.zeros(outChannels)))
        : null;
    resetParameters(ParameterSeeds.standalone());
  }

  /** PyTorch's {@code reset_parameters}: see the class comment. */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    Init.kaimingUniform_(weight.data(), Math.sqrt(5), "fan_in", "leaky_relu",
        seeds.generator("weight"));
    if (bias != null) {
      Linear.initBias(bias, Init.fans(weight.shape()).fanIn(), seeds.generator("bias"));
    }
  }

  /** {@code in_channels}. */
  public int inChannels() {
    return inChannels;
  }

  /** {@code out_channels}. */
  public int outChannels() {
    return outChannels;
  }

  /** {@code kernel_size}, one value per spatial dim. */
  public int[] kernelSize() {
    return args.kernel.clone();
  }

  /** {@code stride}, one value per spatial dim. */
  public int[] stride() {
    return args.stride.clone();
  }

  /**
   * {@code padding}, one value per spatial dim, before and after alike; for {@code "same"}
   * the padding before each dim (an even kernel puts one more after), for {@code "valid"} 0.
   */
  public int[] padding() {
    return args.before.clone();
  }

  /** {@code dilation}, one value per spatial dim. */
  public int[] dilation() {
    return args.dilation.clone();
  }

  /** {@code groups}. */
  public int groups() {
    return args.groups;
  }

  /** {@code padding_mode}: {@code "zeros"}, {@code "reflect"} or {@code "replicate"}. */
  public String paddingMode() {
    return args.paddingMode;
  }

  /** The output shape for an input of shape {@code inputShape} (checked as a forward would). */
  public int[] outputShape(int... inputShape) {
    return args.outputShape(Tensor.zeros(inputShape), weight.data());
  }

  /** {@code (N, C_in, *spatial)} or unbatched {@code (C_in, *spatial)} to {@code C_out}. */
  @Override
  public Tensor forward(Tensor x) {
    return forwardInto(x, Activation.NONE, null);
  }

  /**
   * The zero-allocation forward: {@code act(conv(x) + bias)} written into {@code out} (of
   * the output's shape, contiguous, owned by the caller and reused across calls; null
   * allocates it) and returned. A following ReLU is fused through {@code act}: the GEMM
   * applies it in its epilogue. Once warm, a call with a contiguous {@code x} allocates
   * nothing.
   */
  public Tensor forwardInto(Tensor x, Activation act, Tensor out) {
    enterForward(); // the packed filters and patch buffers belong to this instance
    try {
      savedInput = isTraining() ? x : null;
      return args.run(x, weight.data(), bias == null ? null : bias.data(), act, out, state);
    } finally {
      exitForward();
    }
  }

  /** {@link #forward(Tensor)} written into {@code out}: {@link #forwardInto} without act. */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return forwardInto(x, Activation.NONE, out);
  }

  /** The input of the last forward in training mode, or null (for a backward pass). */
  Tensor savedInput() {
    return savedInput;
  }

  @Override
  public String extraRepr() {
    StringBuilder s = new StringBuilder().append(inChannels).append(", ").append(outChannels)
        .append(", ").append(args.extraRepr());
    if (bias == null) {
      s.append(", bias=False");
    }
    if (!args.paddingMode.equals("zeros")) {
      s.append(", padding_mode=").append(args.paddingMode);
    }
    return s.toString();
  }

  static int[] ints(int... v) {
    return v;
  }

  // covariant returns, so that calls chain: layers keep their own type through eval()

  @Override
  public ConvNd train() {
    return train(true);
  }

  @Override
  public ConvNd train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public ConvNd eval() {
    return train(false);
  }
}
