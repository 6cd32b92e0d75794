package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * The backward of the mask operations: {@code masked_fill} ({@code MaskedFillBackward0}: no
 * gradient where the mask filled), {@code where} ({@code WhereBackward0}: each operand gets
 * the gradient where it was chosen) and {@code tril}/{@code triu} ({@code TrilBackward0},
 * {@code TriuBackward0}: the same triangle of the gradient). Gradients of broadcast operands
 * are summed back to their shapes ({@link Grads#sumTo}); masks and conditions get none.
 */
public final class MaskGrad {
  private MaskGrad() {}

  /** Records {@code out = x.masked_fill(mask, value)}; returns {@code out}. */
  public static Tensor recordMaskedFill(Tensor x, Tensor mask, Tensor out) {
    if (!Autograd.isRecording(x)) {
      return out;
    }
    int[] shape = x.shape();
    return Autograd.record("MaskedFillBackward0", out, new Tensor[] {x}, new Tensor[] {mask},
        (g, s) -> new Tensor[] {Grads.sumTo(g.maskedFill(s[0], 0f), shape)});
  }

  /** Records {@code out = torch.where(cond, a, b)}; returns {@code out}. */
  public static Tensor recordWhere(Tensor cond, Tensor a, Tensor b, Tensor out) {
    if (!Autograd.isRecording(a, b)) {
      return out;
    }
    int[] as = a.shape();
    int[] bs = b.shape();
    return Autograd.record("WhereBackward0", out, new Tensor[] {a, b}, new Tensor[] {cond},
        (g, s) -> {
          Tensor zero = Tensor.scalar(0f);
          return new Tensor[] {Grads.sumTo(Tensor.where(s[0], g, zero), as),
              Grads.sumTo(Tensor.where(s[0], zero, g), bs)};
        });
  }

  /** Records {@code out = x.tril(k)} ({@code lower}) or {@code x.triu(k)}; returns {@code out}. */
  public static Tensor recordTriangle(Tensor x, int k, boolean lower, Tensor out) {
    return Autograd.recordUnary(lower ? "TrilBackward0" : "TriuBackward0", x, out,
        g -> lower ? g.tril(k) : g.triu(k));
  }
}
