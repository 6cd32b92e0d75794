package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.Autograd;
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
  /** The fold of the last batch norm given to {@code forwardInto(x, bn, act, add, out)}. */
  private BatchNormFold fold;
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

  /**
   * The padding after each spatial dim: {@link #padding()} except for {@code "same"} with an
   * even extent {@code dilation * (kernel - 1)}, which pads one more after (a backward needs
   * both sides).
   */
  public int[] paddingAfter() {
    return args.after.clone();
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

  /**
   * {@code (N, C_in, *spatial)} or unbatched {@code (C_in, *spatial)} to {@code C_out}: the
   * allocating forward, recorded for a backward pass ({@code ConvolutionBackward0}) when
   * recording is on and the input or a parameter requires a gradient.
   */
  @Override
  public Tensor forward(Tensor x) {
    enterForward(); // the packed filters and patch buffers belong to this instance
    try {
      savedInput = isTraining() ? x : null;
      return args.forward(x, weight.data(), bias == null ? null : bias.data(), state);
    } finally {
      exitForward();
    }
  }

  /**
   * Whether a forward with a fresh output ({@code out} null) must record: then the fused
   * paths run as their recorded parts instead ({@link #recorded}).
   */
  private boolean records(Tensor x, Tensor out) {
    return out == null && (Autograd.isRecording(x, weight.data())
        || bias != null && Autograd.isRecording(bias.data()));
  }

  /**
   * {@code act(bn(conv(x)) + add)} as recorded operations, for a backward pass: the
   * convolution ({@link #forward(Tensor)}), {@code bn}'s own forward (null: none), the
   * residual add and the ReLU, each with PyTorch's grad_fn.
   */
  private Tensor recorded(Tensor x, BatchNorm bn, Activation act, Tensor add) {
    Tensor y = forward(x);
    if (bn != null) {
      y = bn.forward(y);
    }
    if (add != null) {
      y = y.add(add);
    }
    return act == Activation.RELU ? y.relu() : y;
  }

  /**
   * The zero-allocation forward: {@code act(conv(x) + bias)} written into {@code out} (of
   * the output's shape, contiguous, owned by the caller and reused across calls; null
   * allocates it) and returned. A following ReLU is fused through {@code act}: the GEMM
   * applies it in its epilogue. Once warm, a call with a contiguous {@code x} allocates
   * nothing. A call with {@code out} given never records for a backward pass (the inference
   * path); with {@code out} null while recording, the convolution and the ReLU run and record
   * apart, as PyTorch's {@code ConvolutionBackward0} and {@code ReluBackward0}.
   */
  public Tensor forwardInto(Tensor x, Activation act, Tensor out) {
    return records(x, out) ? recorded(x, null, act, null) : run(x, null, act, null, out);
  }

  /**
   * {@code act(conv(x) + bias + add)} written into {@code out} (null allocates it): {@link
   * #forwardInto(Tensor, Activation, Tensor)} with a residual {@code add} of the output's shape
   * (null: none), summed into each chunk of output while it is still in cache, as a ResNet
   * {@code BasicBlock} ends: {@code relu(conv2(...) + identity)}. {@code add} must not share
   * storage with {@code out}.
   */
  public Tensor forwardInto(Tensor x, Activation act, Tensor add, Tensor out) {
    return records(x, out) ? recorded(x, null, act, add) : run(x, null, act, add, out);
  }

  /**
   * {@code act(bn(conv(x)) + add)} written into {@code out} (null allocates it), with the
   * eval-mode batch norm {@code bn} (null: none) folded into this layer's packed filters and
   * bias: see {@link BatchNormFold}. The fold is computed when the filters are packed and
   * redone only when this layer's weight or bias or one of {@code bn}'s tensors changed; the
   * parameters and state dicts are untouched. A fold holds only in eval mode, so this layer in
   * training mode refuses one (run the convolution and the batch norm apart there). {@code add}
   * (null: none) is a residual as in {@link #forwardInto(Tensor, Activation, Tensor, Tensor)}.
   * Once warm, allocates nothing. Never records for a backward pass (the fold is the
   * inference path; a recorded forward runs the layers apart).
   *
   * @throws IllegalStateException with {@code bn} while this layer is in training mode
   */
  public Tensor forwardInto(Tensor x, BatchNormFold bn, Activation act, Tensor add,
      Tensor out) {
    return run(x, bn, act, add, out);
  }

  /** Every forward: {@code act(bn(conv(x)) + add)}, {@code bn} and {@code add} optional. */
  private Tensor run(Tensor x, BatchNormFold bn, Activation act, Tensor add, Tensor out) {
    if (bn != null && isTraining()) {
      throw new IllegalStateException(typeName() + ": a batch norm folds into a convolution"
          + " only in eval mode; in training mode run the batch norm after the convolution");
    }
    enterForward(); // the packed filters and patch buffers belong to this instance
    try {
      savedInput = isTraining() ? x : null;
      return args.run(x, weight.data(), bias == null ? null : bias.data(), bn, act, add, out,
          state);
    } finally {
      exitForward();
    }
  }

  /**
   * {@code act(bn(conv(x)) + add)} written into {@code out} (null allocates it), {@code bn}
   * the batch norm after this layer. With both layers in eval mode and {@code bn} tracking
   * running statistics, {@code bn} is folded into the packed filters ({@link
   * #forwardInto(Tensor, BatchNormFold, Activation, Tensor, Tensor)}; once warm, nothing is
   * allocated). Otherwise the fold would be wrong, so the convolution runs, then {@code bn}'s
   * own forward (in training mode it normalizes with the batch's statistics and updates the
   * running ones), then the residual and the activation. With {@code out} null while
   * recording for a backward pass, every step runs apart and records (nothing is folded).
   */
  public Tensor forwardInto(Tensor x, BatchNorm bn, Activation act, Tensor add, Tensor out) {
    if (records(x, out) || out == null && bn.records()) {
      return recorded(x, bn, act, add);
    }
    if (!isTraining() && !bn.isTraining() && bn.trackRunningStats()) {
      return forwardInto(x, foldOf(bn), act, add, out);
    }
    Tensor y = run(x, null, Activation.NONE, null, out);
    bn.forward(y, y); // in place
    if (add != null) {
      y.add_(add);
    }
    return act == Activation.RELU ? y.relu_() : y;
  }

  /**
   * {@code bn(conv(x))} into {@code out} with {@code bn} folded, for {@link Sequential}'s
   * buffered forward (the inference path: never records); both layers in eval mode.
   */
  Tensor forwardFolded(Tensor x, BatchNorm bn, Tensor out) {
    return forwardInto(x, foldOf(bn), Activation.NONE, null, out);
  }

  /** {@code bn}'s statistics as a fold, the last one again while they are the same tensors. */
  private BatchNormFold foldOf(BatchNorm bn) {
    Tensor w = bn.weight == null ? null : bn.weight.data();
    Tensor b = bn.bias == null ? null : bn.bias.data();
    BatchNormFold f = fold;
    if (f == null || f.runningMean() != bn.runningMean() || f.runningVar() != bn.runningVar()
        || f.weight() != w || f.bias() != b || f.eps() != bn.eps()) {
      f = new BatchNormFold(bn.runningMean(), bn.runningVar(), w, b, bn.eps());
      fold = f;
    }
    return f;
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

  /** A replica's layer packs nothing while the weights are the same: it reads the original's. */
  @Override
  protected void shareDerived(Module original) {
    state.shareFiltersOf(((ConvNd) original).state);
  }
}
