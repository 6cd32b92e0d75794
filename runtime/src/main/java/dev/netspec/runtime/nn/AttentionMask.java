package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Objects;

/**
 * A mask for attention ({@code attn_mask}, {@code key_padding_mask}, {@code tgt_mask}, ...):
 * a float tensor whose values are added to the scores, or a boolean one. Tensors have no
 * BOOL dtype yet, so a boolean mask is a float tensor of 1 (True) and 0 (False) that
 * {@link #ofBool} marks as boolean; what True means is the argument's, as in PyTorch ({@code
 * F.scaled_dot_product_attention}: True = attend; {@code nn.MultiheadAttention} and the
 * Transformer layers: True = ignore). Once tensors carry a BOOL dtype, {@link #of} will read
 * it from the tensor.
 */
public final class AttentionMask {
  private final Tensor values;
  private final boolean bool;

  private AttentionMask(Tensor values, boolean bool) {
    this.values = Objects.requireNonNull(values, "mask values");
    this.bool = bool;
  }

  /** A float mask: its values are added to the attention scores ({@code -inf} removes a key). */
  public static AttentionMask of(Tensor values) {
    return new AttentionMask(values, false);
  }

  /** A boolean mask stored as floats: nonzero is True, 0 is False. */
  public static AttentionMask ofBool(Tensor values) {
    return new AttentionMask(values, true);
  }

  /**
   * {@code last} when it is a float mask of {@code values}, else {@link #of}{@code (values)}:
   * an allocation-free forward keeps the mask it passed last, so that a call with the same
   * tensor (a buffer, or the caller's same input) makes no new one.
   */
  public static AttentionMask of(Tensor values, AttentionMask last) {
    return last != null && last.values == values && !last.bool ? last : of(values);
  }

  /** {@code last} when it is a boolean mask of {@code values}, else {@link #ofBool}{@code (values)}. */
  public static AttentionMask ofBool(Tensor values, AttentionMask last) {
    return last != null && last.values == values && last.bool ? last : ofBool(values);
  }

  /** The mask's values. */
  public Tensor values() {
    return values;
  }

  /** Whether the values are booleans (nonzero = True) rather than added to the scores. */
  public boolean isBool() {
    return bool;
  }

  /**
   * The mask as additive floats: a float mask itself, a boolean one as 0 where it is
   * {@code keepWhen} and {@code -inf} elsewhere.
   */
  Tensor additive(boolean keepWhen) {
    if (!bool) {
      return values;
    }
    return values.map(v -> (v != 0) == keepWhen ? 0 : Double.NEGATIVE_INFINITY);
  }

  @Override
  public String toString() {
    return (bool ? "AttentionMask.ofBool(" : "AttentionMask.of(") + values + ")";
  }
}
