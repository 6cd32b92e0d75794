package dev.netspec.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The optimizer updates on the Vector API: the same float operations as {@link
 * ScalarUpdates}, lane-wise and in the same order (no fused multiply-add), so both give the
 * same bits; the tail runs the scalar loop. Loaded by name only when the vector backend is in
 * use, so nothing else may refer to this class.
 */
final class VectorUpdates implements UpdateKernels {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  /** The elements past the last whole vector. */
  private static final ScalarUpdates TAIL = new ScalarUpdates();

  @Override
  public void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int from, int to,
      float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
      boolean first) {
    int bound = from + S.loopBound(to - from);
    float keep = 1 - dampening;
    for (int i = from; i < bound; i += S.length()) {
      FloatVector x = Vectors.load(p, pOff + i);
      FloatVector d = Vectors.load(g, gOff + i);
      if (weightDecay != 0) {
        d = Vectors.exact(d).add(x.mul(weightDecay));
      }
      if (buf != null) {
        FloatVector b = first ? d
            : Vectors.load(buf, i).mul(momentum).add(d.mul(keep));
        Vectors.store(b, buf, i);
        d = nesterov ? d.add(b.mul(momentum)) : b;
      }
      Vectors.store(x.sub(d.mul(lr)), p, pOff + i);
    }
    TAIL.sgd(p, pOff, g, gOff, buf, bound, to, lr, momentum, dampening, weightDecay,
        nesterov, first);
  }

  @Override
  public void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v,
      float[] vMax, int from, int to, float decay, float weightDecay, float beta1, float beta2,
      float stepSize, float bc2Sqrt, float eps) {
    int bound = from + S.loopBound(to - from);
    float c1 = 1 - beta1;
    float c2 = 1 - beta2;
    for (int i = from; i < bound; i += S.length()) {
      FloatVector x = Vectors.load(p, pOff + i);
      FloatVector d = Vectors.load(g, gOff + i);
      if (weightDecay != 0) {
        d = Vectors.exact(d).add(x.mul(weightDecay));
      }
      if (decay != 1) {
        x = Vectors.exact(x).mul(decay);
      }
      FloatVector mi = Vectors.load(m, i).mul(beta1).add(d.mul(c1));
      FloatVector vi = Vectors.load(v, i).mul(beta2).add(d.mul(c2).mul(d));
      Vectors.store(mi, m, i);
      Vectors.store(vi, v, i);
      if (vMax != null) {
        vi = Vectors.load(vMax, i).max(vi);
        Vectors.store(vi, vMax, i);
      }
      FloatVector denom = vi.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
      Vectors.store(x.add(mi.mul(stepSize).div(denom)), p, pOff + i);
    }
    TAIL.adam(p, pOff, g, gOff, m, v, vMax, bound, to, decay, weightDecay, beta1,
        beta2, stepSize, bc2Sqrt, eps);
  }

  @Override
  public void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq, float[] gAvg,
      float[] buf, int from, int to, float lr, float alpha, float eps, float weightDecay,
      float momentum) {
    int bound = from + S.loopBound(to - from);
    float c = 1 - alpha;
    for (int i = from; i < bound; i += S.length()) {
      FloatVector x = Vectors.load(p, pOff + i);
      FloatVector d = Vectors.load(g, gOff + i);
      if (weightDecay != 0) {
        d = Vectors.exact(d).add(x.mul(weightDecay));
      }
      FloatVector s = Vectors.load(sq, i).mul(alpha).add(d.mul(c).mul(d));
      Vectors.store(s, sq, i);
      FloatVector avg;
      if (gAvg != null) {
        FloatVector a = Vectors.load(gAvg, i).mul(alpha).add(d.mul(c));
        Vectors.store(a, gAvg, i);
        avg = s.add(a.mul(-1f).mul(a)).lanewise(VectorOperators.SQRT);
      } else {
        avg = s.lanewise(VectorOperators.SQRT);
      }
      avg = Vectors.exact(avg).add(eps);
      if (buf != null) {
        FloatVector b = Vectors.load(buf, i).mul(momentum).add(d.div(avg));
        Vectors.store(b, buf, i);
        Vectors.store(x.sub(b.mul(lr)), p, pOff + i);
      } else {
        Vectors.store(x.sub(d.mul(lr).div(avg)), p, pOff + i);
      }
    }
    TAIL.rmsprop(p, pOff, g, gOff, sq, gAvg, buf, bound, to, lr, alpha, eps,
        weightDecay, momentum);
  }
}
