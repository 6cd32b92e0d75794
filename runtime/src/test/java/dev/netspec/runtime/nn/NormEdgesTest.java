package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupNorm} and {@link BatchNorm}'s own state around the kernels (their values against
 * PyTorch are in {@code NormParityTest}): arguments at their limits, the accessors, reset, the
 * saved statistics (kept per batch size, versioned), {@code out} checked before anything is
 * written and returned however it is laid out, one thread at a time, and the gradient of the
 * allocating forward in each mode. Expected values are worked by hand in the comments.
 */
class NormEdgesTest {
  private static final float TOL = 1e-6f;

  // ------------------------------------------------------------------------------- GroupNorm

  @Test
  void groupNormArgumentsAtTheirLimits() {
    assertEquals("GroupNorm: num_groups and num_channels must be positive, got 0 and 4",
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(0, 4)).getMessage());
    assertEquals("GroupNorm: num_groups and num_channels must be positive, got 1 and 0",
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(1, 0)).getMessage());
    assertEquals("GroupNorm: eps must be at least 0, got -1.0E-5", assertThrows(
        IllegalArgumentException.class, () -> new GroupNorm(1, 4, -1e-5, true)).getMessage());
    GroupNorm g = new GroupNorm(1, 1, 0.0, true); // the smallest layer, eps 0 as PyTorch takes
    assertEquals(1, g.numGroups());
    assertEquals(1, g.numChannels());
    assertEquals(0.0, g.eps());
  }

  @Test
  void groupNormResetRestoresTheAffineDefaults() {
    GroupNorm g = new GroupNorm(2, 4);
    g.weight.data().fill_(3f);
    g.bias.data().fill_(2f);
    g.initialize(0);
    assertArrayEquals(new float[] {1, 1, 1, 1}, g.weight.data().toFloatArray());
    assertArrayEquals(new float[4], g.bias.data().toFloatArray());
    GroupNorm plain = new GroupNorm(2, 4, 1e-5, false);
    plain.initialize(0); // nothing to reset, and no failure
    assertNull(plain.weight);
    assertEquals("GroupNorm(2, 4, eps=1e-05, affine=False)", plain.toString());
  }

  /**
   * x (1, 4, 2): channels [1, 3], [1, 3], [0, 4], [0, 4]; two groups of two channels. Group 0:
   * mean 2, biased var 1, so (x - 2) / 1 = [-1, 1, -1, 1]; group 1: mean 2, var 4, rstd 1/2,
   * the same [-1, 1, -1, 1]. weight (1, 2, 1, 1), bias (0, 0, 0, 1), eps 0.
   */
  private static Tensor groupInput() {
    return Tensor.of(1, 3, 1, 3, 0, 4, 0, 4).view(1, 4, 2);
  }

  private static final float[] GROUP_OUT = {-1, 1, -2, 2, -1, 1, 0, 2};

  private static GroupNorm groupLayer() {
    GroupNorm g = new GroupNorm(2, 4, 0.0, true);
    g.weight.data().copy_(Tensor.of(1, 2, 1, 1));
    g.bias.data().copy_(Tensor.of(0, 0, 0, 1));
    return g;
  }

  @Test
  void groupNormIntoAStridedOutAndTheSavedStatistics() throws Exception {
    GroupNorm g = groupLayer();
    Tensor out = Tensor.zeros(1, 2, 4).transpose(1, 2); // (1, 4, 2), not contiguous
    assertFalse(out.isContiguous());
    assertSame(out, g.forward(groupInput(), out));
    assertArrayEquals(GROUP_OUT, out.contiguous().toFloatArray(), TOL);
    Tensor mean = g.savedMean();
    assertArrayEquals(new int[] {1, 2}, mean.shape());
    assertArrayEquals(new float[] {2, 2}, mean.toFloatArray(), TOL);
    assertArrayEquals(new float[] {1, 0.5f}, g.savedRstd().toFloatArray(), TOL);

    long meanVersion = mean.version();
    long rstdVersion = g.savedRstd().version();
    Tensor dense = Tensor.zeros(1, 4, 2);
    assertSame(dense, g.forward(groupInput(), dense));
    assertArrayEquals(GROUP_OUT, dense.toFloatArray(), TOL);
    assertSame(mean, g.savedMean(), "the same batch size keeps the saved tensors");
    assertTrue(mean.version() > meanVersion, "the saved mean is rewritten: a new version");
    assertTrue(g.savedRstd().version() > rstdVersion, "so is the saved rstd");

    // a batch of two: the second sample is the first times 2 plus 1 (mean 5, rstd 1/2 and 1/4)
    Tensor two = Tensor.of(1, 3, 1, 3, 0, 4, 0, 4, 3, 7, 3, 7, 1, 9, 1, 9).view(2, 4, 2);
    Tensor y = g.forward(two, Tensor.zeros(2, 4, 2));
    assertArrayEquals(new int[] {2, 2}, g.savedMean().shape());
    assertArrayEquals(new float[] {2, 2, 5, 5}, g.savedMean().toFloatArray(), TOL);
    assertArrayEquals(new float[] {1, 0.5f, 0.5f, 0.25f}, g.savedRstd().toFloatArray(), TOL);
    assertArrayEquals(GROUP_OUT, y.select(0, 1).toFloatArray(), TOL);
    ForwardGuards.assertGuarded(g, () -> g.forward(groupInput(), Tensor.zeros(1, 4, 2)));
  }

  @Test
  void groupNormChecksOutBeforeWriting() {
    GroupNorm g = groupLayer();
    Tensor out = Tensor.zeros(1, 2, 4); // as many elements, another shape
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.forward(groupInput(), out));
    assertEquals("GroupNorm: out has shape [1, 2, 4], the result has shape [1, 4, 2]",
        e.getMessage());
    assertArrayEquals(new float[8], out.toFloatArray(), "nothing written");
  }

  // ------------------------------------------------------------------------------- BatchNorm

  @Test
  void batchNormArgumentsAtTheirLimits() {
    assertEquals("BatchNorm1d: num_features must be positive, got 0",
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(0)).getMessage());
    assertEquals("BatchNorm2d: eps must be at least 0, got -1.0", assertThrows(
        IllegalArgumentException.class, () -> new BatchNorm2d(1, -1, 0.1, true, true))
        .getMessage());
    for (double bad : new double[] {-0.01, 1.01, Double.NaN}) {
      assertEquals("BatchNorm1d: momentum must be between 0 and 1 or null, got " + bad,
          assertThrows(IllegalArgumentException.class,
              () -> new BatchNorm1d(1, 1e-5, bad, true, true)).getMessage());
    }
    BatchNorm zero = new BatchNorm1d(1, 0.0, 0.0, true, true); // all at the low end
    assertEquals(1, zero.numFeatures());
    assertEquals(0.0, zero.eps());
    assertEquals(0.0, zero.momentum());
    assertEquals(1.0, new BatchNorm1d(1, 1e-5, 1.0, true, true).momentum());
    assertNull(new BatchNorm1d(1, 1e-5, null, true, true).momentum());

    BatchNorm full = new BatchNorm2d(3);
    assertTrue(full.affine());
    assertTrue(full.trackRunningStats());
    BatchNorm bare = new BatchNorm2d(3, 1e-5, 0.1, false, false);
    assertFalse(bare.affine());
    assertFalse(bare.trackRunningStats());
    assertNull(bare.runningMean());
    assertEquals("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=False,"
        + " track_running_stats=False)", bare.toString());
  }

  /** With momentum 1 the running statistics are the last batch's (unbiased variance). */
  @Test
  void momentumOneKeepsTheLastBatchAndZeroKeepsTheStart() {
    Tensor x = Tensor.of(1, 3, 5).view(3, 1); // mean 3, unbiased var 4
    BatchNorm one = new BatchNorm1d(1, 1e-5, 1.0, true, true);
    one.forward(x, Tensor.zeros(3, 1));
    assertArrayEquals(new float[] {3}, one.runningMean().toFloatArray(), TOL);
    assertArrayEquals(new float[] {4}, one.runningVar().toFloatArray(), TOL);
    BatchNorm none = new BatchNorm1d(1, 1e-5, 0.0, true, true);
    none.forward(x, Tensor.zeros(3, 1));
    assertArrayEquals(new float[] {0}, none.runningMean().toFloatArray());
    assertArrayEquals(new float[] {1}, none.runningVar().toFloatArray());
    assertEquals(1L, none.numBatchesTracked().longItem());
  }

  @Test
  void batchNormResetRestoresEverything() {
    BatchNorm b = new BatchNorm1d(2);
    b.forward(Tensor.of(1, 2, 3, 6).view(2, 2), Tensor.zeros(2, 2));
    b.weight.data().fill_(3f);
    b.bias.data().fill_(2f);
    b.initialize(0);
    assertArrayEquals(new float[] {1, 1}, b.weight.data().toFloatArray());
    assertArrayEquals(new float[2], b.bias.data().toFloatArray());
    assertArrayEquals(new float[2], b.runningMean().toFloatArray());
    assertArrayEquals(new float[] {1, 1}, b.runningVar().toFloatArray());
    assertEquals(0L, b.numBatchesTracked().longItem());
    new BatchNorm1d(2, 1e-5, 0.1, false, true).initialize(0); // no parameters: no failure
  }

  @Test
  void batchNormRecordsWhenItsParametersNeedGradients() {
    BatchNorm b = new BatchNorm2d(2);
    assertTrue(b.records());
    try (GradMode.Scope s = GradMode.noGrad()) {
      assertFalse(b.records(), "not under no_grad");
    }
    b.weight.requiresGrad(false);
    assertTrue(b.records(), "the bias still needs one");
    b.bias.requiresGrad(false);
    assertFalse(b.records());
    assertFalse(new BatchNorm2d(2, 1e-5, 0.1, false, true).records(), "no parameters");
  }

  @Test
  void bothForwardsCheckTheRankFirst() {
    BatchNorm1d b = new BatchNorm1d(2);
    Tensor x = Tensor.zeros(1, 2, 1, 1);
    assertEquals("expected 2D or 3D input (got 4D input)",
        assertThrows(IllegalArgumentException.class, () -> b.forward(x)).getMessage());
    assertEquals("expected 2D or 3D input (got 4D input)", assertThrows(
        IllegalArgumentException.class, () -> b.forward(x, Tensor.zeros(1, 2, 1, 1)))
        .getMessage());
    assertEquals(0L, b.numBatchesTracked().longItem(), "no statistics moved");
  }

  /**
   * x (2, 2, 2) in training: channel 0 holds 0, 2, 4, 6 (mean 3, biased var 5), channel 1
   * holds 1, 1, 3, 3 (mean 2, var 1); eps 0, affine defaults.
   */
  @Test
  void batchNormIntoAStridedOutVersionsAndOneThreadAtATime() throws Exception {
    BatchNorm1d b = new BatchNorm1d(2, 0.0, 0.5, true, true);
    Tensor x = Tensor.of(0, 2, 1, 1, 4, 6, 3, 3).view(2, 2, 2);
    Tensor out = Tensor.zeros(2, 2, 2).transpose(1, 2); // (2, 2, 2) with strides (4, 1, 2)
    long meanVersion = b.savedMean().version();
    long stdVersion = b.savedInvStd().version();
    assertSame(out, b.forward(x, out));
    float s = (float) (1 / Math.sqrt(5));
    assertArrayEquals(new float[] {-3 * s, -1 * s, -1, -1, 1 * s, 3 * s, 1, 1},
        out.contiguous().toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {3, 2}, b.savedMean().toFloatArray(), TOL);
    assertArrayEquals(new float[] {s, 1}, b.savedInvStd().toFloatArray(), TOL);
    assertTrue(b.savedMean().version() > meanVersion, "the saved mean has a new version");
    assertTrue(b.savedInvStd().version() > stdVersion, "so has the saved inverse std");

    Tensor wrong = Tensor.zeros(2, 4); // as many elements, another shape
    assertEquals("BatchNorm1d: out has shape [2, 4], the result has shape [2, 2, 2]",
        assertThrows(IllegalArgumentException.class, () -> b.forward(x, wrong)).getMessage());
    assertEquals(1L, b.numBatchesTracked().longItem(), "checked before the statistics moved");
    ForwardGuards.assertGuarded(b, () -> b.forward(x, Tensor.zeros(2, 2, 2)));
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /**
   * The gradient of sum(y * g) for one channel of values x (N = 4, weight w, eps 0): in
   * training through the batch's statistics, w * rstd / N * (N g - sum g - xhat sum(g xhat));
   * in eval the running statistics are constants: w * g / sqrt(running_var).
   */
  @Test
  void theAllocatingForwardsGradientFollowsTheMode() {
    float[] xs = {0, 1, 3, 8};
    float[] g = {1, -2, 0.5f, 3};
    float w = 1.5f;
    double mean = (0 + 1 + 3 + 8) / 4.0;
    double var = 0;
    for (float v : xs) {
      var += (v - mean) * (v - mean) / 4;
    }
    double rstd = 1 / Math.sqrt(var);
    double sumG = 0;
    double sumGx = 0;
    for (int i = 0; i < 4; i++) {
      sumG += g[i];
      sumGx += g[i] * (xs[i] - mean) * rstd;
    }
    float[] train = new float[4];
    for (int i = 0; i < 4; i++) {
      train[i] = (float) (w * rstd / 4 * (4 * g[i] - sumG - (xs[i] - mean) * rstd * sumGx));
    }

    BatchNorm1d b = new BatchNorm1d(1, 0.0, 0.1, true, true);
    b.weight.data().fill_(w);
    Tensor x = Tensor.of(xs).view(4, 1).requiresGrad_(true);
    b.forward(x).mul(Tensor.of(g).view(4, 1)).sum().backward();
    assertArrayEquals(train, x.grad().toFloatArray(), 1e-5f, "training: batch statistics");

    b.eval();
    b.runningVar().fill_(4f); // sqrt 2
    Tensor x2 = Tensor.of(xs).view(4, 1).requiresGrad_(true);
    b.forward(x2).mul(Tensor.of(g).view(4, 1)).sum().backward();
    float[] eval = new float[4];
    for (int i = 0; i < 4; i++) {
      eval[i] = w * g[i] / 2;
    }
    assertArrayEquals(eval, x2.grad().toFloatArray(), 1e-6f, "eval: running statistics");
    assertEquals(dot(eval, xs), dot(x2.grad().toFloatArray(), xs), 1e-5);
  }
}
