package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Out}'s forms on the layouts their fast paths tell apart, against hand-computed
 * values, and {@link Generator} against the JDK's own SplitMix64 ({@link SplittableRandom}
 * uses the same increment and finalizer), so its streams are the published algorithm's.
 */
class OutLayoutsTest {
  private static void bumps(Tensor out, Runnable call) {
    long version = out.version();
    call.run();
    assertTrue(out.version() > version, "out's version grows");
  }

  @Test
  void neOnEveryLayout() {
    Tensor x = Tensor.of(1f, 2f, 2f, 0f, 2f, -2f).reshape(2, 3);
    float[] want = {1, 0, 0, 1, 0, 1};
    Tensor out = Tensor.zeros(2, 3).fill_(7f);
    bumps(out, () -> assertSame(out, Out.ne(x, 2f, out)));
    assertArrayEquals(want, out.toFloatArray(), "dense");
    Tensor longs = Tensor.ofLongs(new long[] {1, 2, 2, 0, 2, -2}, 2, 3);
    Tensor lo = Tensor.zeros(2, 3).fill_(7f);
    bumps(lo, () -> Out.ne(longs, 2f, lo));
    assertArrayEquals(want, lo.toFloatArray(), "int64 x");
    Tensor strided = Tensor.zeros(3, 2).t();
    assertArrayEquals(want, Out.ne(x, 2f, strided).contiguous().toFloatArray(), "strided out");
    Tensor xt = Tensor.of(1f, 0f, 2f, 2f, 2f, -2f).reshape(3, 2).t();
    assertArrayEquals(want, Out.ne(xt, 2f, Tensor.zeros(2, 3)).toFloatArray(), "strided x");
    Tensor self = x.clone();
    assertArrayEquals(want, Out.ne(self, 2f, self).toFloatArray(), "in place");
    Tensor longOut = Tensor.ofLongs(new long[6], 2, 3);
    assertArrayEquals(new long[] {1, 0, 0, 1, 0, 1}, Out.ne(longs, 2f, longOut).toLongArray(),
        "int64 out");
    assertEquals("ne: out has shape [3, 2], the result has shape [2, 3]",
        assertThrows(IllegalArgumentException.class, () -> Out.ne(x, 2f, Tensor.zeros(3, 2)))
            .getMessage());
  }

  @Test
  void rsubOnEveryLayout() {
    Tensor x = Tensor.of(0.5f, -1f, 3f, 2.25f).reshape(2, 2);
    float[] want = {0.5f, 2f, -2f, -1.25f};
    Tensor out = Tensor.zeros(2, 2).fill_(Float.NaN);
    bumps(out, () -> assertSame(out, Out.rsub(1f, x, out)));
    assertArrayEquals(want, out.toFloatArray(), "dense");
    assertArrayEquals(want, Out.rsub(1f, x, Tensor.zeros(2, 2).t()).contiguous()
        .toFloatArray(), "strided out");
    Tensor xt = Tensor.of(0.5f, 3f, -1f, 2.25f).reshape(2, 2).t();
    assertArrayEquals(want, Out.rsub(1f, xt, Tensor.zeros(2, 2)).toFloatArray(), "strided x");
    Tensor self = x.clone();
    assertArrayEquals(want, Out.rsub(1f, self, self).toFloatArray(), "in place");
    Tensor base = Tensor.zeros(6);
    Tensor xv = base.narrow(0, 0, 4);
    xv.copy_(Tensor.of(0.5f, -1f, 3f, 2.25f));
    assertArrayEquals(want, Out.rsub(1f, xv, base.narrow(0, 2, 4)).toFloatArray(),
        "out overlaps x at an offset");
    assertEquals("rsub: out has shape [4], the result has shape [2, 2]",
        assertThrows(IllegalArgumentException.class, () -> Out.rsub(1f, x, Tensor.zeros(4)))
            .getMessage());
    assertThrows(IllegalStateException.class,
        () -> Out.rsub(1f, Tensor.ofLongs(new long[4], 2, 2), Tensor.zeros(2, 2)));
  }

  @Test
  void sumOnEveryLayout() {
    Tensor x = Tensor.arange(24).to(DType.FLOAT32).reshape(2, 3, 4);
    // sums by hand: over dim 0, x[0] + x[1] = 2i + 12; over dim 2, 4 consecutive values
    float[] dim0 = new float[12];
    for (int i = 0; i < 12; i++) {
      dim0[i] = 2 * i + 12;
    }
    float[] dim1 = {12, 15, 18, 21, 48, 51, 54, 57};
    float[] dim2 = {6, 22, 38, 54, 70, 86};
    Tensor o0 = Tensor.zeros(3, 4);
    bumps(o0, () -> assertSame(o0, Out.sum(x, 0, false, o0)));
    assertArrayEquals(dim0, o0.toFloatArray(), "dim 0");
    assertArrayEquals(dim1, Out.sum(x, 1, true, Tensor.zeros(2, 1, 4)).toFloatArray(), "dim 1");
    assertArrayEquals(dim2, Out.sum(x, -1, false, Tensor.zeros(2, 3)).toFloatArray(), "dim -1");
    assertArrayEquals(dim2, Out.sum(x, 2, true, Tensor.zeros(2, 3, 1)).toFloatArray(),
        "dim 2 keepdim");
    assertArrayEquals(dim2, Out.sum(x.transpose(0, 1).contiguous().transpose(0, 1), 2, false,
        Tensor.zeros(2, 3)).toFloatArray(), "strided x");
    assertArrayEquals(dim0, Out.sum(x, 0, false, Tensor.zeros(4, 3).t()).contiguous()
        .toFloatArray(), "strided out");
    Tensor base = Tensor.zeros(30);
    Tensor xs = base.narrow(0, 0, 24).view(2, 3, 4);
    xs.copy_(x);
    assertArrayEquals(dim2, Out.sum(xs, 2, false, base.narrow(0, 24, 6).view(2, 3))
        .toFloatArray(), "out in x's storage");
    assertEquals(5f, Out.sum(Tensor.scalar(5f), 0, false, Tensor.scalar(0f)).item(), "0-d");
    // empty reductions give zeros; an out holding garbage is overwritten
    assertArrayEquals(new float[6], Out.sum(Tensor.zeros(2, 0, 3), 1, false,
        Tensor.zeros(2, 3).fill_(9f)).toFloatArray(), "n = 0, inner 3");
    assertArrayEquals(new float[2], Out.sum(Tensor.zeros(2, 0), 1, false,
        Tensor.zeros(2).fill_(9f)).toFloatArray(), "n = 0, inner 1");
    assertEquals("sum: out has shape [2, 4], the sum over dim 1 of [2, 3, 4] has another",
        assertThrows(IllegalArgumentException.class,
            () -> Out.sum(x, 1, true, Tensor.zeros(2, 4))).getMessage());
    assertEquals("sum: out has shape [2, 1, 4], the sum over dim 1 of [2, 3, 4] has another",
        assertThrows(IllegalArgumentException.class,
            () -> Out.sum(x, 1, false, Tensor.zeros(2, 1, 4))).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Out.sum(x, 1, false, Tensor.zeros(3, 4)));
    assertThrows(IllegalStateException.class,
        () -> Out.sum(Tensor.ofLongs(1, 2), 0, false, Tensor.scalar(0f)));
  }

  @Test
  void arangeIntoEitherDtype() {
    Tensor longs = Tensor.ofLongs(new long[4], 4);
    bumps(longs, () -> assertSame(longs, Out.arange(5, longs)));
    assertArrayEquals(new long[] {5, 6, 7, 8}, longs.toLongArray());
    Tensor floats = Tensor.zeros(6).narrow(0, 1, 3);
    bumps(floats, () -> Out.arange(-1, floats));
    assertArrayEquals(new float[] {-1, 0, 1}, floats.toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> Out.arange(0, Tensor.zeros(2, 2)));
    assertThrows(IllegalArgumentException.class,
        () -> Out.arange(0, Tensor.zeros(4).slice(0, 0, 4, 2)));
  }

  @Test
  void generatorIsSplitMix64() {
    for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE}) {
      SplittableRandom reference = new SplittableRandom(seed);
      Generator g = new Generator(seed);
      for (int i = 0; i < 5; i++) {
        assertEquals(reference.nextLong(), g.nextLong(), "seed " + seed + " draw " + i);
      }
      SplittableRandom bits = new SplittableRandom(seed);
      Generator d = new Generator(seed);
      assertEquals((bits.nextLong() >>> 11) * 0x1.0p-53, d.nextDouble(), "nextDouble");
      assertEquals((bits.nextLong() >>> 40) * 0x1.0p-24f, d.nextFloat(), "nextFloat");
    }
    // SplitMix64's published first output for state 0 (Vigna's splitmix64.c)
    assertEquals(0xe220a8397b1dcdafL, new Generator(0).nextLong());
  }

  /** A saved state resumes mid-pair: the spare normal of Box-Muller comes back too. */
  @Test
  void generatorStateRoundTrips() {
    Generator g = new Generator(3);
    g.nextGaussian(); // leaves a spare
    long[] saved = g.getState();
    assertEquals(1, saved[2], "a spare normal is pending");
    double[] want = {g.nextGaussian(), g.nextGaussian(), g.nextDouble()};
    Generator h = new Generator(99);
    h.setState(saved);
    assertArrayEquals(want, new double[] {h.nextGaussian(), h.nextGaussian(), h.nextDouble()});
    Generator fresh = new Generator(5);
    long[] none = fresh.getState();
    assertArrayEquals(new long[] {5, Double.doubleToRawLongBits(0.0), 0}, none);
    Generator k = new Generator(1);
    k.nextGaussian();
    k.setState(none);
    assertEquals(new Generator(5).nextGaussian(), k.nextGaussian(), "no spare: a new pair");
    for (long[] bad : new long[][] {{1, 2}, {1, 2, 3, 4}, {1, 2, 2}, {1, 2, -1}}) {
      assertThrows(IllegalArgumentException.class, () -> k.setState(bad));
    }
  }
}
