package dev.netspec.runtime.kernels;

/**
 * The optimizer updates, one fused pass over a parameter each: see {@link Updates} for the
 * rules. Each call updates elements {@code [from, to)}: element {@code i} of the parameter is
 * {@code p[pOff + i]}, of its gradient {@code g[gOff + i]}, of each state array ({@code buf},
 * {@code m}, {@code v}, ...) index {@code i}. Arguments are trusted.
 */
interface UpdateKernels {
  void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int from, int to,
      float lr, float momentum, float dampening, float weightDecay, boolean nesterov, boolean first);

  void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v, float[] vMax,
      int from, int to, float decay, float weightDecay, float beta1, float beta2, float stepSize,
      float bc2Sqrt, float eps);

  void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq, float[] gAvg,
      float[] buf, int from, int to, float lr, float alpha, float eps, float weightDecay,
      float momentum);
}
