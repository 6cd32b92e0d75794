package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.kernels.Convolution;
import dev.netspec.runtime.tensor.Tensor;

/**
 * What a convolution keeps between forwards: its packed filters ({@link PackedFilters},
 * shared with the layer's replicas), the eval-mode affine of a folded batch norm (this
 * state's scratch, compared with the packed one's), the GEMM's patch buffers, and the padded
 * input of a {@code reflect} or {@code replicate} convolution. One per layer (and per
 * replica); not for concurrent use.
 */
final class ConvState {
  private PackedFilters packed = new PackedFilters();
  private PackedFilters.Snapshot current;
  // The fold's affine and the batch norm tensors it was computed from (running_mean,
  // running_var, weight, bias), with their versions and eps: recomputed when one changed.
  private float[] scale = new float[0]; // (out): the batch norm's eval affine
  private float[] shift = new float[0]; // (out)
  private final Tensor[] foldSources = new Tensor[4];
  private final long[] foldVersions = new long[4];
  private double foldEps = Double.NaN;
  private final Convolution.Workspace workspace = new Convolution.Workspace();
  private float[] padded = new float[0];
  private ConvArgs.Plan plan;
  private int[] planShape;
  private Tensor planWeight;
  private int[] planWeightShape;

  /** A replica's state: reads (and refreshes) {@code original}'s packed filters. */
  void shareFiltersOf(ConvState original) {
    original.packed.share();
    packed = original.packed;
  }

  /**
   * Brings the folded copies (with {@code fold}) and the packed filters (for a geometry
   * {@code g} that is not depthwise) up to date with {@code weight}, {@code bias} (null: none)
   * and {@code fold} (null: none): redone only when one of them is another tensor or its
   * version changed, the fold's affine changed, or the geometry needs other filters.
   */
  void prepare(ConvGeometry g, Tensor weight, Tensor bias, BatchNormFold fold) {
    if (fold != null) {
      int out = weight.size(0);
      if (fold.channels() != out) {
        throw new IllegalArgumentException("batch norm fold: " + fold.channels() + " channels"
            + " after a convolution with " + out + " output channels");
      }
      boolean stale = changed(0, fold.runningMean()) | changed(1, fold.runningVar())
          | changed(2, fold.weight()) | changed(3, fold.bias()) | fold.eps() != foldEps
          | scale.length != out;
      foldEps = fold.eps();
      if (stale) {
        if (scale.length != out) {
          scale = new float[out];
          shift = new float[out];
        }
        Functional.batchNormAffine(fold.runningMean(), fold.runningVar(), fold.weight(),
            fold.bias(), fold.eps(), scale, shift);
      }
    }
    current = packed.of(g, weight, bias, fold != null, scale, shift);
  }

  /** Whether fold source {@code i} is not {@code t} at the version last seen; records it. */
  private boolean changed(int i, Tensor t) {
    long version = t == null ? 0 : t.version();
    boolean changed = foldSources[i] != t || foldVersions[i] != version;
    foldSources[i] = t;
    foldVersions[i] = version;
    return changed;
  }

  /** The folded filters {@code (out, in / groups * kh * kw)}, after {@link #prepare}. */
  float[] foldedWeight() {
    return current.foldedWeight();
  }

  /** The folded bias {@code (out)}, after {@link #prepare}. */
  float[] foldedBias() {
    return current.foldedBias();
  }

  /** The packed filters of the last {@link #prepare} of a geometry that is not depthwise. */
  Convolution.Filters filters() {
    return current.filters();
  }

  /** The plan of the last call if {@code x} and {@code weight} have its shapes, else null. */
  ConvArgs.Plan plan(Tensor x, Tensor weight) {
    return plan != null && weight == planWeight && x.hasShape(planShape)
        && weight.hasShape(planWeightShape) ? plan : null;
  }

  /** Keeps {@code plan} for later calls with inputs of {@code x}'s shape. */
  void keep(Tensor x, Tensor weight, ConvArgs.Plan plan) {
    this.plan = plan;
    this.planShape = x.shape();
    this.planWeight = weight;
    this.planWeightShape = weight.shape();
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
