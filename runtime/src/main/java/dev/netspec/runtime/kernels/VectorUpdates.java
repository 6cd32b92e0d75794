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

  @Override
  public void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int n, float lr,
      float momentum, float dampening, float weightDecay, boolean nesterov, boolean first) {
    int bound = S.loopBound(n);
    float keep = 1 - dampening;
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector x = FloatVector.fromArray(S, p, pOff + i);
      FloatVector d = FloatVector.fromArray(S, g, gOff + i);
      if (weightDecay != 0) {
        d = d.add(x.mul(weightDecay));
      }
      if (buf != null) {
        FloatVector b = first ? d
            : FloatVector.fromArray(S, buf, i).mul(momentum).add(d.mul(keep));
        b.intoArray(buf, i);
        d = nesterov ? d.add(b.mul(momentum)) : b;
      }
      x.sub(d.mul(lr)).intoArray(p, pOff + i);
    }
    ScalarUpdates.sgd(p, pOff, g, gOff, buf, bound, n, lr, momentum, dampening, weightDecay,
        nesterov, first);
  }

  @Override
  public void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v,
      float[] vMax, int n, float decay, float weightDecay, float beta1, float beta2,
      float stepSize, float bc2Sqrt, float eps) {
    int bound = S.loopBound(n);
    float c1 = 1 - beta1;
    float c2 = 1 - beta2;
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector x = FloatVector.fromArray(S, p, pOff + i);
      FloatVector d = FloatVector.fromArray(S, g, gOff + i);
      if (weightDecay != 0) {
        d = d.add(x.mul(weightDecay));
      }
      if (decay != 1) {
        x = x.mul(decay);
      }
      FloatVector mi = FloatVector.fromArray(S, m, i).mul(beta1).add(d.mul(c1));
      FloatVector vi = FloatVector.fromArray(S, v, i).mul(beta2).add(d.mul(c2).mul(d));
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      if (vMax != null) {
        vi = FloatVector.fromArray(S, vMax, i).max(vi);
        vi.intoArray(vMax, i);
      }
      FloatVector denom = vi.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
      x.add(mi.mul(stepSize).div(denom)).intoArray(p, pOff + i);
    }
    ScalarUpdates.adam(p, pOff, g, gOff, m, v, vMax, bound, n, decay, weightDecay, beta1,
        beta2, stepSize, bc2Sqrt, eps);
  }

  @Override
  public void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq, float[] gAvg,
      float[] buf, int n, float lr, float alpha, float eps, float weightDecay,
      float momentum) {
    int bound = S.loopBound(n);
    float c = 1 - alpha;
    for (int i = 0; i < bound; i += S.length()) {
      FloatVector x = FloatVector.fromArray(S, p, pOff + i);
      FloatVector d = FloatVector.fromArray(S, g, gOff + i);
      if (weightDecay != 0) {
        d = d.add(x.mul(weightDecay));
      }
      FloatVector s = FloatVector.fromArray(S, sq, i).mul(alpha).add(d.mul(c).mul(d));
      s.intoArray(sq, i);
      FloatVector avg;
      if (gAvg != null) {
        FloatVector a = FloatVector.fromArray(S, gAvg, i).mul(alpha).add(d.mul(c));
        a.intoArray(gAvg, i);
        avg = s.add(a.mul(-1f).mul(a)).lanewise(VectorOperators.SQRT);
      } else {
        avg = s.lanewise(VectorOperators.SQRT);
      }
      avg = avg.add(eps);
      if (buf != null) {
        FloatVector b = FloatVector.fromArray(S, buf, i).mul(momentum).add(d.div(avg));
        b.intoArray(buf, i);
        x.sub(b.mul(lr)).intoArray(p, pOff + i);
      } else {
        x.sub(d.mul(lr).div(avg)).intoArray(p, pOff + i);
      }
    }
    ScalarUpdates.rmsprop(p, pOff, g, gOff, sq, gAvg, buf, bound, n, lr, alpha, eps,
        weightDecay, momentum);
  }
}
