package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.Attention;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * {@link Functional#scaledDotProductAttention} on tensors: checks the shapes, lays the
 * leading dims out as the kernel's {@code (batch, head)} grid and the mask as broadcast
 * strides, and runs the fused {@link Attention} kernel.
 */
final class ScaledDotProductAttention {
  private static final String NAME = "scaled_dot_product_attention";

  private ScaledDotProductAttention() {}

  /** {@code q (..., L, E)}, {@code k (..., S, E)}, {@code v (..., S, Ev)} -> {@code (..., L, Ev)}. */
  static Tensor apply(Tensor q, Tensor k, Tensor v, AttentionMask mask, boolean causal,
      Float scale) {
    int r = q.dim();
    if (r < 2 || k.dim() != r || v.dim() != r) {
      throw new IllegalArgumentException(NAME + ": q, k and v must have the same rank >= 2"
          + " (..., L, E), got shapes " + shapes(q, k, v));
    }
    int l = q.size(-2);
    int e = q.size(-1);
    int s = k.size(-2);
    int ev = v.size(-1);
    for (int d = 0; d < r - 2; d++) {
      if (k.size(d) != q.size(d) || v.size(d) != q.size(d)) {
        throw new IllegalArgumentException(NAME + ": q, k and v must have the same leading"
            + " dims, got shapes " + shapes(q, k, v));
      }
    }
    if (k.size(-1) != e || v.size(-2) != s) {
      throw new IllegalArgumentException(NAME + ": expected k (..., S, " + e + ") and v (..., S,"
          + " Ev) with the same S, got shapes " + shapes(q, k, v));
    }
    if (mask != null && causal) {
      throw new IllegalArgumentException(
          NAME + ": an explicit attn_mask must not be set when is_causal is true");
    }
    int heads = r >= 3 ? q.size(r - 3) : 1;
    int batch = 1; // the product of the dims before the heads
    for (int d = 0; d < r - 3; d++) {
      batch *= q.size(d);
    }
    int[] outShape = q.shape();
    outShape[r - 1] = ev;
    // The output takes the query's layout when the query is a (batch, L, heads, E) projection
    // seen as (batch, heads, L, E): then transpose(1, 2).reshape(batch, L, heads * ev) after
    // this call is a view, not a copy.
    boolean headsInner = r == 4 && q.size(1) > 1 && q.stride()[1] < q.stride()[2];
    Tensor out = headsInner
        ? Tensor.zeros(outShape[0], l, heads, ev).transpose(1, 2) : Tensor.zeros(outShape);
    if (out.numel() == 0 || s == 0) {
      return out; // no keys: softmax over nothing weighs nothing, zeros as in PyTorch
    }
    Tensor qc = strided(q);
    Tensor kc = strided(k);
    Tensor vc = strided(v);
    Attention att = new Attention().dims(batch, heads, l, s, e, ev).causal(causal)
        .query(qc.stridedArray(), qc.arrayOffset(), step(qc, r - 4), step(qc, r - 3),
            step(qc, r - 2))
        .key(kc.stridedArray(), kc.arrayOffset(), step(kc, r - 4), step(kc, r - 3),
            step(kc, r - 2))
        .value(vc.stridedArray(), vc.arrayOffset(), step(vc, r - 4), step(vc, r - 3),
            step(vc, r - 2))
        .output(out.stridedArray(), 0, step(out, r - 4), step(out, r - 3), step(out, r - 2));
    if (scale != null) {
      att.scale(scale);
    }
    if (mask != null) {
      setMask(att, mask, q.shape(), s);
    }
    att.run();
    return out;
  }

  /** The kernel plan {@link #into} reuses, one per thread: a warm call allocates nothing. */
  private static final ThreadLocal<Attention> PLAN = ThreadLocal.withInitial(Attention::new);

  /**
   * {@link #apply} written into {@code out} ({@code (..., L, Ev)}, any layout with dense rows)
   * and returned. Allocation-free for rank-4 operands with dense rows and a float mask of
   * {@code (L or 1, S)} per slice, the same for every slice or one per batch and head (a
   * padding mask {@code (batch, 1, 1, S)}, a causal one {@code (L, S)}); any other case
   * computes by {@link #apply} and copies.
   */
  static Tensor into(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, Tensor out) {
    return into(q, k, v, mask, false, causal, out);
  }

  /**
   * {@link #into(Tensor, Tensor, Tensor, Tensor, boolean, Tensor)} with a boolean {@code mask}
   * when {@code bool} (PyTorch 2's: attend where True, nonzero here), on the same terms.
   */
  static Tensor into(Tensor q, Tensor k, Tensor v, Tensor mask, boolean bool, boolean causal,
      Tensor out) {
    if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4 || out.dim() != 4 || mask != null && causal
        || q.stride(3) != 1 || k.stride(3) != 1 || v.stride(3) != 1 || out.stride(3) != 1
        || !fitsInto(q, k, v, out) || mask != null && !plainMask(mask, q.size(0), q.size(1), q.size(2), k.size(2))) {
      AttentionMask m = mask == null ? null : bool ? AttentionMask.ofBool(mask) : AttentionMask.of(mask);
      return out.copy_(apply(q, k, v, m, causal, null));
    }
    int l = q.size(2);
    int s = k.size(2);
    if (out.numel() == 0) {
      return out;
    }
    if (s == 0) {
      return out.fill_(0f);
    }
    Attention att = PLAN.get().dims(q.size(0), q.size(1), l, s, q.size(3), v.size(3)).causal(causal)
        .query(q.stridedArray(), q.arrayOffset(), q.stride(0), q.stride(1), q.stride(2))
        .key(k.stridedArray(), k.arrayOffset(), k.stride(0), k.stride(1), k.stride(2))
        .value(v.stridedArray(), v.arrayOffset(), v.stride(0), v.stride(1), v.stride(2))
        .output(out.stridedArray(), out.arrayOffset(), out.stride(0), out.stride(1), out.stride(2))
        .probabilities(null, 0, 0, 0, 0)
        .logSumExp(null, 0, 0, 0);
    if (mask == null) {
      att.mask(null, 0, 0, 0, 0, Attention.MaskMode.ADD);
    } else {
      int r = mask.dim();
      int rows = r >= 2 ? mask.size(r - 2) : 1;
      int maskHeads = r >= 3 ? mask.size(r - 3) : 1;
      int maskBatch = r >= 4 ? mask.size(0) : 1;
      att.mask(mask.stridedArray(), mask.arrayOffset(), maskBatch == 1 ? 0 : mask.stride(0),
          maskHeads == 1 ? 0 : mask.stride(r - 3), rows == 1 ? 0 : mask.stride(r - 2),
          bool ? Attention.MaskMode.ATTEND_WHERE_NONZERO : Attention.MaskMode.ADD);
    }
    out.bumpVersion();
    att.run();
    return out;
  }

  /** Whether {@code out} is {@code q}'s shape with {@code v}'s last dim and k, v match q. */
  private static boolean fitsInto(Tensor q, Tensor k, Tensor v, Tensor out) {
    for (int d = 0; d < 2; d++) {
      if (k.size(d) != q.size(d) || v.size(d) != q.size(d) || out.size(d) != q.size(d)) {
        return false;
      }
    }
    return k.size(3) == q.size(3) && v.size(2) == k.size(2) && out.size(2) == q.size(2)
        && out.size(3) == v.size(3);
  }

  /** A float mask of rank 2 to 4 whose rows are dense and whose dims are 1 or the scores'. */
  private static boolean plainMask(Tensor m, int batch, int heads, int l, int s) {
    int r = m.dim();
    if (m.dtype() != dev.netspec.runtime.tensor.DType.FLOAT32 || r < 2 || r > 4 || m.size(r - 1) != s
        || m.stride(r - 1) != 1) {
      return false;
    }
    int rows = m.size(r - 2);
    int h = r >= 3 ? m.size(r - 3) : 1;
    int b = r >= 4 ? m.size(0) : 1;
    return (rows == 1 || rows == l) && (h == 1 || h == heads) && (b == 1 || b == batch);
  }

  /**
   * {@code t} itself when the kernel can read it where it lies (rank 4 or less, rows dense),
   * else a contiguous copy: the heads of a transposed projection are not copied.
   */
  private static Tensor strided(Tensor t) {
    return t.dim() <= 4 && t.stride()[t.dim() - 1] == 1 ? t : t.contiguous();
  }

  /** The stride of {@code dim} in elements, 0 for a dim the tensor has not (rank below 4). */
  private static int step(Tensor t, int dim) {
    return dim < 0 ? 0 : t.stride()[dim];
  }

  /** The mask broadcast to {@code (..., L, S)} as strides (0 along its size-1 dims). */
  private static void setMask(Attention att, AttentionMask mask, int[] qShape, int s) {
    int r = qShape.length;
    int[] full = qShape.clone(); // (..., L, S)
    full[r - 1] = s;
    Tensor m = mask.values();
    if (m.dim() > r) {
      throw new IllegalArgumentException(NAME + ": attn_mask of shape "
          + Arrays.toString(m.shape()) + " has more dims than the scores " + Arrays.toString(full));
    }
    int[] padded = new int[r]; // the mask's shape with leading 1s
    Arrays.fill(padded, 1);
    System.arraycopy(m.shape(), 0, padded, r - m.dim(), m.dim());
    for (int d = 0; d < r; d++) {
      if (padded[d] != 1 && padded[d] != full[d]) {
        throw new IllegalArgumentException(NAME + ": attn_mask of shape "
            + Arrays.toString(m.shape()) + " does not broadcast to the scores' shape "
            + Arrays.toString(full) + " (..., L, S)");
      }
    }
    boolean outerAllOnes = true;
    boolean outerFull = true;
    for (int d = 0; d < r - 3; d++) {
      outerAllOnes &= padded[d] == 1;
      outerFull &= padded[d] == full[d];
    }
    if (padded[r - 1] != s || !(outerAllOnes || outerFull)) { // broadcast by a copy instead
      for (int d = 0; d < r - 3; d++) {
        padded[d] = full[d];
      }
      padded[r - 1] = s;
      m = m.reshape(paddedOf(m, r)).expand(padded).contiguous();
      outerAllOnes = r <= 3;
    } else {
      m = m.contiguous().reshape(padded);
    }
    int rows = padded[r - 2];
    int heads = r >= 3 ? padded[r - 3] : 1;
    att.mask(m.array(), m.arrayOffset(), outerAllOnes ? 0 : heads * rows * s,
        heads == 1 ? 0 : rows * s, rows == 1 ? 0 : s,
        mask.isBool() ? Attention.MaskMode.ATTEND_WHERE_NONZERO : Attention.MaskMode.ADD);
  }

  private static int[] paddedOf(Tensor m, int r) {
    int[] p = new int[r];
    Arrays.fill(p, 1);
    System.arraycopy(m.shape(), 0, p, r - m.dim(), m.dim());
    return p;
  }

  private static String shapes(Tensor q, Tensor k, Tensor v) {
    return Arrays.toString(q.shape()) + ", " + Arrays.toString(k.shape()) + ", "
        + Arrays.toString(v.shape());
  }
}
