package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.ActivationGrad;
import dev.netspec.runtime.autograd.AttentionGrad;
import dev.netspec.runtime.autograd.BatchNormGrad;
import dev.netspec.runtime.autograd.DropoutGrad;
import dev.netspec.runtime.autograd.EmbeddingGrad;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.autograd.GroupNormGrad;
import dev.netspec.runtime.autograd.LayerNormGrad;
import dev.netspec.runtime.autograd.LinearGrad;
import dev.netspec.runtime.autograd.UnaryGrad;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.UnaryOp;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * Stateless layer functions ({@code torch.nn.functional}): layers hold parameters and call
 * these. Generated code calls them too.
 */
public final class Functional {
  private Functional() {}

  /**
   * {@code F.linear}: {@code x @ weight.T + bias} in one fused GEMM pass; {@code x} is
   * {@code (..., in_features)}, {@code weight} {@code (out_features, in_features)} and
   * {@code bias} {@code (out_features)} or null.
   */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    return linear(x, weight, bias, Activation.NONE);
  }

  /** {@code relu(F.linear(x, weight, bias))} in one fused GEMM pass (bias and ReLU in the epilogue). */
  public static Tensor linearRelu(Tensor x, Tensor weight, Tensor bias) {
    return linear(x, weight, bias, Activation.RELU);
  }

  /**
   * {@code F.linear} with the weight read from {@code packed} (packed at the first call and
   * again whenever the weight changes): a fresh output, as {@link #linear(Tensor, Tensor,
   * Tensor)}, without repacking the weight on every call. {@link Linear} calls this.
   */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias, PackedWeight packed) {
    checkLinear(x, weight, bias);
    int[] shape = x.shape();
    shape[shape.length - 1] = weight.size(0);
    return LinearGrad.record(x, weight, bias, Activation.NONE,
        linearInto(x, weight, bias, Activation.NONE, packed, Tensor.zeros(shape)));
  }

  /**
   * {@code act(F.linear(x, weight, bias))} written into {@code out}, with the weight read from
   * {@code packed} (packed at the first call and again whenever the weight changes): the
   * zero-allocation forward. {@code out} must be contiguous, of shape {@code (...,
   * out_features)} matching {@code x}'s leading dims, and must not overlap {@code x}. Once
   * warm, a call with a contiguous {@code x} allocates nothing. Returns {@code out}.
   */
  public static Tensor linearInto(Tensor x, Tensor weight, Tensor bias, Activation act,
      PackedWeight packed, Tensor out) {
    checkLinear(x, weight, bias);
    int n = weight.size(0);
    int k = weight.size(1);
    if (!out.isContiguous() || out.dim() != x.dim() || out.size(-1) != n
        || !sameLeadingDims(x, out)) {
      throw new IllegalArgumentException("linear: output of shape "
          + Arrays.toString(out.shape()) + (out.isContiguous() ? "" : " (not contiguous)")
          + " does not hold the result for input " + Arrays.toString(x.shape())
          + " and weight " + Arrays.toString(weight.shape()));
    }
    if (out.sharesStorageWith(x)) {
      throw new IllegalArgumentException("linear: the output must not share storage with x");
    }
    int rows = 1; // the product of the leading dims
    for (int d = 0; d < x.dim() - 1; d++) {
      rows *= x.size(d);
    }
    Tensor xc = dense(x); // (rows, in)
    Tensor bc = bias == null ? null : dense(bias);
    float[] b = bc == null ? null : bc.array();
    int bOff = bc == null ? 0 : bc.arrayOffset();
    // Every batch size reads the packed weight, batch 1 too: a matrix-vector product is bound
    // by reading the weight, and 4 packed panels stream from memory 1.4x faster than 8 weight
    // rows read in place (docs/performance.md).
    Kernels.gemm(rows, xc.array(), xc.arrayOffset(), k, packed.of(weight), out.array(),
        out.arrayOffset(), n, b, bOff, act);
    out.bumpVersion();
    return out;
  }

  private static boolean sameLeadingDims(Tensor x, Tensor out) {
    for (int d = 0; d < x.dim() - 1; d++) {
      if (x.size(d) != out.size(d)) {
        return false;
      }
    }
    return true;
  }

  private static void checkLinear(Tensor x, Tensor weight, Tensor bias) {
    if (weight.dim() != 2) {
      throw new IllegalArgumentException(
          "linear: weight must be 2-D (out_features, in_features), got shape "
              + Arrays.toString(weight.shape()));
    }
    int out = weight.size(0);
    int in = weight.size(1);
    if (x.dim() == 0 || x.size(-1) != in) {
      throw new IllegalArgumentException("linear: input of shape " + Arrays.toString(x.shape())
          + " cannot be multiplied by weight of shape " + Arrays.toString(weight.shape())
          + " (expected " + in + " input features)");
    }
    if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) {
      throw new IllegalArgumentException("linear: bias of shape " + Arrays.toString(bias.shape())
          + " does not match " + out + " output features");
    }
  }

  private static Tensor linear(Tensor x, Tensor weight, Tensor bias, Activation act) {
    checkLinear(x, weight, bias);
    int out = weight.size(0);
    int in = weight.size(1);
    int[] yShape = x.shape();
    yShape[yShape.length - 1] = out;
    int rows = 1;
    for (int i = 0; i < yShape.length - 1; i++) {
      rows *= yShape[i];
    }
    Tensor xc = dense(x); // (rows, in)
    Tensor wc = dense(weight); // (out, in): the GEMM's transposed B
    Tensor bc = bias == null ? null : dense(bias);
    Tensor y = Tensor.zeros(yShape); // (rows, out)
    Kernels.gemm(rows, out, in, xc.array(), xc.arrayOffset(), in, wc.array(), wc.arrayOffset(),
        in, true, y.array(), 0, out, bc == null ? null : bc.array(),
        bc == null ? 0 : bc.arrayOffset(), act);
    return LinearGrad.record(x, weight, bias, act, y);
  }

  private static Tensor dense(Tensor t) {
    return t.isContiguous() ? t : t.contiguous();
  }

  public static Tensor relu(Tensor x) {
    return x.relu();
  }

  public static Tensor sigmoid(Tensor x) {
    return x.sigmoid();
  }

  public static Tensor tanh(Tensor x) {
    return x.tanh();
  }

  /** Exact GELU, {@code x * Phi(x)} with the error function, as PyTorch's default. */
  public static Tensor gelu(Tensor x) {
    return x.gelu();
  }

  /**
   * {@code F.embedding(ids, weight)}: the rows of {@code weight} ({@code [num, dim]}) at the
   * int64 {@code ids} (any shape), as {@code (..., dim)}.
   *
   * @throws IndexOutOfBoundsException naming the first id outside {@code [0, num)}, its
   *     position in {@code ids} and the range
   */
  public static Tensor embedding(Tensor ids, Tensor weight) {
    return embedding(ids, weight, null);
  }

  /**
   * {@link #embedding(Tensor, Tensor)}, recorded for a backward pass ({@code
   * EmbeddingBackward0}) in which the row {@code paddingIdx} (null: none) gets no gradient.
   */
  static Tensor embedding(Tensor ids, Tensor weight, Integer paddingIdx) {
    checkEmbedding(ids, weight);
    int[] shape = Arrays.copyOf(ids.shape(), ids.dim() + 1);
    shape[ids.dim()] = weight.size(1);
    return EmbeddingGrad.record(ids, weight, paddingIdx,
        embeddingInto(ids, weight, Tensor.zeros(shape)));
  }

  /**
   * {@link #embedding} written into {@code out} ({@code (..., dim)}) and returned;
   * allocation-free for contiguous {@code ids}, {@code weight} and {@code out}.
   */
  public static Tensor embeddingInto(Tensor ids, Tensor weight, Tensor out) {
    checkEmbedding(ids, weight);
    int dim = weight.size(1);
    boolean fits = out.dim() == ids.dim() + 1 && out.size(-1) == dim;
    for (int d = 0; fits && d < ids.dim(); d++) {
      fits = out.size(d) == ids.size(d);
    }
    if (!fits) {
      throw new IllegalArgumentException("embedding: out has shape "
          + Arrays.toString(out.shape()) + ", ids of shape " + Arrays.toString(ids.shape())
          + " and embedding_dim " + dim + " give (..., " + dim + ")");
    }
    Tensor w = weight.contiguous();
    Tensor ix = ids.isContiguous() ? ids : ids.clone();
    Tensor o = out.isContiguous() ? out.requireFloat("embedding") : Tensor.zeros(out.shape());
    long[] idArray = ix.longArray();
    int n = Math.toIntExact(ix.numel());
    int rows = weight.size(0);
    for (int i = 0; i < n; i++) {
      long id = idArray[ix.arrayOffset() + i];
      if (id < 0 || id >= rows) {
        throw new IndexOutOfBoundsException("embedding: id " + id + " at position "
            + Arrays.toString(unravel(i, ids.shape())) + " of the ids is out of range [0, "
            + rows + ")");
      }
    }
    o.bumpVersion();
    float[] src = w.array();
    float[] dst = o.array();
    for (int i = 0; i < n; i++) {
      int row = (int) idArray[ix.arrayOffset() + i];
      System.arraycopy(src, w.arrayOffset() + row * dim, dst, o.arrayOffset() + i * dim, dim);
    }
    return o == out ? out : out.copy_(o);
  }

  private static void checkEmbedding(Tensor ids, Tensor weight) {
    if (ids.dtype() != DType.INT64) {
      throw new IllegalArgumentException("embedding: ids must be int64 (torch.long), got "
          + ids.dtype() + "; convert with to(DType.INT64)");
    }
    if (weight.dim() != 2) {
      throw new IllegalArgumentException("embedding: weight must be 2-D, got shape "
          + Arrays.toString(weight.shape()));
    }
    weight.requireFloat("embedding");
  }

  /** The row-major multi-index of flat position {@code i} in {@code shape}. */
  private static int[] unravel(int i, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = i % shape[d];
      i /= shape[d];
    }
    return idx;
  }

  /**
   * {@code F.gelu(x, approximate)}: {@code "none"} is the exact GELU; {@code "tanh"} is
   * {@code 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))}.
   */
  public static Tensor gelu(Tensor x, String approximate) {
    if ("none".equals(approximate)) {
      return x.gelu();
    }
    if (!"tanh".equals(approximate)) {
      throw new IllegalArgumentException(
          "gelu: approximate must be 'none' or 'tanh', got '" + approximate + "'");
    }
    Tensor v = x.detach();
    Tensor inner = v.add(v.mul(v).mul(v).mul(0.044715f)).mul(SQRT_2_OVER_PI);
    return UnaryGrad.recordGeluTanh(x, v.mul(0.5f).mul(inner.tanh().add(1f)));
  }

  /** {@code F.silu(x)}: {@code x * sigmoid(x)}, in double per element ({@code SiluBackward0}). */
  public static Tensor silu(Tensor x) {
    return ActivationGrad.recordSilu(x, x.detach().map(Functional::silu));
  }

  /** {@link #silu(Tensor)} written into {@code out} (see {@link #mapInto}), never recorded. */
  public static Tensor siluInto(Tensor x, Tensor out) {
    return mapInto(x, out, Functional::silu);
  }

  private static double silu(double v) {
    return v / (1 + Math.exp(-v));
  }

  /**
   * {@code F.leaky_relu(x, negative_slope)}: {@code x > 0 ? x : x * negativeSlope}
   * ({@code LeakyReluBackward0}); PyTorch's default slope is 0.01.
   */
  public static Tensor leakyRelu(Tensor x, float negativeSlope) {
    return ActivationGrad.recordLeakyRelu(x, negativeSlope, x.detach().map(v -> leakyRelu(v, negativeSlope)));
  }

  /** {@link #leakyRelu(Tensor, float)} written into {@code out} (see {@link #mapInto}), never recorded. */
  public static Tensor leakyReluInto(Tensor x, float negativeSlope, Tensor out) {
    return mapInto(x, out, v -> leakyRelu(v, negativeSlope));
  }

  private static double leakyRelu(double v, float slope) {
    return v > 0 ? v : (float) v * slope; // the product in float, as PyTorch
  }

  /**
   * {@code torch.clamp(x, min, max)}: each element limited to {@code [min, max]} (an absent
   * bound is an infinity; {@code max} wins where {@code min > max}, NaN stays NaN), {@code
   * ClampBackward1}.
   */
  public static Tensor clamp(Tensor x, float min, float max) {
    return ActivationGrad.recordClamp(x, min, max, x.detach().map(v -> clamp(v, min, max)));
  }

  /** {@link #clamp(Tensor, float, float)} written into {@code out} (see {@link #mapInto}), never recorded. */
  public static Tensor clampInto(Tensor x, float min, float max, Tensor out) {
    return mapInto(x, out, v -> clamp(v, min, max));
  }

  private static double clamp(double v, float min, float max) {
    return Math.min(Math.max(v, min), max);
  }

  /**
   * {@code f(x)} written into {@code out} (the input's shape) and returned, never recorded:
   * allocation-free for a contiguous float {@code x} and a contiguous {@code out} that is
   * {@code x} itself or apart from it (else it computes and copies).
   */
  private static Tensor mapInto(Tensor x, Tensor out, DoubleUnaryOperator f) {
    if (!contiguousFloats(x, out)
        || out.sharesStorageWith(x) && out.arrayOffset() != x.arrayOffset()) {
      try (GradMode.Scope scope = GradMode.noGrad()) {
        return out.copy_(x.detach().map(f));
      }
    }
    out.bumpVersion();
    float[] in = x.array();
    float[] o = out.array();
    int xo = x.arrayOffset();
    int oo = out.arrayOffset();
    int n = Math.toIntExact(x.numel());
    for (int i = 0; i < n; i++) {
      o[oo + i] = (float) f.applyAsDouble(in[xo + i]);
    }
    return out;
  }

  /** Whether an elementwise {@code ...Into} can loop over the arrays: float, contiguous, one shape. */
  private static boolean contiguousFloats(Tensor x, Tensor out) {
    return x.dtype() == DType.FLOAT32 && x.isContiguous() && out.isContiguous() && out.sameShape(x);
  }

  private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

  /**
   * {@link #gelu(Tensor, String)} written into {@code out} (the input's shape) and returned,
   * never recorded: the same floats, allocation-free for a contiguous {@code x} and a
   * contiguous {@code out} that is not {@code x}'s storage (else it computes and copies).
   */
  public static Tensor geluInto(Tensor x, String approximate, Tensor out) {
    if (!"tanh".equals(approximate) || !contiguousFloats(x, out) || out.sharesStorageWith(x)) {
      try (GradMode.Scope scope = GradMode.noGrad()) {
        return out.copy_(gelu(x, approximate));
      }
    }
    out.bumpVersion();
    float[] in = x.array();
    float[] o = out.array();
    int xo = x.arrayOffset();
    int oo = out.arrayOffset();
    int n = Math.toIntExact(x.numel());
    for (int i = 0; i < n; i++) { // as gelu(x, "tanh") computes, one operation at a time
      float v = in[xo + i];
      o[oo + i] = (v + v * v * v * 0.044715f) * SQRT_2_OVER_PI;
    }
    Kernels.unary(UnaryOp.TANH, o, oo, o, oo, n);
    for (int i = 0; i < n; i++) {
      o[oo + i] = in[xo + i] * 0.5f * (o[oo + i] + 1f);
    }
    return out;
  }

  /**
   * {@code F.scaled_dot_product_attention(q, k, v, attn_mask, is_causal)} (PyTorch 2):
   * {@code softmax(q k^T / sqrt(E) + mask) v} for {@code q (..., L, E)}, {@code k (..., S,
   * E)} and {@code v (..., S, Ev)} with the same leading dims; returns {@code (..., L, Ev)}.
   * {@code attnMask} (or null) broadcasts to {@code (..., L, S)}: a float mask is added, a
   * boolean one ({@link AttentionMask#ofBool}) keeps the keys where it is True. {@code
   * isCausal} lets query {@code i} see keys {@code j <= i}; it excludes {@code attnMask}. A
   * row with every key masked is NaN, as in PyTorch. One fused kernel per {@code (batch,
   * head)}: the full {@code L x S} scores are never held (see {@link
   * dev.netspec.runtime.kernels.Attention}).
   */
  public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v,
      AttentionMask attnMask, boolean isCausal) {
    return AttentionGrad.record(q, k, v, attnMask, isCausal, null,
        ScaledDotProductAttention.apply(q, k, v, attnMask, isCausal, null));
  }

  /** As {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, AttentionMask, boolean)} with the factor {@code scale} instead of {@code 1 / sqrt(E)} (PyTorch 2.1's {@code scale=}). */
  public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v,
      AttentionMask attnMask, boolean isCausal, float scale) {
    return AttentionGrad.record(q, k, v, attnMask, isCausal, scale,
        ScaledDotProductAttention.apply(q, k, v, attnMask, isCausal, scale));
  }

  /**
   * {@link #scaledDotProductAttention(Tensor, Tensor, Tensor, AttentionMask, boolean)} with a
   * float mask (or null) written into {@code out} ({@code (..., L, Ev)}, any layout whose rows
   * are dense) and returned; it never records. Allocation-free, once warm, for rank-4
   * operands with dense rows and a mask broadcast over whole dims ({@code (batch, 1, 1, S)},
   * {@code (L, S)}); other cases compute and copy.
   */
  public static Tensor scaledDotProductAttentionInto(Tensor q, Tensor k, Tensor v, Tensor attnMask,
      boolean isCausal, Tensor out) {
    return ScaledDotProductAttention.into(q, k, v, attnMask, isCausal, out);
  }

  /**
   * {@link #scaledDotProductAttentionInto} with a boolean {@code attnMask} (1 and 0 floats):
   * PyTorch 2's, a query attends to the keys where it is True. The same floats as {@link
   * #scaledDotProductAttention} given {@code AttentionMask.ofBool(attnMask)}; allocation-free
   * on the same terms.
   */
  public static Tensor scaledDotProductAttentionBoolInto(Tensor q, Tensor k, Tensor v,
      Tensor attnMask, Tensor out) {
    return ScaledDotProductAttention.into(q, k, v, attnMask, true, false, out);
  }

  /** {@code softmax(x, dim)} over any dim (negative counts from the end), max subtracted. */
  public static Tensor softmax(Tensor x, int dim) {
    return x.softmax(dim);
  }

  public static Tensor logSoftmax(Tensor x, int dim) {
    return x.logSoftmax(dim);
  }

  /**
   * {@code F.dropout}: in training, zeroes each element with probability {@code p} and
   * scales the rest by {@code 1 / (1 - p)}; otherwise returns {@code x}.
   */
  public static Tensor dropout(Tensor x, float p, boolean training, Generator gen) {
    if (!(p >= 0 && p <= 1)) { // NaN too, as PyTorch
      throw new IllegalArgumentException(
          "dropout probability has to be between 0 and 1, but got "
              + PyFormat.floatRepr(Double.parseDouble(Float.toString(p)))); // p's own digits
    }
    if (!training || p == 0) {
      return x;
    }
    return dropout(x, dropoutMask(x.shape(), p, gen)); // p == 1: an all-zero mask
  }

  /**
   * The mask {@link #dropout(Tensor, float, boolean, Generator)} draws in training for an
   * input of shape {@code shape}: each element 0 with probability {@code p} (one {@code
   * gen.nextDouble()} per element, row-major), else {@code 1 / (1 - p)}; all zeros for {@code
   * p == 1} (then nothing is drawn). A backward reads it ({@code DropoutGrad}).
   */
  public static Tensor dropoutMask(int[] shape, float p, Generator gen) {
    return dropoutMaskInto(p, gen, Tensor.zeros(shape));
  }

  /**
   * {@link #dropoutMask} drawn into {@code mask} (contiguous, overwritten), the same draws in
   * the same order; returns {@code mask}.
   */
  public static Tensor dropoutMaskInto(float p, Generator gen, Tensor mask) {
    if (!mask.isContiguous()) {
      throw new IllegalArgumentException("dropout: the mask buffer must be contiguous");
    }
    float[] m = mask.array();
    int off = mask.arrayOffset();
    int n = Math.toIntExact(mask.numel());
    if (p == 1) {
      Arrays.fill(m, off, off + n, 0f);
    } else {
      float scale = 1f / (1f - p);
      for (int i = 0; i < n; i++) {
        m[off + i] = gen.nextDouble() < p ? 0f : scale;
      }
    }
    mask.bumpVersion();
    return mask;
  }

  /**
   * {@code x} with a dropout mask applied ({@link #dropoutMask}): 0 where the mask is 0, else
   * {@code x * mask}.
   */
  public static Tensor dropout(Tensor x, Tensor mask) {
    if (!Arrays.equals(x.shape(), mask.shape())) {
      throw new IllegalArgumentException("dropout: mask of shape "
          + Arrays.toString(mask.shape()) + " does not match the input "
          + Arrays.toString(x.shape()));
    }
    float[] m = mask.contiguous().toFloatArray();
    float[] y = x.contiguous().toFloatArray();
    for (int i = 0; i < y.length; i++) {
      y[i] = m[i] == 0 ? 0f : (float) (y[i] * (double) m[i]);
    }
    return DropoutGrad.record(x, mask, Tensor.fromArray(y, x.shape()));
  }

  /**
   * {@code F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)}
   * over the channel dim 1 of {@code x} {@code (N, C, *)}. In training it normalizes with the
   * batch's biased variance and, if the running statistics are given, updates them in place:
   * {@code running = (1 - momentum) * running + momentum * batch}, with the unbiased variance.
   * Otherwise it normalizes with the running statistics. {@code weight}, {@code bias} (and in
   * training the running statistics) may be null.
   */
  public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar,
      Tensor weight, Tensor bias, boolean training, double momentum, double eps) {
    int channels = checkBatchNorm(x, runningMean, runningVar, weight, bias, training);
    Tensor out = Tensor.zeros(x.shape());
    Normalization.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps,
        out, new float[channels], new float[channels], new float[channels],
        new float[channels]);
    return BatchNormGrad.record(x, weight, bias, runningMean, runningVar, training, eps, out);
  }

  /** Checks the arguments of a batch norm; returns the channel count. */
  static int checkBatchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight,
      Tensor bias, boolean training) {
    x.requireFloat("batch_norm");
    if (x.dim() < 2) {
      throw new IllegalArgumentException("batch_norm: input of shape "
          + Arrays.toString(x.shape()) + " has no channel dim (expected (N, C, *))");
    }
    int channels = x.size(1);
    if ((runningMean == null) != (runningVar == null)) {
      throw new IllegalArgumentException(
          "batch_norm: running_mean and running_var must both be given or both be null");
    }
    if (runningMean == null && !training) {
      throw new IllegalArgumentException(
          "batch_norm: running_mean and running_var must be defined in evaluation mode");
    }
    if (training && (long) x.size(0) * Normalization.spatial(x) <= 1) {
      throw new IllegalArgumentException("Expected more than 1 value per channel when training, "
          + "got input size " + Module.sizeString(x.shape()));
    }
    checkChannels("batch_norm", "running_mean", runningMean, channels, x);
    checkChannels("batch_norm", "running_var", runningVar, channels, x);
    checkChannels("batch_norm", "weight", weight, channels, x);
    checkChannels("batch_norm", "bias", bias, channels, x);
    return channels;
  }

  /**
   * {@code F.group_norm(x, num_groups, weight, bias, eps)}: each sample's channels {@code (N,
   * C, *)} split into {@code numGroups} groups, each normalized over its channels and spatial
   * dims (biased variance), then scaled and shifted per channel. {@code weight} and
   * {@code bias} may be null.
   */
  public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias,
      double eps) {
    checkGroupNorm(x, numGroups, weight, bias);
    Tensor out = Tensor.zeros(x.shape());
    int stats = x.size(0) * numGroups;
    Normalization.groupNorm(x, numGroups, weight, bias, eps, out, new float[stats],
        new float[stats]);
    return GroupNormGrad.record(x, numGroups, weight, bias, eps, out);
  }

  /** Checks the arguments of a group norm; returns the channel count. */
  static int checkGroupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias) {
    x.requireFloat("group_norm");
    if (x.dim() < 2) {
      throw new IllegalArgumentException("group_norm: input of shape "
          + Arrays.toString(x.shape()) + " has no channel dim (expected (N, C, *))");
    }
    int channels = x.size(1);
    if (numGroups <= 0 || channels % numGroups != 0) {
      throw new IllegalArgumentException("group_norm: expected number of channels in input to "
          + "be divisible by num_groups, but got input of shape " + Arrays.toString(x.shape())
          + " and num_groups=" + numGroups);
    }
    checkChannels("group_norm", "weight", weight, channels, x);
    checkChannels("group_norm", "bias", bias, channels, x);
    return channels;
  }

  private static void checkChannels(String op, String what, Tensor t, int channels, Tensor x) {
    if (t != null && (t.dim() != 1 || t.size(0) != channels)) {
      throw new IllegalArgumentException(op + ": " + what + " of shape "
          + Arrays.toString(t.shape()) + " does not match the " + channels
          + " channels of input " + Arrays.toString(x.shape()));
    }
  }

  /**
   * The eval-mode batch norm as one per-channel affine, {@code y = x * scale[c] + shift[c]}:
   * {@code scale = weight / sqrt(running_var + eps)}, {@code shift = bias - running_mean *
   * scale} (weight 1 and bias 0 when null), written into the caller's arrays of length C. A
   * convolution followed by an eval-mode batch norm folds into one convolution with these.
   */
  public static void batchNormAffine(Tensor runningMean, Tensor runningVar, Tensor weight,
      Tensor bias, double eps, float[] scale, float[] shift) {
    int channels = runningMean.size(0);
    if (runningVar.numel() != channels || scale.length != channels
        || shift.length != channels) {
      throw new IllegalArgumentException("batch_norm_affine: running_mean has " + channels
          + " channels, running_var " + runningVar.numel() + ", scale " + scale.length
          + ", shift " + shift.length);
    }
    float[] mean = runningMean.contiguous().toFloatArray();
    float[] var = runningVar.contiguous().toFloatArray();
    float[] invStd = new float[channels];
    for (int c = 0; c < channels; c++) {
      invStd[c] = Normalization.invStd(var[c], eps);
    }
    Normalization.affineFromStats(mean, invStd, weight, bias, scale, shift);
  }

  /**
   * {@code F.layer_norm} over the last {@code normalizedShape.length} dims, biased variance;
   * {@code weight} and {@code bias} may be null.
   */
  public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias,
      float eps) {
    int k = normalizedShape.length;
    int[] shape = x.shape();
    for (int i = 0; i < k; i++) {
      if (shape.length < k || shape[shape.length - k + i] != normalizedShape[i]) {
        throw new IllegalArgumentException("layer_norm: input shape "
            + Arrays.toString(shape) + " does not end with normalized shape "
            + Arrays.toString(normalizedShape));
      }
    }
    int rows = 1;
    for (int i = 0; i < shape.length - k; i++) {
      rows *= shape[i];
    }
    int n = (int) (x.numel() / Math.max(rows, 1));
    Tensor y;
    try (GradMode.Scope scope = GradMode.noGrad()) { // one node records it, below
      Tensor flat = x.contiguous().reshape(rows, n);
      Tensor mean = flat.mean(1, true);
      Tensor centered = flat.sub(mean);
      Tensor var = centered.mul(centered).mean(1, true);
      y = centered.div(var.add(eps).sqrt()).reshape(shape);
      if (weight != null) {
        y = y.mul(weight);
      }
      if (bias != null) {
        y = y.add(bias);
      }
    }
    return LayerNormGrad.record(x, normalizedShape, weight, bias, eps, y);
  }

  // ---------------------------------------------------------------- convolution and pooling

  /** {@code F.conv2d(x, weight, bias)}: stride 1, no padding, one group. */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
    return conv2d(x, weight, bias, new int[] {1}, new int[] {0}, new int[] {1}, 1);
  }

  /**
   * {@code F.conv2d}: {@code x} {@code (N, C_in, H, W)} or {@code (C_in, H, W)}, {@code weight}
   * {@code (C_out, C_in / groups, kH, kW)}, {@code bias} {@code (C_out)} or null; each size one
   * int or a pair. Packs the weight on every call: layers ({@link Conv2d}) keep it packed.
   */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride,
      int[] padding, int[] dilation, int groups) {
    return convArgs(2, weight, stride, padding, null, dilation, groups)
        .forward(x, weight, bias, new ConvState());
  }

  /** {@code F.conv2d} with {@code padding="same"} or {@code "valid"}. */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride,
      String padding, int[] dilation, int groups) {
    return convArgs(2, weight, stride, null, padding, dilation, groups)
        .forward(x, weight, bias, new ConvState());
  }

  /** {@code F.conv1d}: {@code x} {@code (N, C_in, L)} or {@code (C_in, L)}. */
  public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding,
      int dilation, int groups) {
    return convArgs(1, weight, new int[] {stride}, new int[] {padding}, null,
        new int[] {dilation}, groups).forward(x, weight, bias, new ConvState());
  }

  /** {@code F.conv1d} with {@code padding="same"} or {@code "valid"}. */
  public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, String padding,
      int dilation, int groups) {
    return convArgs(1, weight, new int[] {stride}, null, padding, new int[] {dilation}, groups)
        .forward(x, weight, bias, new ConvState());
  }

  private static ConvArgs convArgs(int dims, Tensor weight, int[] stride, int[] padding,
      String paddingString, int[] dilation, int groups) {
    if (weight.dim() != dims + 2) {
      throw new IllegalArgumentException("conv" + dims + "d: weight must be " + (dims + 2)
          + "-D, got " + Arrays.toString(weight.shape()));
    }
    int[] kernel = Arrays.copyOfRange(weight.shape(), 2, dims + 2);
    return new ConvArgs(dims, kernel, stride, padding, paddingString, dilation, groups,
        "zeros");
  }

  /** {@code F.max_pool2d(x, kernel_size)}: stride = kernel_size. */
  public static Tensor maxPool2d(Tensor x, int kernelSize) {
    return maxPool2d(x, new int[] {kernelSize}, null, new int[] {0}, new int[] {1}, false);
  }

  /** {@code F.max_pool2d}; each size one int or a pair, {@code stride} null for the kernel. */
  public static Tensor maxPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding,
      int[] dilation, boolean ceilMode) {
    return Pools.max(new PoolArgs("max_pool2d", 2, kernelSize, stride, padding, dilation,
        ceilMode), x, null, null);
  }

  /** {@code F.max_pool1d}. */
  public static Tensor maxPool1d(Tensor x, int kernelSize, int stride, int padding,
      int dilation, boolean ceilMode) {
    return Pools.max(new PoolArgs("max_pool1d", 1, new int[] {kernelSize}, new int[] {stride},
        new int[] {padding}, new int[] {dilation}, ceilMode), x, null, null);
  }

  /** {@code F.avg_pool2d(x, kernel_size)}: stride = kernel_size. */
  public static Tensor avgPool2d(Tensor x, int kernelSize) {
    return avgPool2d(x, new int[] {kernelSize}, null, new int[] {0}, false, true, null);
  }

  /**
   * {@code F.avg_pool2d}; each size one int or a pair, {@code stride} null for the kernel,
   * {@code divisorOverride} null for none.
   */
  public static Tensor avgPool2d(Tensor x, int[] kernelSize, int[] stride, int[] padding,
      boolean ceilMode, boolean countIncludePad, Integer divisorOverride) {
    return Pools.avg(new PoolArgs("avg_pool2d", 2, kernelSize, stride, padding, new int[] {1},
        ceilMode), x, null, countIncludePad, AvgPool2d.checkDivisor(divisorOverride));
  }

  /** {@code F.avg_pool1d}. */
  public static Tensor avgPool1d(Tensor x, int kernelSize, int stride, int padding,
      boolean ceilMode, boolean countIncludePad) {
    return Pools.avg(new PoolArgs("avg_pool1d", 1, new int[] {kernelSize}, new int[] {stride},
        new int[] {padding}, new int[] {1}, ceilMode), x, null, countIncludePad, 0);
  }

  /** {@code F.adaptive_avg_pool2d}: {@code outputSize} one int or a pair. */
  public static Tensor adaptiveAvgPool2d(Tensor x, int... outputSize) {
    return Pools.adaptive(false, "adaptive_avg_pool2d", 2,
        Pools.outputSize("adaptive_avg_pool2d", 2, outputSize), x, null, null);
  }

  /** {@code F.adaptive_avg_pool1d}. */
  public static Tensor adaptiveAvgPool1d(Tensor x, int outputSize) {
    return Pools.adaptive(false, "adaptive_avg_pool1d", 1,
        Pools.outputSize("adaptive_avg_pool1d", 1, new int[] {outputSize}), x, null, null);
  }

  /** {@code F.adaptive_max_pool2d}: {@code outputSize} one int or a pair. */
  public static Tensor adaptiveMaxPool2d(Tensor x, int... outputSize) {
    return Pools.adaptive(true, "adaptive_max_pool2d", 2,
        Pools.outputSize("adaptive_max_pool2d", 2, outputSize), x, null, null);
  }
}
