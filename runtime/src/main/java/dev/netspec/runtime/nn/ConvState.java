package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.kernels.Convolution;
import dev.netspec.runtime.tensor.Tensor;

/**
 * What a convolution keeps between forwards: its filters and bias packed for the GEMM,
 * repacked (in place) when either is another tensor or its {@link Tensor#version() version}
 * changed, as {@link PackedWeight} does for a Linear; with a {@link BatchNormFold}, folded
 * copies of them, redone likewise when any of the batch norm's tensors changes; the GEMM's
 * patch buffers; and the padded input of a {@code reflect} or {@code replicate} convolution.
 * One per layer; not for concurrent use.
 */
final class ConvState {
  // The tensors the packed filters (and folded copies) were made from, and their versions:
  // the weight, the bias, then a folded batch norm's running_mean, running_var, weight, bias.
  private final Tensor[] sources = new Tensor[6];
  private final long[] versions = new long[6];
  private boolean folded;
  private double foldEps;
  private boolean fresh;
  private float[] foldedWeight = new float[0]; // (out, in / groups * kh * kw)
  private float[] foldedBias = new float[0]; // (out)
  private float[] scale = new float[0]; // (out): the batch norm's eval affine
  private float[] shift = new float[0]; // (out)
  private Convolution.Filters filters;
  private final Convolution.Workspace workspace = new Convolution.Workspace();
  private float[] padded = new float[0];
  private ConvArgs.Plan plan;
  private int[] planShape;
  private Tensor planWeight;
  private int[] planWeightShape;

  /**
   * Brings the folded copies (with {@code fold}) and the packed filters (for a geometry
   * {@code g} that is not depthwise) up to date with {@code weight}, {@code bias} (null: none)
   * and {@code fold} (null: none): redone only when one of them is another tensor or its
   * version changed, or the geometry needs other filters. Packs in place when the shapes allow.
   */
  void prepare(ConvGeometry g, Tensor weight, Tensor bias, BatchNormFold fold) {
    boolean stale = !fresh | changed(0, weight) | changed(1, bias) | folded != (fold != null);
    if (fold != null) {
      stale |= changed(2, fold.runningMean()) | changed(3, fold.runningVar())
          | changed(4, fold.weight()) | changed(5, fold.bias()) | fold.eps() != foldEps;
    } else {
      for (int i = 2; i < sources.length; i++) {
        sources[i] = null;
      }
    }
    folded = fold != null;
    foldEps = fold == null ? 0 : fold.eps();
    fresh = true;
    if (stale && fold != null) {
      fold(weight, bias, fold);
    }
    if (g.isDepthwise()) {
      return;
    }
    boolean withBias = fold != null || bias != null;
    if (!stale && filters != null && filters.fits(g, withBias)) {
      return;
    }
    float[] w;
    int wOff;
    float[] b;
    int bOff;
    if (fold != null) {
      w = foldedWeight;
      wOff = 0;
      b = foldedBias;
      bOff = 0;
    } else {
      Tensor wc = weight.contiguous();
      Tensor bc = bias == null ? null : bias.contiguous();
      w = wc.array();
      wOff = wc.arrayOffset();
      b = bc == null ? null : bc.array();
      bOff = bc == null ? 0 : bc.arrayOffset();
    }
    if (filters != null && filters.fits(g, withBias)) {
      filters.repack(g, w, wOff, b, bOff);
    } else {
      filters = Convolution.Filters.pack(g, w, wOff, b, bOff);
    }
  }

  /** Whether source {@code i} is not {@code t} at the version last seen; records it. */
  private boolean changed(int i, Tensor t) {
    long version = t == null ? 0 : t.version();
    boolean changed = sources[i] != t || versions[i] != version;
    sources[i] = t;
    versions[i] = version;
    return changed;
  }

  /**
   * {@code w' = w * scale}, {@code b' = b * scale + shift} per output channel, with the batch
   * norm's eval-mode affine ({@link Functional#batchNormAffine}: {@code scale = gamma /
   * sqrt(var + eps)}, {@code shift = beta - mean * scale}), into the folded copies.
   */
  private void fold(Tensor weight, Tensor bias, BatchNormFold fold) {
    int out = weight.size(0);
    if (fold.channels() != out) {
      throw new IllegalArgumentException("batch norm fold: " + fold.channels() + " channels"
          + " after a convolution with " + out + " output channels");
    }
    int k = (int) (weight.numel() / out);
    if (foldedWeight.length != out * k) {
      foldedWeight = new float[out * k];
    }
    if (foldedBias.length != out) {
      foldedBias = new float[out];
      scale = new float[out];
      shift = new float[out];
    }
    Functional.batchNormAffine(fold.runningMean(), fold.runningVar(), fold.weight(),
        fold.bias(), fold.eps(), scale, shift);
    Tensor w = weight.contiguous();
    float[] wa = w.array();
    int wOff = w.arrayOffset();
    for (int c = 0; c < out; c++) {
      for (int i = 0; i < k; i++) {
        foldedWeight[c * k + i] = wa[wOff + c * k + i] * scale[c];
      }
      foldedBias[c] = bias == null ? shift[c] : Math.fma(bias.get(c), scale[c], shift[c]);
    }
  }

  /** The folded filters {@code (out, in / groups * kh * kw)}, after {@link #prepare}. */
  float[] foldedWeight() {
    return foldedWeight;
  }

  /** The folded bias {@code (out)}, after {@link #prepare}. */
  float[] foldedBias() {
    return foldedBias;
  }

  /** The packed filters of the last {@link #prepare} of a geometry that is not depthwise. */
  Convolution.Filters filters() {
    return filters;
  }

  /** The plan of the last call if {@code x} and {@code weight} have its shapes, else null. */
  ConvArgs.Plan plan(Tensor x, Tensor weight) {
    return plan != null && weight == planWeight && sameShape(x, planShape)
        && sameShape(weight, planWeightShape) ? plan : null;
  }

  /** Keeps {@code plan} for later calls with inputs of {@code x}'s shape. */
  void keep(Tensor x, Tensor weight, ConvArgs.Plan plan) {
    this.plan = plan;
    this.planShape = x.shape();
    this.planWeight = weight;
    this.planWeightShape = weight.shape();
  }

  /** Whether {@code t} has shape {@code shape}, without copying its shape. */
  static boolean sameShape(Tensor t, int[] shape) {
    if (t.dim() != shape.length) {
      return false;
    }
    for (int d = 0; d < shape.length; d++) {
      if (t.size(d) != shape[d]) {
        return false;
      }
    }
    return true;
  }

  Convolution.Workspace workspace() {
    return workspace;
  }

  /** A buffer of at least {@code size} floats for the padded input, grown when needed. */
  float[] padded(int size) {
    if (padded.length < size) {
      padded = new float[size];
    }
    return padded;
  }
}
