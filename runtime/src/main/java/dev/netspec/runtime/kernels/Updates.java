package dev.netspec.runtime.kernels;

import java.util.Objects;

/**
 * The optimizer update kernels, PyTorch's rules (1.13 single-tensor code), each one fused
 * pass over a parameter: the parameter, its gradient and its state are read and written once
 * per step. Vector API kernels when the vector backend is in use ({@link Kernels#backend}),
 * else plain loops; both do the same float operations in the same order, so they agree bit
 * for bit. {@code p} and {@code g} are located by offsets; every state array starts at 0 and
 * holds {@code n} values.
 */
public final class Updates {
  private static final UpdateKernels IMPL = select();

  private Updates() {}

  private static UpdateKernels select() {
    if (Kernels.backend().startsWith("vector")) {
      try {
        return (UpdateKernels) Class.forName("dev.netspec.runtime.kernels.VectorUpdates")
            .getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        return new ScalarUpdates();
      }
    }
    return new ScalarUpdates();
  }

  /** The implementation's name: {@code "vector"} or {@code "scalar"}. */
  public static String backend() {
    return IMPL instanceof ScalarUpdates ? "scalar" : "vector";
  }

  /**
   * SGD: {@code d = g + weightDecay * p}; with a momentum buffer {@code buf} (null for none),
   * {@code buf = first ? d : momentum * buf + (1 - dampening) * d} and {@code d = nesterov ?
   * d + momentum * buf : buf}; then {@code p -= lr * d}.
   */
  public static void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int n,
      float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
      boolean first) {
    check(p, pOff, g, gOff, n);
    state(buf, n);
    IMPL.sgd(p, pOff, g, gOff, buf, n, lr, momentum, dampening, weightDecay, nesterov, first);
  }

  /**
   * Adam and AdamW: {@code d = g + weightDecay * p} (Adam's L2 term; pass 0 for AdamW), then
   * {@code p *= decay} (AdamW's decoupled {@code 1 - lr * weight_decay}; 1 for Adam), {@code
   * m = beta1 m + (1 - beta1) d}, {@code v = beta2 v + (1 - beta2) d^2}, with {@code vMax}
   * (amsgrad; null for none) {@code vMax = max(vMax, v)} read in v's place, and {@code p +=
   * stepSize * m / (sqrt(v) / bc2Sqrt + eps)}: {@code stepSize = -lr / (1 - beta1^t)},
   * {@code bc2Sqrt = sqrt(1 - beta2^t)}.
   */
  public static void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v,
      float[] vMax, int n, float decay, float weightDecay, float beta1, float beta2,
      float stepSize, float bc2Sqrt, float eps) {
    check(p, pOff, g, gOff, n);
    state(Objects.requireNonNull(m, "m"), n);
    state(Objects.requireNonNull(v, "v"), n);
    state(vMax, n);
    IMPL.adam(p, pOff, g, gOff, m, v, vMax, n, decay, weightDecay, beta1, beta2, stepSize,
        bc2Sqrt, eps);
  }

  /**
   * RMSprop: {@code d = g + weightDecay * p}, {@code sq = alpha sq + (1 - alpha) d^2}; centered
   * ({@code gAvg} not null) {@code gAvg = alpha gAvg + (1 - alpha) d} and {@code avg =
   * sqrt(sq - gAvg^2) + eps}, else {@code avg = sqrt(sq) + eps}; with a momentum buffer
   * {@code buf = momentum buf + d / avg; p -= lr buf}, else {@code p -= lr d / avg}.
   */
  public static void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq,
      float[] gAvg, float[] buf, int n, float lr, float alpha, float eps, float weightDecay,
      float momentum) {
    check(p, pOff, g, gOff, n);
    state(Objects.requireNonNull(sq, "sq"), n);
    state(gAvg, n);
    state(buf, n);
    IMPL.rmsprop(p, pOff, g, gOff, sq, gAvg, buf, n, lr, alpha, eps, weightDecay, momentum);
  }

  private static void check(float[] p, int pOff, float[] g, int gOff, int n) {
    Objects.checkFromIndexSize(pOff, n, p.length);
    Objects.checkFromIndexSize(gOff, n, g.length);
  }

  private static void state(float[] s, int n) {
    if (s != null && s.length < n) {
      throw new IndexOutOfBoundsException("optimizer state of " + s.length
          + " values for a parameter of " + n);
    }
  }
}
