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
    Tensor out = Tensor.zeros(outShape);
    if (out.numel() == 0 || s == 0) {
      return out; // no keys: softmax over nothing weighs nothing, zeros as in PyTorch
    }
    Tensor qc = q.contiguous();
    Tensor kc = k.contiguous();
    Tensor vc = v.contiguous();
    Attention att = new Attention().dims(batch, heads, l, s, e, ev).causal(causal)
        .query(qc.array(), qc.arrayOffset(), heads * l * e, l * e, e)
        .key(kc.array(), kc.arrayOffset(), heads * s * e, s * e, e)
        .value(vc.array(), vc.arrayOffset(), heads * s * ev, s * ev, ev)
        .output(out.array(), 0, heads * l * ev, l * ev, ev);
    if (scale != null) {
      att.scale(scale);
    }
    if (mask != null) {
      setMask(att, mask, q.shape(), s);
    }
    att.run();
    return out;
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
