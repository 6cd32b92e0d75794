package dev.netspec.runtime.kernels;

/**
 * The optimizer updates as plain loops: the fallback without the Vector API, the tail of
 * the vector kernels and their oracle in tests. Each operation is one float operation in
 * PyTorch's order (no fused multiply-add), so the vector twin gives the same bits.
 */
final class ScalarUpdates implements UpdateKernels {

  @Override
  public void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int from, int to,
      float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
      boolean first) {
    float keep = 1 - dampening;
    for (int i = from; i < to; i++) {
      float d = g[gOff + i];
      if (weightDecay != 0) {
        d = d + weightDecay * p[pOff + i];
      }
      if (buf != null) {
        float b = first ? d : buf[i] * momentum + keep * d;
        buf[i] = b;
        d = nesterov ? d + momentum * b : b;
      }
      p[pOff + i] = p[pOff + i] - lr * d;
    }
  }

  @Override
  public void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v,
      float[] vMax, int from, int to, float decay, float weightDecay, float beta1, float beta2,
      float stepSize, float bc2Sqrt, float eps) {
    float c1 = 1 - beta1;
    float c2 = 1 - beta2;
    for (int i = from; i < to; i++) {
      float x = p[pOff + i];
      float d = g[gOff + i];
      if (weightDecay != 0) {
        d = d + weightDecay * x;
      }
      if (decay != 1) {
        x = x * decay;
      }
      float mi = m[i] * beta1 + c1 * d;
      float vi = v[i] * beta2 + c2 * d * d;
      m[i] = mi;
      v[i] = vi;
      if (vMax != null) {
        vi = Math.max(vMax[i], vi);
        vMax[i] = vi;
      }
      float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
      p[pOff + i] = x + stepSize * mi / denom;
    }
  }

  @Override
  public void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq, float[] gAvg,
      float[] buf, int from, int to, float lr, float alpha, float eps, float weightDecay,
      float momentum) {
    float c = 1 - alpha;
    for (int i = from; i < to; i++) {
      float x = p[pOff + i];
      float d = g[gOff + i];
      if (weightDecay != 0) {
        d = d + weightDecay * x;
      }
      float s = sq[i] * alpha + c * d * d;
      sq[i] = s;
      float avg;
      if (gAvg != null) {
        float a = gAvg[i] * alpha + c * d;
        gAvg[i] = a;
        avg = (float) Math.sqrt(s + -1f * a * a);
      } else {
        avg = (float) Math.sqrt(s);
      }
      avg = avg + eps;
      if (buf != null) {
        float b = buf[i] * momentum + d / avg;
        buf[i] = b;
        p[pOff + i] = x - lr * b;
      } else {
        p[pOff + i] = x - lr * d / avg;
      }
    }
  }
}
