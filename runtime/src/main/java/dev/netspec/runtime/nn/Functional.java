package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;

/**
 * Stateless layer functions ({@code torch.nn.functional}): layers hold parameters and call
 * these. Generated code calls them too.
 */
public final class Functional {
  private Functional() {}

  /** {@code F.linear}: {@code x @ weight.T + bias}; {@code bias} may be null. */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    Tensor y = x.matmul(weight.t());
    return bias == null ? y : y.add_(bias);
  }

  public static Tensor relu(Tensor x) {
    return x.relu();
  }

  public static Tensor sigmoid(Tensor x) {
    return x.sigmoid();
  }

  public static Tensor tanh(Tensor x) {
    return x.tanh();
  }

  /** Exact GELU, {@code x * Phi(x)} with the error function, as PyTorch's default. */
  public static Tensor gelu(Tensor x) {
    return x.gelu();
  }

  public static Tensor softmax(Tensor x, int dim) {
    return x.softmax(dim);
  }

  public static Tensor logSoftmax(Tensor x, int dim) {
    return x.logSoftmax(dim);
  }

  /**
   * {@code F.dropout}: in training, zeroes each element with probability {@code p} and
   * scales the rest by {@code 1 / (1 - p)}; otherwise returns {@code x}.
   */
  public static Tensor dropout(Tensor x, float p, boolean training, Generator gen) {
    if (p < 0 || p > 1) {
      throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
    }
    if (!training || p == 0) {
      return x;
    }
    if (p == 1) {
      return Tensor.zeros(x.shape());
    }
    float scale = 1f / (1f - p);
    return x.map(v -> gen.nextDouble() < p ? 0 : v * scale);
  }

  /**
   * {@code F.layer_norm} over the last {@code normalizedShape.length} dims, biased variance;
   * {@code weight} and {@code bias} may be null.
   */
  public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias,
      float eps) {
    int k = normalizedShape.length;
    int[] shape = x.shape();
    for (int i = 0; i < k; i++) {
      if (shape[shape.length - k + i] != normalizedShape[i]) {
        throw new IllegalArgumentException("layer_norm: input shape "
            + java.util.Arrays.toString(shape) + " does not end with normalized shape "
            + java.util.Arrays.toString(normalizedShape));
      }
    }
    int rows = 1;
    for (int i = 0; i < shape.length - k; i++) {
      rows *= shape[i];
    }
    int n = (int) (x.numel() / Math.max(rows, 1));
    Tensor flat = x.contiguous().reshape(rows, n);
    Tensor mean = flat.mean(1, true);
    Tensor centered = flat.sub(mean);
    Tensor var = centered.mul(centered).mean(1, true);
    Tensor y = centered.div(var.add(eps).sqrt()).reshape(shape);
    if (weight != null) {
      y = y.mul(weight);
    }
    if (bias != null) {
      y = y.add(bias);
    }
    return y;
  }
}
