package dev.netspec.runtime.init;

import static dev.netspec.runtime.nn.Fixtures.list;
import static dev.netspec.runtime.nn.Fixtures.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Fixtures;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fans, gains and error texts against PyTorch ({@code fixtures/nn/init.json}); bounds from
 * PyTorch's formulas by hand; distributions checked statistically on 60 000 draws with
 * tolerances of 6 standard errors (a false alarm about once in 10^8 runs, and the seeds are
 * fixed anyway).
 */
class InitTest {
  private static final Map<String, Object> FIXTURE = Fixtures.load("init.json");
  private static final int ROWS = 300;
  private static final int COLS = 200;

  private static Generator gen() {
    return Generator.forName(99, "init-test");
  }

  @Test
  void gainsArePyTorchs() {
    List<Object> gains = list(FIXTURE.get("gains"));
    assertEquals(14, gains.size());
    for (Object g : gains) {
      List<Object> c = list(g);
      String name = (String) c.get(0);
      double want = ((Number) c.get(2)).doubleValue();
      double got = c.get(1) == null ? Init.calculateGain(name)
          : Init.calculateGain(name, ((Number) c.get(1)).doubleValue());
      assertEquals(want, got, 1e-15, name + " " + c.get(1));
    }
  }

  @Test
  void fansArePyTorchs() {
    List<Object> fans = list(FIXTURE.get("fans"));
    assertEquals(7, fans.size());
    for (Object f : fans) {
      Map<String, Object> c = map(f);
      Init.Fans got = Init.fans(Fixtures.shape(c.get("shape")));
      assertEquals(((Number) c.get("fan_in")).intValue(), got.fanIn(), c.toString());
      assertEquals(((Number) c.get("fan_out")).intValue(), got.fanOut(), c.toString());
    }
  }

  @Test
  void errorsArePyTorchs() {
    Map<String, Object> errors = map(FIXTURE.get("errors"));
    assertEquals(errors.get("fan_1d"), assertThrows(IllegalArgumentException.class,
        () -> Init.xavierUniform_(Tensor.zeros(3), gen())).getMessage());
    assertEquals(errors.get("fan_0d"), assertThrows(IllegalArgumentException.class,
        () -> Init.kaimingNormal_(Tensor.scalar(0f), gen())).getMessage());
    assertEquals(errors.get("gain_unknown"), assertThrows(IllegalArgumentException.class,
        () -> Init.calculateGain("swish")).getMessage());
    assertEquals(errors.get("mode_bad"), assertThrows(IllegalArgumentException.class,
        () -> Init.kaimingUniform_(Tensor.zeros(3, 4), 0, "fan_avg", "leaky_relu", gen()))
        .getMessage());
    assertEquals("uniform_ expects low <= high, but found low=5.0 > high=2.0",
        assertThrows(IllegalArgumentException.class,
            () -> Init.uniform_(Tensor.zeros(2), 5, 2, gen())).getMessage());
    assertEquals("normal_ expects std >= 0.0, but found std -1.0",
        assertThrows(IllegalArgumentException.class,
            () -> Init.normal_(Tensor.zeros(2), 0, -1, gen())).getMessage());
  }

  @Test
  void constantsFillEveryElement() {
    Tensor t = Tensor.full(3f, 2, 3);
    assertSame(t, Init.zeros_(t));
    assertArrayEquals(new float[6], t.toFloatArray());
    Init.ones_(t);
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, t.toFloatArray());
    Init.constant_(t, -2.5);
    assertArrayEquals(new float[] {-2.5f, -2.5f, -2.5f, -2.5f, -2.5f, -2.5f}, t.toFloatArray());
  }

  @Test
  void initializersFillViewsInPlace() {
    Tensor w = Tensor.zeros(4, 3);
    Init.ones_(w.slice(0, 0, 2));
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, w.toFloatArray());
    Init.uniform_(w.t().select(0, 0), 5, 6, gen()); // column 0
    for (int r = 0; r < 4; r++) {
      assertTrue(w.get(r, 0) >= 5 && w.get(r, 0) <= 6);
      assertEquals(r < 2 ? 1f : 0f, w.get(r, 1));
    }
  }

  @Test
  void uniformHasItsBoundsMeanAndVariance() {
    checkUniform(Init.uniform_(Tensor.zeros(ROWS, COLS), -2, 5, gen()), -2, 5);
    checkUniform(Init.uniform_(Tensor.zeros(ROWS, COLS), gen()), 0, 1);
  }

  @Test
  void normalHasItsMeanAndStd() {
    checkNormal(Init.normal_(Tensor.zeros(ROWS, COLS), 3, 0.5, gen()), 3, 0.5);
    checkNormal(Init.normal_(Tensor.zeros(ROWS, COLS), gen()), 0, 1);
  }

  @Test
  void xavierFollowsGlorot() {
    // fan_in 200, fan_out 300: a = gain * sqrt(6 / 500), std = gain * sqrt(2 / 500)
    double a = 2 * Math.sqrt(6.0 / 500);
    checkUniform(Init.xavierUniform_(Tensor.zeros(ROWS, COLS), 2, gen()), -a, a);
    checkUniform(Init.xavierUniform_(Tensor.zeros(ROWS, COLS), gen()), -a / 2, a / 2);
    checkNormal(Init.xavierNormal_(Tensor.zeros(ROWS, COLS), 2, gen()), 0, 2 * Math.sqrt(0.004));
    checkNormal(Init.xavierNormal_(Tensor.zeros(ROWS, COLS), gen()), 0, Math.sqrt(0.004));
  }

  @Test
  void kaimingFollowsHe() {
    // defaults: gain sqrt(2) (leaky_relu, a = 0), fan_in 200: bound sqrt(6 / 200)
    double bound = Math.sqrt(6.0 / 200);
    checkUniform(Init.kaimingUniform_(Tensor.zeros(ROWS, COLS), gen()), -bound, bound);
    // relu, fan_out 300: std sqrt(2 / 300)
    checkNormal(Init.kaimingNormal_(Tensor.zeros(ROWS, COLS), 0, "fan_out", "relu", gen()), 0,
        Math.sqrt(2.0 / 300));
    checkNormal(Init.kaimingNormal_(Tensor.zeros(ROWS, COLS), gen()), 0, Math.sqrt(2.0 / 200));
    // nn.Linear's a = sqrt(5): bound 1 / sqrt(fan_in); the mode is case-insensitive
    checkUniform(Init.kaimingUniform_(Tensor.zeros(ROWS, COLS), Math.sqrt(5), "FAN_IN",
        "leaky_relu", gen()), -1 / Math.sqrt(200), 1 / Math.sqrt(200));
    // a conv kernel [16, 8, 3, 3]: fan_in 72
    Tensor conv = Init.kaimingUniform_(Tensor.zeros(16, 8, 3, 3), 0, "fan_in", "relu", gen());
    for (float v : conv.toFloatArray()) {
      assertTrue(Math.abs(v) <= Math.sqrt(6.0 / 72));
    }
  }

  @Test
  void kaimingLeavesAnEmptyTensorAlone() {
    Tensor empty = Tensor.zeros(0, 3);
    assertSame(empty, Init.kaimingUniform_(empty, gen()));
    Tensor other = Tensor.zeros(3, 0);
    // as PyTorch, an empty tensor returns before the mode is even looked at
    assertSame(other, Init.kaimingNormal_(other, 0, "fan_avg", "relu", gen()));
  }

  @Test
  void aCustomInitializerIsAFunction() {
    // the tutorial's my_init: U(-10, 10), then keep only |w| >= 5
    Initializer myInit = (t, g) -> {
      Init.uniform_(t, -10, 10, g);
      t.mul_(t.abs().ge(5f));
    };
    Tensor w = Tensor.zeros(50, 40);
    myInit.init(w, gen());
    int zeros = 0;
    for (float v : w.toFloatArray()) {
      assertTrue(v == 0 || (Math.abs(v) >= 5 && Math.abs(v) <= 10), "value " + v);
      zeros += v == 0 ? 1 : 0;
    }
    // half the draws fall in (-5, 5): 1000 of 2000 expected, sd ~22
    assertTrue(Math.abs(zeros - 1000) < 6 * 22.4, "zeros " + zeros);
  }

  @Test
  void theSameGeneratorGivesTheSameBytes() {
    Tensor a = Init.xavierNormal_(Tensor.zeros(7, 5), gen());
    Tensor b = Init.xavierNormal_(Tensor.zeros(7, 5), gen());
    assertTrue(a.contentEquals(b));
    Tensor c = Init.xavierNormal_(Tensor.zeros(7, 5), Generator.forName(100, "init-test"));
    assertFalse(a.contentEquals(c), "another seed gives other values");
  }

  /** Every value in [low, high], mean and variance of U(low, high) within 6 standard errors. */
  private static void checkUniform(Tensor t, double low, double high) {
    float[] v = t.toFloatArray();
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (float x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    double width = high - low;
    assertTrue(min >= (float) low && max <= (float) high,
        "range [" + min + ", " + max + "] outside [" + low + ", " + high + "]");
    assertTrue(min < low + width * 1e-3 && max > high - width * 1e-3,
        "range [" + min + ", " + max + "] does not reach the bounds " + low + ", " + high);
    double sd = width / Math.sqrt(12);
    checkMoments(v, (low + high) / 2, sd);
  }

  private static void checkNormal(Tensor t, double mean, double std) {
    float[] v = t.toFloatArray();
    checkMoments(v, mean, std);
    int beyond = 0;
    for (float x : v) {
      beyond += Math.abs(x - mean) > 2 * std ? 1 : 0;
    }
    // P(|z| > 2) = 0.0455: 2730 of 60000, sd ~51
    assertTrue(Math.abs(beyond - 0.0455 * v.length) < 6 * 51, "tail count " + beyond);
  }

  /**
   * Mean within 6 standard errors ({@code sd / sqrt(n)}); sd within 6 of its standard error,
   * about {@code sd / sqrt(2n)} (0.3% relative for n = 60 000).
   */
  private static void checkMoments(float[] v, double mean, double sd) {
    double sum = 0;
    for (float x : v) {
      sum += x;
    }
    double m = sum / v.length;
    double ss = 0;
    for (float x : v) {
      ss += (x - m) * (x - m);
    }
    double s = Math.sqrt(ss / (v.length - 1));
    assertEquals(mean, m, 6 * sd / Math.sqrt(v.length), "mean");
    assertEquals(sd, s, 6 * sd / Math.sqrt(2.0 * v.length), "standard deviation");
  }

  /**
   * PyTorch's nn.init edits a leaf that requires grad (it runs under no_grad), while a plain
   * in-place op on it is refused; the leaf keeps requiring grad and stays a leaf.
   */
  @Test
  void initializersEditLeavesThatRequireGrad() {
    Tensor w = Tensor.zeros(3, 4).requiresGrad_(true);
    assertThrows(IllegalStateException.class, () -> w.fill_(1f));
    Init.constant_(w, 0.5);
    assertEquals(0.5f, w.get(2, 3));
    Init.ones_(w);
    assertEquals(1f, w.get(0, 0));
    Init.uniform_(w, -1, 1, new Generator(3));
    Init.kaimingUniform_(w, new Generator(3));
    assertTrue(w.requiresGrad());
    assertTrue(w.isLeaf());
    assertTrue(dev.netspec.runtime.autograd.GradMode.isEnabled(), "the mode is restored");
  }
}
