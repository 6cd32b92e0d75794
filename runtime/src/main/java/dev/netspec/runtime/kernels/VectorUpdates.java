package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

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
      FloatVector x = EXACT.cast(FloatVector.fromArray(S, p, pOff + i));
      FloatVector d = EXACT.cast(FloatVector.fromArray(S, g, gOff + i));
      if (weightDecay != 0) {
        d = EXACT.cast(d).add(x.mul(weightDecay));
      }
      if (buf != null) {
        FloatVector b = first ? d
            : EXACT.cast(FloatVector.fromArray(S, buf, i)).mul(momentum).add(d.mul(keep));
        EXACT.cast(b).intoArray(buf, i);
        d = nesterov ? d.add(b.mul(momentum)) : b;
      }
      EXACT.cast(x.sub(d.mul(lr))).intoArray(p, pOff + i);
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
      FloatVector x = EXACT.cast(FloatVector.fromArray(S, p, pOff + i));
      FloatVector d = EXACT.cast(FloatVector.fromArray(S, g, gOff + i));
      if (weightDecay != 0) {
        d = EXACT.cast(d).add(x.mul(weightDecay));
      }
      if (decay != 1) {
        x = EXACT.cast(x).mul(decay);
      }
      FloatVector mi = EXACT.cast(FloatVector.fromArray(S, m, i)).mul(beta1).add(d.mul(c1));
      FloatVector vi = EXACT.cast(FloatVector.fromArray(S, v, i)).mul(beta2).add(d.mul(c2).mul(d));
      EXACT.cast(mi).intoArray(m, i);
      EXACT.cast(vi).intoArray(v, i);
      if (vMax != null) {
        vi = EXACT.cast(FloatVector.fromArray(S, vMax, i)).max(vi);
        EXACT.cast(vi).intoArray(vMax, i);
      }
      FloatVector denom = vi.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
      EXACT.cast(x.add(mi.mul(stepSize).div(denom))).intoArray(p, pOff + i);
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
      FloatVector x = EXACT.cast(FloatVector.fromArray(S, p, pOff + i));
      FloatVector d = EXACT.cast(FloatVector.fromArray(S, g, gOff + i));
      if (weightDecay != 0) {
        d = EXACT.cast(d).add(x.mul(weightDecay));
      }
      FloatVector s = EXACT.cast(FloatVector.fromArray(S, sq, i)).mul(alpha).add(d.mul(c).mul(d));
      EXACT.cast(s).intoArray(sq, i);
      FloatVector avg;
      if (gAvg != null) {
        FloatVector a = EXACT.cast(FloatVector.fromArray(S, gAvg, i)).mul(alpha).add(d.mul(c));
        EXACT.cast(a).intoArray(gAvg, i);
        avg = s.add(a.mul(-1f).mul(a)).lanewise(VectorOperators.SQRT);
      } else {
        avg = s.lanewise(VectorOperators.SQRT);
      }
      avg = EXACT.cast(avg).add(eps);
      if (buf != null) {
        FloatVector b = EXACT.cast(FloatVector.fromArray(S, buf, i)).mul(momentum).add(d.div(avg));
        EXACT.cast(b).intoArray(buf, i);
        EXACT.cast(x.sub(b.mul(lr))).intoArray(p, pOff + i);
      } else {
        EXACT.cast(x.sub(d.mul(lr).div(avg))).intoArray(p, pOff + i);
      }
    }
    TAIL.rmsprop(p, pOff, g, gOff, sq, gAvg, buf, bound, to, lr, alpha, eps,
        weightDecay, momentum);
  }
}
