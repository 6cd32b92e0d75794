package dev.netspec.runtime.optim;

import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** {@code torch.nn.utils.clip_grad_norm_}. */
public final class ClipGrad {
  private ClipGrad() {}

  /** {@code clip_grad_norm_(params, max_norm)}: the 2-norm. */
  public static float clipGradNorm(Collection<Parameter> params, double maxNorm) {
    return clipGradNorm(params, maxNorm, 2.0);
  }

  /**
   * Scales every gradient in place by {@code min(1, max_norm / (total + 1e-6))}, where
   * {@code total} is the {@code normType}-norm of the gradients' norms (the norm of all
   * gradients as one vector; {@code Double.POSITIVE_INFINITY} for the largest magnitude);
   * parameters without a gradient are skipped. Returns {@code total} (0 if no gradient), in
   * float as PyTorch's tensor. Each norm is summed in double and rounded to float.
   */
  public static float clipGradNorm(Collection<Parameter> params, double maxNorm,
      double normType) {
    if (!(normType > 0)) {
      throw new IllegalArgumentException("clip_grad_norm_: norm_type must be positive, got "
          + normType);
    }
    List<Tensor> grads = new ArrayList<>();
    for (Parameter p : params) {
      if (p.grad() != null) {
        grads.add(p.grad());
      }
    }
    if (grads.isEmpty()) {
      return 0f;
    }
    boolean inf = Double.isInfinite(normType);
    float[] norms = new float[grads.size()];
    for (int i = 0; i < norms.length; i++) {
      norms[i] = norm(grads.get(i).toFloatArray(), normType, inf);
    }
    float total = norm(norms, normType, inf);
    float coef = (float) maxNorm / (total + (float) 1e-6);
    float clamped = coef > 1f ? 1f : coef; // NaN stays NaN, as torch.clamp
    for (Tensor g : grads) {
      g.mul_(clamped);
    }
    return total;
  }

  private static float norm(float[] x, double p, boolean inf) {
    if (inf) {
      float max = 0;
      for (float v : x) {
        float a = Math.abs(v);
        if (!(a <= max)) {
          max = a; // NaN wins
        }
      }
      return max;
    }
    double sum = 0;
    for (float v : x) {
      sum += p == 2 ? (double) v * v : Math.pow(Math.abs(v), p);
    }
    return (float) (p == 2 ? Math.sqrt(sum) : p == 1 ? sum : Math.pow(sum, 1 / p));
  }
}
