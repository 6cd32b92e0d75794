package dev.netspec.runtime.tensor;

import java.util.Locale;

/** PyTorch's tensor printing ({@code torch._tensor_str}). Placeholder: simple format. */
public final class TensorFormat {
  private TensorFormat() {}

  /** {@code tensor(...)} with {@code suffix} (such as {@code ", requires_grad=True"}) before the closing parenthesis. */
  public static String format(Tensor t, String suffix) {
    StringBuilder sb = new StringBuilder("tensor(");
    float[] v = t.toFloatArray();
    sb.append(java.util.Arrays.toString(v).replace("[", "[").toLowerCase(Locale.ROOT));
    return sb.append(suffix).append(')').toString();
  }
}
