package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link MultiheadAttention}'s recorded path within the {@code nn} tests: when a forward
 * records (an input or a parameter requires grad, recording on), and the gradients of
 * cross-attention with both masks, for the inputs and the packed projection, against
 * central finite differences of the unrecorded forward; the inference path follows a
 * projection weight replaced between calls.
 */
class MultiheadAttentionGradTest {
  private static final int L = 3;
  private static final int N = 2;
  private static final int S = 4;
  private static final int E = 4;
  private static final float EPS = 1e-2f;

  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  private static double dot(Tensor a, Tensor b) {
    float[] x = a.contiguous().toFloatArray();
    float[] y = b.contiguous().toFloatArray();
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += (double) x[i] * y[i];
    }
    return s;
  }

  /** What the test differentiates: sum(out * g) + sum(weights * gw), q, k, v in that order. */
  private record Case(MultiheadAttention m, AttentionMask padding, AttentionMask mask, Tensor g,
      Tensor gw) {
    double loss(Tensor q, Tensor k, Tensor v) {
      try (GradMode.Scope scope = GradMode.noGrad()) {
        MultiheadAttention.Output o = m.forward(q, k, v, padding, true, mask, true);
        return dot(o.output(), g) + dot(o.weights(), gw);
      }
    }
  }

  private static void assertGrad(double want, float got, String what) {
    assertTrue(Math.abs(want - got) <= 2e-3 + 2e-3 * Math.abs(want),
        what + ": autograd " + got + ", finite differences " + want);
  }

  /** Each element of {@code inputs[which]} against the central difference of the loss. */
  private static void checkInput(Case c, Tensor[] inputs, int which, Tensor grad, String what) {
    float[] g = grad.contiguous().toFloatArray();
    float[] base = inputs[which].contiguous().toFloatArray();
    for (int i = 0; i < base.length; i++) {
      Tensor[] plus = inputs.clone();
      Tensor[] minus = inputs.clone();
      float[] p = base.clone();
      float[] m = base.clone();
      p[i] += EPS;
      m[i] -= EPS;
      plus[which] = Tensor.fromArray(p, inputs[which].shape());
      minus[which] = Tensor.fromArray(m, inputs[which].shape());
      double fd = (c.loss(plus[0], plus[1], plus[2]) - c.loss(minus[0], minus[1], minus[2]))
          / (2 * EPS);
      assertGrad(fd, g[i], what + " [" + i + "]");
    }
  }

  /** Each element of a parameter against the central difference of the loss. */
  private static void checkParameter(Case c, Tensor[] inputs, Parameter p, String what) {
    float[] g = p.grad().contiguous().toFloatArray();
    Tensor d = p.data();
    float[] base = d.contiguous().toFloatArray();
    for (int i = 0; i < base.length; i++) {
      float[] moved = base.clone();
      moved[i] = base[i] + EPS;
      d.copy_(Tensor.fromArray(moved, d.shape()));
      double up = c.loss(inputs[0], inputs[1], inputs[2]);
      moved[i] = base[i] - EPS;
      d.copy_(Tensor.fromArray(moved, d.shape()));
      double down = c.loss(inputs[0], inputs[1], inputs[2]);
      d.copy_(Tensor.fromArray(base, d.shape()));
      assertGrad((up - down) / (2 * EPS), g[i], what + " [" + i + "]");
    }
  }

  @Test
  void crossAttentionWithMasksHasTheGradientsOfFiniteDifferences() {
    for (boolean batchFirst : new boolean[] {false, true}) {
      MultiheadAttention m = new MultiheadAttention(E, 2, 0.0, true, batchFirst);
      m.inProjBias.data().copy_(randn(1, 3 * E)); // PyTorch starts them at 0: make them count
      Case c = new Case(m, AttentionMask.of(randn(2, N, S)), AttentionMask.of(randn(3, L, S)),
          randn(4, batchFirst ? new int[] {N, L, E} : new int[] {L, N, E}),
          randn(5, N, L, S));
      Tensor[] inputs = batchFirst
          ? new Tensor[] {randn(6, N, L, E), randn(7, N, S, E), randn(8, N, S, E)}
          : new Tensor[] {randn(6, L, N, E), randn(7, S, N, E), randn(8, S, N, E)};
      Tensor q = inputs[0].clone().requiresGrad_(true);
      Tensor k = inputs[1].clone().requiresGrad_(true);
      Tensor v = inputs[2].clone().requiresGrad_(true);
      MultiheadAttention.Output o = m.forward(q, k, v, c.padding(), true, c.mask(), true);
      o.output().mul(c.g()).sum().add(o.weights().mul(c.gw()).sum()).backward();
      String what = batchFirst ? "batch first" : "sequence first";
      checkInput(c, inputs, 0, q.grad(), what + ": grad query");
      checkInput(c, inputs, 1, k.grad(), what + ": grad key");
      checkInput(c, inputs, 2, v.grad(), what + ": grad value");
      checkParameter(c, inputs, m.inProjWeight, what + ": grad in_proj_weight");
      checkParameter(c, inputs, m.inProjBias, what + ": grad in_proj_bias");
    }
  }

  @Test
  void aForwardRecordsWhenAnInputOrAParameterRequiresGrad() {
    MultiheadAttention m = new MultiheadAttention(E, 2);
    Tensor q = randn(1, L, N, E);
    Tensor kv = randn(2, S, N, E);
    assertTrue(m.forward(q, kv, kv).output().requiresGrad(), "the parameters require grad");
    try (GradMode.Scope scope = GradMode.noGrad()) {
      assertFalse(m.forward(q.clone().requiresGrad_(true), kv, kv).output().requiresGrad(),
          "no_grad");
    }
    for (Parameter p : m.parameters()) {
      p.requiresGrad(false);
    }
    assertFalse(m.forward(q, kv, kv).output().requiresGrad(), "nothing requires grad");
    assertTrue(m.forward(q, kv.clone().requiresGrad_(true), kv).output().requiresGrad(),
        "the key does");
    assertTrue(m.forward(q, kv, kv.clone().requiresGrad_(true)).output().requiresGrad(),
        "the value does");
    m.outProj.bias.requiresGrad(true);
    assertTrue(m.forward(q, kv, kv).output().requiresGrad(), "the output projection's bias does");
  }

  @Test
  void inferenceFollowsAReplacedProjectionWeight() {
    MultiheadAttention m = new MultiheadAttention(E, 2);
    Tensor q = randn(1, L, N, E);
    Tensor kv = randn(2, S, N, E);
    Tensor w2 = randn(3, 3 * E, E);
    try (GradMode.Scope scope = GradMode.noGrad()) {
      m.forward(q, kv, kv); // caches the row views of the first weight
      m.inProjWeight.setData(w2);
      Tensor got = m.forward(q, kv, kv).output();
      MultiheadAttention fresh = new MultiheadAttention(E, 2);
      java.util.Map<String, Tensor> state = new java.util.LinkedHashMap<>(m.stateDict());
      fresh.loadStateDict(state, true);
      Tensor want = fresh.forward(q, kv, kv).output();
      assertTrue(want.allclose(got, 1e-6, 1e-6), "the new weight's output");
    }
  }
}
