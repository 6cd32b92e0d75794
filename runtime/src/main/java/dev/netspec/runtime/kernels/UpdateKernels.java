package dev.netspec.runtime.kernels;

/**
 * The optimizer updates, one fused pass over a parameter each: see {@link Updates} for the
 * rules. Offsets {@code pOff} and {@code gOff} locate the parameter and its gradient; the
 * state arrays ({@code buf}, {@code m}, {@code v}, ...) start at 0. Arguments are trusted.
 */
interface UpdateKernels {
  void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int n, float lr,
      float momentum, float dampening, float weightDecay, boolean nesterov, boolean first);

  void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, float[] vMax,
      int n, float decay, float weightDecay, float beta1, float beta2, float stepSize,
      float bc2Sqrt, float eps);

  void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq, float[] gAvg,
      float[] buf, int n, float lr, float alpha, float eps, float weightDecay, float momentum);
}
