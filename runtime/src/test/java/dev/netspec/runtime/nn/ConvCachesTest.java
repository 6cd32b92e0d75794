package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.kernels.Convolution;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * What a convolution keeps between forwards ({@link PackedFilters}, {@link ConvState}) is
 * redone exactly when what it was made from changed: another tensor, a new version, another
 * fold affine (by value), eps, or a geometry that needs other filters. Shared with a replica,
 * every rebuild is a new snapshot (a thread inside a forward keeps reading the old one);
 * unshared, it is rebuilt in place. The folded values are worked by hand.
 */
class ConvCachesTest {
  private static final float[] NONE = new float[0];

  /** A 3x3 convolution, stride 1, no padding, of {@code size x size} images. */
  private static ConvGeometry geometry(int batch, int in, int size, int out, int groups) {
    return new ConvGeometry(batch, in, size, size, out, 3, 3, 1, 1, 0, 0, 1, 1, groups,
        size - 2, size - 2);
  }

  /** Filters {@code (out, inPerGroup, 3, 3)}: every value of output channel c is c + 1. */
  private static Tensor filters(int out, int inPerGroup) {
    Tensor w = Tensor.zeros(out, inPerGroup, 3, 3);
    for (int c = 0; c < out; c++) {
      w.select(0, c).fill_(c + 1);
    }
    return w;
  }

  @Test
  void sharedFiltersAreANewSnapshotExactlyWhenTheirSourcesChanged() {
    PackedFilters p = new PackedFilters();
    p.share();
    ConvGeometry g = geometry(1, 2, 5, 3, 1);
    Tensor w = filters(3, 2);
    Tensor b = Tensor.of(10f, 20f, 30f);
    PackedFilters.Snapshot s = p.of(g, w, b, false, NONE, NONE);
    assertNotNull(s.filters());
    assertSame(s, p.of(g, w, b, false, NONE, NONE), "nothing changed");
    assertSame(s, p.of(geometry(2, 2, 7, 3, 1), w, b, false, NONE, NONE),
        "another batch and image size take the same filters");

    w.mul_(1f); // a new version of the same tensor
    PackedFilters.Snapshot s2 = p.of(g, w, b, false, NONE, NONE);
    assertNotSame(s, s2, "weight version");
    assertNotSame(s.filters(), s2.filters(), "the old snapshot keeps its own filters");
    assertNotNull(s2.filters());
    assertSame(s2, p.of(g, w, b, false, NONE, NONE));

    b.mul_(1f);
    PackedFilters.Snapshot s3 = p.of(g, w, b, false, NONE, NONE);
    assertNotSame(s2, s3, "bias version");
    Tensor w2 = w.clone();
    PackedFilters.Snapshot s4 = p.of(g, w2, b, false, NONE, NONE);
    assertNotSame(s3, s4, "another weight tensor with the same values");
    PackedFilters.Snapshot s5 = p.of(g, w2, b.clone(), false, NONE, NONE);
    assertNotSame(s4, s5, "another bias tensor");
    PackedFilters.Snapshot s6 = p.of(g, w2, null, false, NONE, NONE);
    assertNotSame(s5, s6, "no bias");
    assertSame(s6, p.of(g, w2, null, false, NONE, NONE));

    // folded: w * scale, b * scale + shift per output channel
    float[] scale = {2f, 0.5f, -1f};
    float[] shift = {1f, 2f, 3f};
    PackedFilters.Snapshot f = p.of(g, w2, b, true, scale, shift);
    assertNotSame(s6, f, "folded");
    assertArrayEquals(new float[] {21f, 12f, -27f}, f.foldedBias());
    float[] fw = f.foldedWeight();
    assertArrayEquals(new float[] {2f, 1f, -3f}, new float[] {fw[0], fw[18], fw[53]});
    assertSame(f, p.of(g, w2, b, true, scale.clone(), shift.clone()),
        "the affine is compared by value");
    PackedFilters.Snapshot f2 = p.of(g, w2, b, true, scale, new float[] {1f, 2f, 4f});
    assertNotSame(f, f2, "another shift");
    assertArrayEquals(new float[] {21f, 12f, -26f}, f2.foldedBias());
    assertArrayEquals(new float[] {21f, 12f, -27f}, f.foldedBias(), "the old snapshot kept");
    PackedFilters.Snapshot f3 = p.of(g, w2, b, true, new float[] {2f, 0.5f, -2f}, shift);
    assertNotSame(f2, f3, "another scale");
    assertArrayEquals(new float[] {21f, 12f, -57f}, f3.foldedBias());
    PackedFilters.Snapshot f4 = p.of(g, w2, null, true, scale, shift);
    assertArrayEquals(shift, f4.foldedBias(), "no bias: the shift alone");
    PackedFilters.Snapshot plain = p.of(g, w2, null, false, scale, shift);
    assertNotSame(f4, plain, "unfolded again");

    // the same (4, 2, 3, 3) weight as 1 group of 2 channels, then 2 groups of 2 (4 channels in)
    Tensor w4 = filters(4, 2);
    PackedFilters.Snapshot one = p.of(geometry(1, 2, 5, 4, 1), w4, null, false, NONE, NONE);
    PackedFilters.Snapshot two = p.of(geometry(1, 4, 5, 4, 2), w4, null, false, NONE, NONE);
    assertNotSame(one, two, "other groups need other filters");
    assertNotNull(two.filters());

    // depthwise: the kernel reads the weight itself, nothing is packed
    Tensor dw = filters(3, 1);
    ConvGeometry depthwise = geometry(1, 3, 5, 3, 3);
    PackedFilters.Snapshot d = p.of(depthwise, dw, null, false, NONE, NONE);
    assertNull(d.filters());
    assertSame(d, p.of(depthwise, dw, null, false, NONE, NONE), "nothing changed");
  }

  @Test
  void unsharedFiltersAreRepackedInPlace() {
    PackedFilters p = new PackedFilters();
    ConvGeometry g = geometry(1, 2, 5, 3, 1);
    Tensor w = filters(3, 2);
    Tensor b = Tensor.of(10f, 20f, 30f);
    PackedFilters.Snapshot s = p.of(g, w, b, false, NONE, NONE);
    Convolution.Filters packed = s.filters();
    w.mul_(2f);
    assertSame(s, p.of(g, w, b, false, NONE, NONE));
    assertSame(packed, s.filters(), "repacked in place");
    float[] scale = {2f, 0.5f, -1f};
    float[] shift = {1f, 2f, 3f};
    assertSame(s, p.of(g, w, b, true, scale, shift));
    float[] fw = s.foldedWeight();
    assertArrayEquals(new float[] {4f, 2f, -6f}, new float[] {fw[0], fw[18], fw[53]});
    assertArrayEquals(new float[] {21f, 12f, -27f}, s.foldedBias());
    assertSame(s, p.of(g, w, b, true, scale, new float[] {0f, 0f, 0f}));
    assertSame(fw, s.foldedWeight(), "folded in place");
    assertArrayEquals(new float[] {20f, 10f, -30f}, s.foldedBias());
    // other groups: the packed filters no longer fit, so new ones
    Tensor w4 = filters(4, 2);
    PackedFilters.Snapshot one = p.of(geometry(1, 2, 5, 4, 1), w4, null, false, NONE, NONE);
    Convolution.Filters onePacked = one.filters();
    PackedFilters.Snapshot two = p.of(geometry(1, 4, 5, 4, 2), w4, null, false, NONE, NONE);
    assertNotSame(onePacked, two.filters());
  }

  @Test
  void aReplicasStateSharesTheOriginalsFiltersAndNeverSeesThemChangeInPlace() {
    ConvState original = new ConvState();
    ConvState replica = new ConvState();
    replica.shareFiltersOf(original);
    ConvGeometry g = geometry(1, 2, 5, 3, 1);
    Tensor w = filters(3, 2);
    original.prepare(g, w, null, null);
    Convolution.Filters first = original.filters();
    replica.prepare(g, w, null, null);
    assertSame(first, replica.filters(), "one copy for both");
    w.mul_(3f);
    original.prepare(g, w, null, null);
    assertNotSame(first, original.filters(), "a new snapshot, not the replica's repacked");
    replica.prepare(g, w, null, null);
    assertSame(original.filters(), replica.filters());
  }

  /**
   * The fold's affine, by hand: gamma 2, beta 1, mean (1, 2, 3), var (1, 4, 9). eps 0: scale
   * 2 / sqrt(var) = (2, 1, 2/3), shift = beta - mean * scale = -1 each. eps 3: scale
   * 2 / sqrt(var + 3) = (1, 2/sqrt 7, 2/sqrt 12), shift (0, 1 - 4/sqrt 7, 1 - 6/sqrt 12).
   */
  @Test
  void theFoldIsRedoneForAnotherEpsAnotherTensorOrANewVersion() {
    ConvState state = new ConvState();
    ConvGeometry g = geometry(1, 2, 5, 3, 1);
    Tensor w = filters(3, 2);
    Tensor mean = Tensor.of(1f, 2f, 3f);
    Tensor var = Tensor.of(1f, 4f, 9f);
    Tensor gamma = Tensor.of(2f, 2f, 2f);
    Tensor beta = Tensor.of(1f, 1f, 1f);
    state.prepare(g, w, null, new BatchNormFold(mean, var, gamma, beta, 0));
    assertArrayEquals(new float[] {-1f, -1f, -1f}, state.foldedBias(), 1e-6f);
    assertArrayEquals(new float[] {2f, 2f, 2f}, new float[] {state.foldedWeight()[0],
        state.foldedWeight()[18], state.foldedWeight()[53]}, 1e-6f);

    state.prepare(g, w, null, new BatchNormFold(mean, var, gamma, beta, 3));
    double s7 = Math.sqrt(7);
    double s12 = Math.sqrt(12);
    assertArrayEquals(new float[] {0f, (float) (1 - 4 / s7), (float) (1 - 6 / s12)},
        state.foldedBias(), 1e-6f, "eps 3");
    assertArrayEquals(new float[] {1f, (float) (2 * 2 / s7), (float) (3 * 2 / s12)},
        new float[] {state.foldedWeight()[0], state.foldedWeight()[18],
            state.foldedWeight()[53]}, 1e-6f);

    // another mean tensor at the same version (0) as the first: mean 0, shift = beta
    Tensor zeroMean = Tensor.zeros(3);
    state.prepare(g, w, null, new BatchNormFold(zeroMean, var, gamma, beta, 3));
    assertArrayEquals(new float[] {1f, 1f, 1f}, state.foldedBias(), 1e-6f, "another tensor");

    // the same tensor, changed in place: mean 1 each, shift = 1 - scale
    zeroMean.fill_(1f);
    state.prepare(g, w, null, new BatchNormFold(zeroMean, var, gamma, beta, 3));
    assertArrayEquals(new float[] {0f, (float) (1 - 2 / s7), (float) (1 - 2 / s12)},
        state.foldedBias(), 1e-6f, "a new version");

    // all four replaced by other tensors at the versions of the last ones, or all four changed
    // in place: mean 0, var 1, gamma 3, beta 2, eps 3: scale 3 / 2, shift 2
    Tensor m2 = Tensor.zeros(3);
    Tensor v2 = Tensor.ones(3);
    Tensor g2 = Tensor.full(3f, 3);
    Tensor b2 = Tensor.full(2f, 3);
    for (Tensor t : new Tensor[] {m2, v2, g2, b2}) {
      t.mul_(1f); // version 1, as zeroMean's
    }
    var.mul_(1f);
    gamma.mul_(1f);
    beta.mul_(1f);
    state.prepare(g, w, null, new BatchNormFold(zeroMean, var, gamma, beta, 3));
    state.prepare(g, w, null, new BatchNormFold(m2, v2, g2, b2, 3));
    assertArrayEquals(new float[] {2f, 2f, 2f}, state.foldedBias(), 1e-6f, "four other tensors");
    assertArrayEquals(new float[] {1.5f, 3f, 4.5f}, new float[] {state.foldedWeight()[0],
        state.foldedWeight()[18], state.foldedWeight()[53]}, 1e-6f);
    for (Tensor t : new Tensor[] {m2, v2, g2, b2}) {
      t.add_(1f); // mean 1, var 2, gamma 4, beta 3: scale 4 / sqrt 5, shift 3 - scale
    }
    state.prepare(g, w, null, new BatchNormFold(m2, v2, g2, b2, 3));
    float scale = (float) (4 / Math.sqrt(5));
    assertArrayEquals(new float[] {3 - scale, 3 - scale, 3 - scale}, state.foldedBias(), 1e-6f,
        "all four in place");
  }

  /** A layer's plan (output size) is its input's: a new image size gets a new plan. */
  @Test
  void aLayerRunsImagesOfSeveralSizesInTurn() {
    Conv2d conv = new Conv2d(2, 3, 3, 1, 1);
    for (int[] size : new int[][] {{1, 5, 5}, {2, 4, 6}, {1, 5, 5}, {1, 3, 3}}) {
      Tensor x = Tensor.zeros(size[0], 2, size[1], size[2]);
      float[] xa = x.array();
      for (int i = 0; i < xa.length; i++) {
        xa[i] = (i * 7 % 11 - 5) * 0.25f;
      }
      Tensor y = conv.forward(x);
      assertArrayEquals(new int[] {size[0], 3, size[1], size[2]}, y.shape());
      assertArrayEquals(naive(x, conv.weight.data(), conv.bias.data()), y.toFloatArray(), 1e-5f);
    }
  }

  /** A 3x3 convolution with padding 1, stride 1, in doubles. */
  private static float[] naive(Tensor x, Tensor w, Tensor b) {
    int n = x.size(0);
    int in = x.size(1);
    int h = x.size(2);
    int wd = x.size(3);
    int out = w.size(0);
    float[] r = new float[n * out * h * wd];
    int at = 0;
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < out; o++) {
        for (int y = 0; y < h; y++) {
          for (int z = 0; z < wd; z++) {
            double s = b.get(o);
            for (int c = 0; c < in; c++) {
              for (int ky = 0; ky < 3; ky++) {
                for (int kz = 0; kz < 3; kz++) {
                  int yy = y + ky - 1;
                  int zz = z + kz - 1;
                  if (yy >= 0 && yy < h && zz >= 0 && zz < wd) {
                    s += (double) x.get(i, c, yy, zz) * w.get(o, c, ky, kz);
                  }
                }
              }
            }
            r[at++] = (float) s;
          }
        }
      }
    }
    return r;
  }
}
