package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.kernels.Convolution;
import dev.netspec.runtime.tensor.Tensor;

/**
 * What a convolution keeps between forwards: its filters and bias packed for the GEMM,
 * repacked (in place) when either is another tensor or its {@link Tensor#version() version}
 * changed, as {@link PackedWeight} does for a Linear; the GEMM's patch buffers; and the padded
 * input of a {@code reflect} or {@code replicate} convolution. One per layer; not for
 * concurrent use.
 */
final class ConvState {
  private Tensor weight;
  private long weightVersion;
  private Tensor bias;
  private long biasVersion;
  private Convolution.Filters filters;
  private final Convolution.Workspace workspace = new Convolution.Workspace();
  private float[] padded = new float[0];
  private ConvArgs.Plan plan;
  private int[] planShape;
  private Tensor planWeight;
  private int[] planWeightShape;

  /** The packed form of {@code weight} and {@code bias} (null: none) for geometry {@code g}. */
  Convolution.Filters filters(ConvGeometry g, Tensor weight, Tensor bias) {
    boolean stale = weight != this.weight || weight.version() != weightVersion
        || bias != this.bias || (bias != null && bias.version() != biasVersion)
        || filters == null || !filters.fits(g, bias != null);
    if (stale) {
      Tensor w = weight.contiguous();
      Tensor b = bias == null ? null : bias.contiguous();
      float[] ba = b == null ? null : b.array();
      int bo = b == null ? 0 : b.arrayOffset();
      if (filters != null && filters.fits(g, bias != null)) {
        filters.repack(g, w.array(), w.arrayOffset(), ba, bo);
      } else {
        filters = Convolution.Filters.pack(g, w.array(), w.arrayOffset(), ba, bo);
      }
      this.weight = weight;
      this.weightVersion = weight.version();
      this.bias = bias;
      this.biasVersion = bias == null ? 0 : bias.version();
    }
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
