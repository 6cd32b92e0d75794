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
 * A float mask that requires a gradient (a block's float input) gets {@code grad scores}
 * summed to its shape, as PyTorch's {@code scores + mask} gives it; a boolean or causal mask
 * gets none.
 */
public final class AttentionGrad {
  private AttentionGrad() {}

  /**
   * The gradients of q, k and v, shaped as they are, and of the scores {@code (..., L, S)}
   * (what a float mask added to them receives, summed to its shape).
   */
  public record Result(Tensor q, Tensor k, Tensor v, Tensor scores) {}

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
    return new Result(dq, dk, dv, ds);
  }

  /**
   * Records {@code out = scaled_dot_product_attention(q, k, v, mask, causal, scale)}, named
   * as the last operation of PyTorch's math path ({@code attn @ v}: {@code
   * UnsafeViewBackward0} for batched heads, {@code MmBackward0} for matrices); q, k and v
   * are saved, the probabilities recomputed in the backward. Returns {@code out}.
   */
  public static Tensor record(Tensor q, Tensor k, Tensor v, AttentionMask mask,
      boolean causal, Float scale, Tensor out) {
    Tensor m = differentiable(mask);
    Tensor[] inputs = {q, k, v, m};
    if (!Autograd.isRecording(inputs)) {
      return out;
    }
    Tensor[] qkv = {q, k, v};
    return Autograd.record(MatMulGrad.name(q.dim(), v.dim()), out, inputs, qkv, (g, s) -> {
      Result r = backward(g, s[0], s[1], s[2], mask, causal, scale);
      return new Tensor[] {r.q(), r.k(), r.v(), m == null ? null : Grads.sumTo(r.scores(), m.shape())};
    });
  }

  /** A float mask's values, which may require a gradient; null for none or a boolean mask. */
  private static Tensor differentiable(AttentionMask mask) {
    return mask == null || mask.isBool() ? null : mask.values();
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
  /**
   * How {@code nn.MultiheadAttention} lays out its heads: each projection is {@code (len, N,
   * W)} ({@code seqFirst}), {@code (N, len, W)} or unbatched {@code (len, W)}, and head {@code
   * h} is the {@code headDim} columns at {@code col + h * headDim} of it.
   */
  public record Heads(int batch, int heads, int headDim, boolean seqFirst) {
    /** The heads of {@code t} from column {@code col} as {@code (N, heads, len, headDim)}. */
    Tensor extract(Tensor t, int col, int len) {
      Tensor x = t.narrow(-1, col, heads * headDim).contiguous();
      if (seqFirst) {
        return x.reshape(len, batch, heads, headDim).permute(1, 2, 0, 3).contiguous();
      }
      return x.reshape(batch, len, heads, headDim).permute(0, 2, 1, 3).contiguous();
    }

    /** {@link #extract}'s adjoint: {@code g} placed at its columns of a zero tensor. */
    Tensor scatter(Tensor g, int[] shape, int col, int len) {
      Tensor back = seqFirst ? g.permute(2, 0, 1, 3) : g.permute(0, 2, 1, 3);
      Tensor grad = Tensor.zeros(shape);
      int[] cols = shape.clone();
      cols[cols.length - 1] = heads * headDim;
      grad.narrow(-1, col, heads * headDim).copy_(back.contiguous().reshape(cols));
      return grad;
    }
  }

  /**
   * Records the attention of {@code nn.MultiheadAttention} between its projections when
   * recording is on and one of them requires a gradient: {@code q}, {@code k} and {@code v}
   * (possibly one tensor, the packed projection, at columns {@code qCol}, {@code kCol},
   * {@code vCol}) laid out as {@code heads} says, {@code mask} (null: none) additive and
   * broadcast to {@code (N, heads, L, S)}, {@code dropMask} (null: none) the dropout mask of
   * the probabilities in training; a mask that requires a gradient (built from a float
   * {@code attn_mask} or {@code key_padding_mask} that does) gets the scores' gradient summed
   * to its shape. {@code attn} is the heads' output side by side, laid out as
   * the query; {@code weights} (null unless asked for) the probabilities {@code (N, heads, L,
   * S)}, after dropout, as PyTorch 1.13 returns them. One node ({@code BmmBackward0}, the name
   * of PyTorch's last product) with PyTorch's math: the probabilities are recomputed from q
   * and k. Returns {@code {attn, weights}}.
   */
  public static Tensor[] recordMultihead(Heads heads, Tensor q, int qCol, Tensor k, int kCol,
      Tensor v, int vCol, Tensor mask, Tensor dropMask, Tensor attn, Tensor weights) {
    if (Autograd.isRecording(q, k, v, mask)) {
      new MultiheadBackward(heads, q, qCol, k, kCol, v, vCol, mask, dropMask)
          .record(weights == null ? new Tensor[] {attn} : new Tensor[] {attn, weights});
    }
    return new Tensor[] {attn, weights};
  }

  /**
   * Records the causal self-attention of the {@code kv_cache} layer over its packed projection
   * {@code qkv (batch, n, 3E)} from position 0 ({@code y (batch, n, E)}, heads side by side)
   * when recording is on and {@code qkv} requires a gradient: the node of {@link
   * #recordMultihead} with a causal mask, under nanoGPT's last op {@code ViewBackward0}.
   * Returns {@code y}.
   */
  public static Tensor recordCausalPacked(Tensor qkv, int heads, Tensor y) {
    if (!Autograd.isRecording(qkv)) {
      return y;
    }
    int n = qkv.size(1);
    int e = qkv.size(2) / 3;
    float[] future = new float[n * n];
    for (int i = 0; i < n; i++) {
      Arrays.fill(future, i * n + i + 1, i * n + n, Float.NEGATIVE_INFINITY);
    }
    Tensor attn = recordMultihead(new Heads(qkv.size(0), heads, e / heads, false), qkv, 0, qkv,
        e, qkv, 2 * e, Tensor.fromArray(future, n, n), null, y, null)[0];
    return Autograd.recordUnary("ViewBackward0", attn, attn.detach(), g -> g);
  }

  private static final class MultiheadBackward extends Node {
    private final Heads heads;
    private final SavedTensor q;
    private final SavedTensor k;
    private final SavedTensor v;
    private final int qCol;
    private final int kCol;
    private final int vCol;
    private final SavedTensor mask;
    private final SavedTensor dropMask;

    MultiheadBackward(Heads heads, Tensor q, int qCol, Tensor k, int kCol, Tensor v, int vCol,
        Tensor mask, Tensor dropMask) {
      super("BmmBackward0", q, k, v, mask);
      this.heads = heads;
      this.q = save(q);
      this.k = save(k);
      this.v = save(v);
      this.qCol = qCol;
      this.kCol = kCol;
      this.vCol = vCol;
      this.mask = save(mask);
      this.dropMask = save(dropMask);
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      Tensor qt = q.get();
      Tensor kt = k.get();
      Tensor vt = v.get();
      int l = qt.size(heads.seqFirst() || qt.dim() == 2 ? 0 : 1);
      int s = kt.size(heads.seqFirst() || kt.dim() == 2 ? 0 : 1);
      Tensor qh = heads.extract(qt, qCol, l);
      Tensor kh = heads.extract(kt, kCol, s);
      Tensor vh = heads.extract(vt, vCol, s);
      float scale = (float) (1 / Math.sqrt(heads.headDim()));
      Tensor p = probabilities(qh, kh, mask == null ? null : AttentionMask.of(mask.get()),
          false, scale);
      Tensor drop = dropMask == null ? null : dropMask.get();
      Tensor dropped = drop == null ? p : p.mul(drop);
      int[] attnShape = qt.shape();
      attnShape[attnShape.length - 1] = heads.heads() * heads.headDim();
      Tensor g = gradOutputs[0] != null ? gradOutputs[0] : Tensor.zeros(attnShape);
      Tensor gh = heads.extract(g, 0, l);
      Tensor dv = dropped.transpose(-1, -2).matmul(gh);
      Tensor dp = gh.matmul(vh.transpose(-1, -2));
      if (gradOutputs.length > 1 && gradOutputs[1] != null) {
        dp = dp.add(gradOutputs[1]);
      }
      if (drop != null) {
        dp = dp.mul(drop);
      }
      Tensor ds = SoftmaxGrad.softmax(dp, p, -1);
      return new Tensor[] {
        needsInputGrad(0) ? heads.scatter(ds.matmul(kh).mul(scale), qt.shape(), qCol, l) : null,
        needsInputGrad(1)
            ? heads.scatter(ds.transpose(-1, -2).matmul(qh).mul(scale), kt.shape(), kCol, s)
            : null,
        needsInputGrad(2) ? heads.scatter(dv, vt.shape(), vCol, s) : null,
        needsInputGrad(3) ? Grads.sumTo(ds, mask.get().shape()) : null
      };
    }
  }
}
