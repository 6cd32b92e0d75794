package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * The derivatives of {@code sum} and {@code mean}, all elements or along one dim: the
 * upstream gradient broadcast back over the reduced elements ({@code / n} for a mean). The
 * result is a contiguous tensor of the input's shape.
 */
public final class ReductionGrad {
  private ReductionGrad() {}

  /** Records {@code y = x.sum()} ({@code SumBackward0}) when recording; returns {@code y}. */
  public static Tensor recordSum(Tensor x, Tensor y) {
    if (!Autograd.isRecording(x)) {
      return y;
    }
    int[] shape = x.shape();
    return Autograd.recordUnary("SumBackward0", x, y, g -> sum(g, shape));
  }

  /** Records {@code y = x.mean()} ({@code MeanBackward0}); returns {@code y}. */
  public static Tensor recordMean(Tensor x, Tensor y) {
    if (!Autograd.isRecording(x)) {
      return y;
    }
    int[] shape = x.shape();
    return Autograd.recordUnary("MeanBackward0", x, y, g -> mean(g, shape));
  }

  /**
   * Records {@code y = x.sum(dim, keepdim)} ({@code SumBackward1}) or {@code x.mean(dim,
   * keepdim)} ({@code MeanBackward1}); returns {@code y}.
   */
  public static Tensor recordDim(boolean mean, Tensor x, int dim, boolean keepdim, Tensor y) {
    if (!Autograd.isRecording(x)) {
      return y;
    }
    int[] shape = x.shape();
    return Autograd.recordUnary(mean ? "MeanBackward1" : "SumBackward1", x, y,
        g -> mean ? mean(g, shape, dim, keepdim) : sum(g, shape, dim, keepdim));
  }

  /**
   * Records {@code y = x.max()} or {@code x.min()} ({@code MaxBackward1}, {@code
   * MinBackward1}): the gradient is shared evenly by the elements equal to the result, as
   * PyTorch 1.13 does. Returns {@code y}.
   */
  public static Tensor recordExtremum(boolean max, Tensor x, Tensor y) {
    return Autograd.record(max ? "MaxBackward1" : "MinBackward1", y, new Tensor[] {x},
        new Tensor[] {x, y}, (g, s) -> {
          Tensor hits = s[0].eq(s[1].item());
          return new Tensor[] {hits.mul(g.item() / hits.sumAsFloat())};
        });
  }

  /**
   * Records the values {@code y} of {@code x.max(dim, keepdim)} or {@code min} ({@code
   * MaxBackward0}, {@code MinBackward0}): each gradient goes to the element the forward chose
   * (the first largest, or smallest). Returns {@code y}.
   */
  public static Tensor recordExtremum(boolean max, Tensor x, int dim, boolean keepdim,
      Tensor y) {
    if (!Autograd.isRecording(x)) {
      return y;
    }
    Tensor indices;
    try (GradMode.Scope scope = GradMode.noGrad()) {
      indices = (max ? x : x.neg()).argmax(dim, keepdim);
    }
    int[] shape = x.shape();
    int d = dim < 0 ? dim + Math.max(1, shape.length) : dim;
    return Autograd.recordUnary(max ? "MaxBackward0" : "MinBackward0", x, y, g -> {
      Tensor gk = keepdim || shape.length == 0 ? g : g.unsqueeze(d);
      Tensor ik = keepdim || shape.length == 0 ? indices : indices.unsqueeze(d);
      Tensor out = Tensor.zeros(shape);
      if (shape.length == 0) {
        return out.add_(gk);
      }
      int[] idx = new int[shape.length];
      int[] at = new int[shape.length];
      int[] small = gk.shape();
      for (long i = 0, n = gk.numel(); i < n; i++) {
        System.arraycopy(idx, 0, at, 0, idx.length);
        at[d] = (int) ik.get(idx);
        out.set(out.get(at) + gk.get(idx), at);
        for (int k = idx.length - 1; k >= 0 && ++idx[k] == small[k]; k--) {
          idx[k] = 0;
        }
      }
      return out;
    });
  }

  /** {@code x.sum()}: every element gets {@code g} (a scalar). */
  public static Tensor sum(Tensor gradOutput, int[] inputShape) {
    return gradOutput.reshape().expand(inputShape).contiguous();
  }

  /** {@code x.mean()}: every element gets {@code g / numel}. */
  public static Tensor mean(Tensor gradOutput, int[] inputShape) {
    long n = 1;
    for (int d : inputShape) {
      n *= d;
    }
    return sum(gradOutput, inputShape).div_((float) n);
  }

  /** {@code x.sum(dim, keepdim)}: {@code g} repeated along {@code dim}. */
  public static Tensor sum(Tensor gradOutput, int[] inputShape, int dim, boolean keepdim) {
    int d = dim < 0 ? dim + inputShape.length : dim;
    if (d < 0 || d >= inputShape.length) {
      throw new IllegalArgumentException("dim " + dim + " is out of range for rank "
          + inputShape.length);
    }
    Tensor g = keepdim ? gradOutput : gradOutput.unsqueeze(d);
    return g.expand(inputShape).contiguous();
  }

  /** {@code x.mean(dim, keepdim)}: {@code g / n} repeated along {@code dim}. */
  public static Tensor mean(Tensor gradOutput, int[] inputShape, int dim, boolean keepdim) {
    int d = dim < 0 ? dim + inputShape.length : dim;
    return sum(gradOutput, inputShape, dim, keepdim).div_((float) inputShape[d]);
  }
}
