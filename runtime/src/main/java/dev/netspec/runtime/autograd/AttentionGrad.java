package dev.netspec.runtime.autograd;

import dev.netspec.runtime.nn.AttentionMask;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivative of {@code F.scaled_dot_product_attention(q, k, v, attn_mask, is_causal,
 * scale)} (without dropout), as PyTorch's math path differentiates it. With {@code q (..., L,
 * E)}, {@code k (..., S, E)}, {@code v (..., S, Ev)}, {@code s} the scale ({@code 1 /
 * sqrt(E)} by default) and the probabilities {@code P = softmax(s * q k^T + mask)} (the mask
 * additive: a float mask as given, a boolean one {@code -inf} where False, causal {@code
 * -inf} for keys after the query):
 *
 * <pre>
 * grad v  = P^T @ g
 * grad P  = g @ v^T;   grad scores = softmax's backward of grad P ({@link SoftmaxGrad})
 * grad q  = s * grad scores @ k;   grad k = s * grad scores^T @ q
 * </pre>
 *
 * <p>P is recomputed from q and k (the fused forward keeps no {@code L x S} matrix). A row
 * whose keys are all masked has NaN probabilities, so its gradients are NaN, as in PyTorch.
 * The mask gets no gradient (a buffer or a constant in every netspec model).
 */
public final class AttentionGrad {
  private AttentionGrad() {}

  /** The gradients of q, k and v, shaped as they are. */
  public record Result(Tensor q, Tensor k, Tensor v) {}

  /**
   * Every gradient of {@code scaled_dot_product_attention}; {@code mask} may be null and
   * {@code scale} null for {@code 1 / sqrt(E)}.
   */
  public static Result backward(Tensor gradOutput, Tensor q, Tensor k, Tensor v,
      AttentionMask mask, boolean causal, Float scale) {
    if (q.dim() < 2 || k.dim() != q.dim() || v.dim() != q.dim()) {
      throw new IllegalArgumentException("scaled_dot_product_attention backward: q, k and v"
          + " must have one rank >= 2, got " + Arrays.toString(q.shape()) + ", "
          + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
    }
    int[] outShape = q.shape();
    outShape[outShape.length - 1] = v.size(-1);
    if (!Arrays.equals(gradOutput.shape(), outShape)) {
      throw new IllegalArgumentException("scaled_dot_product_attention backward: gradOutput of"
          + " shape " + Arrays.toString(gradOutput.shape()) + " is not the output's "
          + Arrays.toString(outShape));
    }
    float s = scale != null ? scale : (float) (1 / Math.sqrt(q.size(-1)));
    Tensor p = probabilities(q, k, mask, causal, s); // (..., L, S)
    Tensor dv = p.transpose(-1, -2).matmul(gradOutput);
    Tensor dp = gradOutput.matmul(v.transpose(-1, -2));
    Tensor ds = SoftmaxGrad.softmax(dp, p, -1);
    Tensor dq = ds.matmul(k).mul(s);
    Tensor dk = ds.transpose(-1, -2).matmul(q).mul(s);
    return new Result(dq, dk, dv);
  }

  /**
   * Records {@code out = scaled_dot_product_attention(q, k, v, mask, causal, scale)}, named
   * as the last operation of PyTorch's math path ({@code attn @ v}: {@code
   * UnsafeViewBackward0} for batched heads, {@code MmBackward0} for matrices); q, k and v
   * are saved, the probabilities recomputed in the backward. Returns {@code out}.
   */
  public static Tensor record(Tensor q, Tensor k, Tensor v, AttentionMask mask,
      boolean causal, Float scale, Tensor out) {
    if (!Autograd.isRecording(new Tensor[] {q, k, v})) {
      return out;
    }
    Tensor[] qkv = {q, k, v};
    return Autograd.record(MatMulGrad.name(q.dim(), v.dim()), out, qkv, qkv, (g, s) -> {
      Result r = backward(g, s[0], s[1], s[2], mask, causal, scale);
      return new Tensor[] {r.q(), r.k(), r.v()};
    });
  }

  /** {@code softmax(s * q k^T + mask)} along the keys, the mask and causality applied. */
  static Tensor probabilities(Tensor q, Tensor k, AttentionMask mask, boolean causal,
      float s) {
    Tensor scores = q.matmul(k.transpose(-1, -2)).mul(s);
    if (mask != null) {
      Tensor m = mask.values();
      scores = scores.add(mask.isBool()
          ? m.map(x -> x != 0 ? 0 : Double.NEGATIVE_INFINITY) : m);
    }
    if (causal) {
      int l = q.size(-2);
      int n = k.size(-2);
      float[] future = new float[l * n];
      for (int i = 0; i < l; i++) {
        Arrays.fill(future, i * n + Math.min(n, i + 1), i * n + n, Float.NEGATIVE_INFINITY);
      }
      scores = scores.add(Tensor.fromArray(future, l, n));
    }
    return scores.softmax(-1);
  }
}
