package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.kernels.Convolution;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * A convolution's filters and bias packed for the GEMM (and, with a {@link BatchNormFold},
 * folded first), kept between forwards and shared by a layer and its replicas, as {@link
 * PackedWeight} is for a Linear: one copy of the packed weights however many threads serve.
 * Redone when the weight or bias is another tensor or its {@link Tensor#version() version}
 * changed, when the fold's eval-mode affine differs (compared by value: a replica's batch norm
 * holds copies of the original's running statistics), or when the geometry needs other
 * filters. While no replica shares it, it repacks in place (no allocation); once shared, a
 * change builds a new snapshot and publishes it, so a thread inside a forward keeps reading
 * the one it took. Editing the weights while another thread runs a forward is, as in
 * PyTorch, a race the caller must avoid.
 */
final class PackedFilters {
  /** What the packed filters were made from, and them. Mutated in place only while unshared. */
  static final class Snapshot {
    private Tensor weight;
    private long weightVersion;
    private Tensor bias;
    private long biasVersion;
    private boolean folded;
    private float[] scale = new float[0]; // (out): the fold's eval-mode affine
    private float[] shift = new float[0]; // (out)
    private float[] foldedWeight = new float[0]; // (out, in / groups * kh * kw)
    private float[] foldedBias = new float[0]; // (out)
    private Convolution.Filters filters;

    float[] foldedWeight() {
      return foldedWeight;
    }

    float[] foldedBias() {
      return foldedBias;
    }

    Convolution.Filters filters() {
      return filters;
    }

    /** Whether these filters are those of the arguments ({@code scale}, {@code shift}: the fold's). */
    boolean matches(ConvGeometry g, Tensor w, Tensor b, boolean fold, float[] sc, float[] sh) {
      return weight == w && weightVersion == w.version() && bias == b
          && biasVersion == (b == null ? 0 : b.version()) && folded == fold
          && (!fold || Arrays.equals(scale, sc) && Arrays.equals(shift, sh))
          && (g.isDepthwise() || filters != null && filters.fits(g, fold || b != null));
    }
  }

  private volatile Snapshot current;
  private volatile boolean shared;

  /** From now on a replica reads these filters too: no more packing in place. */
  synchronized void share() {
    shared = true;
  }

  /**
   * The packed (and folded) filters of {@code weight}, {@code bias} (null: none) and, if
   * {@code fold} is true, the affine {@code scale}, {@code shift} per output channel.
   */
  Snapshot of(ConvGeometry g, Tensor weight, Tensor bias, boolean fold, float[] scale,
      float[] shift) {
    Snapshot s = current;
    if (s != null && s.matches(g, weight, bias, fold, scale, shift)) {
      return s;
    }
    return rebuild(g, weight, bias, fold, scale, shift);
  }

  private synchronized Snapshot rebuild(ConvGeometry g, Tensor weight, Tensor bias, boolean fold,
      float[] scale, float[] shift) {
    Snapshot old = current;
    if (old != null && old.matches(g, weight, bias, fold, scale, shift)) {
      return old;
    }
    Snapshot s = old == null || shared ? new Snapshot() : old;
    s.weight = weight;
    s.weightVersion = weight.version();
    s.bias = bias;
    s.biasVersion = bias == null ? 0 : bias.version();
    s.folded = fold;
    if (fold) {
      s.scale = copyInto(s == old ? s.scale : new float[0], scale);
      s.shift = copyInto(s == old ? s.shift : new float[0], shift);
      fold(s, weight, bias, scale, shift);
    }
    if (!g.isDepthwise()) {
      pack(s, s == old, g, weight, bias, fold);
    }
    current = s;
    return s;
  }

  private static float[] copyInto(float[] dst, float[] src) {
    float[] d = dst.length == src.length ? dst : new float[src.length];
    System.arraycopy(src, 0, d, 0, src.length);
    return d;
  }

  /** {@code w' = w * scale}, {@code b' = b * scale + shift} per output channel. */
  private static void fold(Snapshot s, Tensor weight, Tensor bias, float[] scale, float[] shift) {
    int out = weight.size(0);
    int k = (int) (weight.numel() / out);
    if (s.foldedWeight.length != out * k) {
      s.foldedWeight = new float[out * k];
    }
    if (s.foldedBias.length != out) {
      s.foldedBias = new float[out];
    }
    Tensor w = weight.contiguous();
    float[] wa = w.array();
    int wOff = w.arrayOffset();
    for (int c = 0; c < out; c++) {
      for (int i = 0; i < k; i++) {
        s.foldedWeight[c * k + i] = wa[wOff + c * k + i] * scale[c];
      }
      s.foldedBias[c] = bias == null ? shift[c] : Math.fma(bias.get(c), scale[c], shift[c]);
    }
  }

  /** The GEMM's packed filters, in place when {@code inPlace} and the shapes allow. */
  private static void pack(Snapshot s, boolean inPlace, ConvGeometry g, Tensor weight,
      Tensor bias, boolean fold) {
    float[] w;
    int wOff;
    float[] b;
    int bOff;
    if (fold) {
      w = s.foldedWeight;
      wOff = 0;
      b = s.foldedBias;
      bOff = 0;
    } else {
      Tensor wc = weight.contiguous();
      Tensor bc = bias == null ? null : bias.contiguous();
      w = wc.array();
      wOff = wc.arrayOffset();
      b = bc == null ? null : bc.array();
      bOff = bc == null ? 0 : bc.arrayOffset();
    }
    if (inPlace && s.filters != null && s.filters.fits(g, fold || bias != null)) {
      s.filters.repack(g, w, wOff, b, bOff);
    } else {
      s.filters = Convolution.Filters.pack(g, w, wOff, b, bOff);
    }
  }
}
