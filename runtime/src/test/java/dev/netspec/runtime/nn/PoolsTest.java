package dev.netspec.runtime.nn;

import static dev.netspec.runtime.nn.Fixtures.list;
import static dev.netspec.runtime.nn.Fixtures.map;
import static dev.netspec.runtime.nn.Fixtures.shape;
import static dev.netspec.runtime.nn.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pooling ops beyond their forward values ({@link ConvLayersTest} checks those): the
 * argmax a max pooling keeps in training mode and the gradients the functional forms and
 * the layers record, against PyTorch ({@code pools.json}, written by {@code
 * tools/fixtures/pool_fixtures.py}: {@code return_indices} and {@code x.grad} of
 * {@code sum(y * g)}, over ceil_mode, padding, dilation and unbatched edges); the
 * inference form {@code forward(x, out)} never records; what an adaptive pooling accepts as
 * {@code out}.
 */
class PoolsTest {
  private static final List<Object> CASES = list(Fixtures.load("pools.json").get("cases"));
  private static final double TOL = 1e-5;

  private static int[] ints(Map<String, Object> args, String name) {
    Object v = args.get(name);
    return v instanceof List ? shape(v) : new int[] {((Number) v).intValue()};
  }

  private static int integer(Map<String, Object> args, String name) {
    return ((Number) args.get(name)).intValue();
  }

  private static boolean flag(Map<String, Object> args, String name) {
    return (Boolean) args.get(name);
  }

  /** The functional form of a case's op. */
  private static Tensor functional(String op, Map<String, Object> a, Tensor x) {
    return switch (op) {
      case "max_pool2d" -> Functional.maxPool2d(x, ints(a, "kernel_size"), ints(a, "stride"),
          ints(a, "padding"), ints(a, "dilation"), flag(a, "ceil_mode"));
      case "max_pool1d" -> Functional.maxPool1d(x, integer(a, "kernel_size"),
          integer(a, "stride"), integer(a, "padding"), integer(a, "dilation"),
          flag(a, "ceil_mode"));
      case "avg_pool2d" -> Functional.avgPool2d(x, ints(a, "kernel_size"), ints(a, "stride"),
          ints(a, "padding"), flag(a, "ceil_mode"), flag(a, "count_include_pad"),
          a.get("divisor_override") == null ? null : integer(a, "divisor_override"));
      case "avg_pool1d" -> Functional.avgPool1d(x, integer(a, "kernel_size"),
          integer(a, "stride"), integer(a, "padding"), flag(a, "ceil_mode"),
          flag(a, "count_include_pad"));
      case "adaptive_avg_pool2d" -> Functional.adaptiveAvgPool2d(x, ints(a, "output_size"));
      case "adaptive_avg_pool1d" -> Functional.adaptiveAvgPool1d(x, ints(a, "output_size")[0]);
      case "adaptive_max_pool2d" -> Functional.adaptiveMaxPool2d(x, ints(a, "output_size"));
      default -> throw new IllegalStateException(op);
    };
  }

  /** The layer of a case's op, built with the same arguments. */
  private static Module layer(String op, Map<String, Object> a) {
    int[] size = op.startsWith("adaptive") ? ints(a, "output_size") : null;
    return switch (op) {
      case "max_pool2d" -> new MaxPool2d(ints(a, "kernel_size"), ints(a, "stride"),
          ints(a, "padding"), ints(a, "dilation"), flag(a, "ceil_mode"));
      case "max_pool1d" -> new MaxPool1d(integer(a, "kernel_size"), integer(a, "stride"),
          integer(a, "padding"), integer(a, "dilation"), flag(a, "ceil_mode"));
      case "avg_pool2d" -> new AvgPool2d(ints(a, "kernel_size"), ints(a, "stride"),
          ints(a, "padding"), flag(a, "ceil_mode"), flag(a, "count_include_pad"),
          a.get("divisor_override") == null ? null : integer(a, "divisor_override"));
      case "avg_pool1d" -> new AvgPool1d(integer(a, "kernel_size"), integer(a, "stride"),
          integer(a, "padding"), flag(a, "ceil_mode"), flag(a, "count_include_pad"));
      case "adaptive_avg_pool2d" -> new AdaptiveAvgPool2d(size[0], size[1]);
      case "adaptive_avg_pool1d" -> new AdaptiveAvgPool1d(size[0]);
      case "adaptive_max_pool2d" -> new AdaptiveMaxPool2d(size[0], size[1]);
      default -> throw new IllegalStateException(op);
    };
  }

  private static int[] savedIndices(Module m) {
    return m instanceof MaxPoolNd p ? p.savedIndices() : ((AdaptivePoolNd) m).savedIndices();
  }

  private static int[] fixtureIndices(Map<String, Object> c) {
    return shape(map(c.get("indices")).get("data"));
  }

  private static String what(Map<String, Object> c) {
    return c.get("op") + " " + c.get("args") + " on " + map(c.get("x")).get("shape");
  }

  @Test
  void functionalFormsRecordPyTorchsGradients() {
    for (Object o : CASES) {
      Map<String, Object> c = map(o);
      Tensor x = tensor(c.get("x")).requiresGrad_(true);
      Tensor y = functional((String) c.get("op"), map(c.get("args")), x);
      AttentionParityTest.assertClose(tensor(c.get("y")), y, TOL, what(c) + ": y");
      y.backward(tensor(c.get("g")));
      AttentionParityTest.assertClose(tensor(c.get("grad")), x.grad(), TOL, what(c) + ": grad");
    }
  }

  @Test
  void layersInTrainingRecordAndKeepPyTorchsArgmax() {
    for (Object o : CASES) {
      Map<String, Object> c = map(o);
      String op = (String) c.get("op");
      Module m = layer(op, map(c.get("args")));
      Tensor x = tensor(c.get("x")).requiresGrad_(true);
      Tensor y = m.forward(x);
      AttentionParityTest.assertClose(tensor(c.get("y")), y, TOL, what(c) + ": layer y");
      y.backward(tensor(c.get("g")));
      AttentionParityTest.assertClose(tensor(c.get("grad")), x.grad(), TOL,
          what(c) + ": layer grad");
      if (c.get("indices") != null) {
        assertArrayEquals(fixtureIndices(c), savedIndices(m), what(c) + ": argmax, recorded");
        Module plain = layer(op, map(c.get("args")));
        plain.forward(tensor(c.get("x")));
        assertArrayEquals(fixtureIndices(c), savedIndices(plain),
            what(c) + ": argmax, not recording");
      } else if (m instanceof AdaptivePoolNd a) {
        assertNull(a.savedIndices(), what(c) + ": an average keeps no argmax");
      }
    }
  }

  @Test
  void theIntoFormNeverRecordsAndStillKeepsTheArgmax() {
    for (Object o : CASES) {
      Map<String, Object> c = map(o);
      String op = (String) c.get("op");
      Module m = layer(op, map(c.get("args")));
      Tensor want = tensor(c.get("y"));
      Tensor x = tensor(c.get("x")).requiresGrad_(true);
      Tensor out = Tensor.zeros(want.shape()).fill_(Float.NaN);
      long version = out.version();
      assertSame(out, m.forward(x, out), what(c));
      assertTrue(out.version() > version, what(c) + ": out's version grows");
      assertFalse(out.requiresGrad(), what(c) + ": forward(x, out) records nothing");
      AttentionParityTest.assertClose(want, out, TOL, what(c) + ": into");
      if (c.get("indices") != null) {
        assertArrayEquals(fixtureIndices(c), savedIndices(m), what(c) + ": argmax, into");
      }
    }
  }

  /** The argmax of each {@code k x k} window (stride k) of each plane of {@code x}, by hand. */
  private static int[] argmax(Tensor x, int k) {
    int h = x.size(-2);
    int w = x.size(-1);
    int planes = (int) (x.numel() / (h * w));
    float[] v = x.contiguous().toFloatArray();
    int oh = h / k;
    int ow = w / k;
    int[] out = new int[planes * oh * ow];
    for (int p = 0; p < planes; p++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          int best = -1;
          for (int di = 0; di < k; di++) {
            for (int dj = 0; dj < k; dj++) {
              int at = (i * k + di) * w + j * k + dj;
              if (best < 0 || v[p * h * w + at] > v[p * h * w + best]) {
                best = at;
              }
            }
          }
          out[(p * oh + i) * ow + j] = best;
        }
      }
    }
    return out;
  }

  @Test
  void theArgmaxIsThatOfTheLastTrainingForward() {
    Generator g = new Generator(5);
    Tensor big = Tensor.randn(g, 2, 3, 8, 6);
    Tensor small = Tensor.randn(g, 1, 2, 4, 4);
    for (boolean recording : new boolean[] {false, true}) {
      MaxPool2d pool = new MaxPool2d(2);
      pool.forward(recording ? big.clone().requiresGrad_(true) : big);
      assertArrayEquals(argmax(big, 2), pool.savedIndices(), "the big input's");
      pool.forward(recording ? small.clone().requiresGrad_(true) : small);
      assertArrayEquals(argmax(small, 2), pool.savedIndices(), "a smaller input after it");
      pool.eval().forward(big);
      assertArrayEquals(argmax(small, 2), pool.savedIndices(), "eval keeps no argmax");

      AdaptiveMaxPool2d adaptive = new AdaptiveMaxPool2d(4, 3); // windows of 2 x 2
      adaptive.forward(recording ? big.clone().requiresGrad_(true) : big);
      assertArrayEquals(argmax(big, 2), adaptive.savedIndices(), "adaptive: the big input's");
      adaptive.forward(recording ? small.clone().requiresGrad_(true) : small);
      assertArrayEquals(adaptive(small, 4, 3), adaptive.savedIndices(), "adaptive: a smaller input after it");
      adaptive.eval().forward(big);
      assertArrayEquals(adaptive(small, 4, 3), adaptive.savedIndices(), "adaptive, eval");
    }
  }

  /** The argmax of PyTorch's adaptive windows [floor(i * in / out), ceil((i + 1) * in / out)). */
  private static int[] adaptive(Tensor x, int oh, int ow) {
    int h = x.size(-2);
    int w = x.size(-1);
    int planes = (int) (x.numel() / (h * w));
    float[] v = x.contiguous().toFloatArray();
    int[] out = new int[planes * oh * ow];
    for (int p = 0; p < planes; p++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          int best = -1;
          for (int r = i * h / oh; r < ((i + 1) * h + oh - 1) / oh; r++) {
            for (int s = j * w / ow; s < ((j + 1) * w + ow - 1) / ow; s++) {
              if (best < 0 || v[p * h * w + r * w + s] > v[p * h * w + best]) {
                best = r * w + s;
              }
            }
          }
          out[(p * oh + i) * ow + j] = best;
        }
      }
    }
    return out;
  }

  @Test
  void anAdaptiveOutMustHoldExactlyTheResult() {
    Tensor x = Tensor.randn(new Generator(8), 2, 3, 6, 4);
    Tensor want = Functional.adaptiveAvgPool2d(x, 3, 2);
    AdaptiveAvgPool2d pool = new AdaptiveAvgPool2d(3, 2);
    Tensor out = Tensor.zeros(2, 3, 3, 2);
    assertSame(out, pool.forward(x, out));
    AttentionParityTest.assertClose(want, out, 0, "into");
    Tensor unbatched = Tensor.zeros(3, 3, 2);
    assertSame(unbatched, pool.forward(x.select(0, 1), unbatched));
    AttentionParityTest.assertClose(want.select(0, 1), unbatched, 0, "unbatched into");

    String refused = "adaptive_avg_pool2d: output of shape ";
    assertEquals(refused + "[1, 3, 3, 2] does not hold the result [2, 3, 3, 2]",
        assertThrows(IllegalArgumentException.class,
            () -> pool.forward(x, Tensor.zeros(1, 3, 3, 2))).getMessage(), "another batch");
    assertEquals(refused + "[2, 2, 3, 2] does not hold the result [2, 3, 3, 2]",
        assertThrows(IllegalArgumentException.class,
            () -> pool.forward(x, Tensor.zeros(2, 2, 3, 2))).getMessage(), "other channels");
    assertEquals(refused + "[2, 3, 2, 3] does not hold the result [2, 3, 3, 2]",
        assertThrows(IllegalArgumentException.class,
            () -> pool.forward(x, Tensor.zeros(2, 3, 2, 3))).getMessage(), "another size");
    assertEquals(refused + "[2, 3, 3, 2] (not contiguous) does not hold the result [2, 3, 3, 2]",
        assertThrows(IllegalArgumentException.class,
            () -> pool.forward(x, Tensor.zeros(2, 3, 2, 3).transpose(2, 3))).getMessage(),
        "not contiguous");
    Tensor storage = Tensor.zeros(2 * 3 * 6 * 4);
    Tensor input = storage.view(2, 3, 6, 4);
    assertEquals("adaptive_avg_pool2d: the output must not share storage with x",
        assertThrows(IllegalArgumentException.class,
            () -> pool.forward(input, storage.narrow(0, 0, 36).view(2, 3, 3, 2))).getMessage());
    assertEquals("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [1, 2, 3, 6, 4]",
        assertThrows(IllegalArgumentException.class,
            () -> pool.forward(Tensor.zeros(1, 2, 3, 6, 4), Tensor.zeros(1, 2, 3, 3, 2)))
            .getMessage(), "rank 5 with an out of rank 5");
    assertEquals("adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch"
        + " dimensions, but input has sizes [2, 3, 0, 4] with dimension 2 being empty",
        assertThrows(IllegalArgumentException.class,
            () -> pool.forward(Tensor.zeros(2, 3, 0, 4), Tensor.zeros(2, 3, 3, 2))).getMessage(),
        "an empty height with an out");
  }

  @Test
  void adaptiveSizesAsPyTorchTakesThem() {
    Tensor x = Tensor.randn(new Generator(9), 1, 2, 4, 4);
    assertArrayEquals(new int[] {1, 2, 0, 2}, Functional.adaptiveAvgPool2d(x, 0, 2).shape(),
        "output_size 0 gives an empty output, as in PyTorch");
    assertEquals("adaptive_avg_pool2d: output_size must not be negative, got (-1, 2)",
        assertThrows(IllegalArgumentException.class,
            () -> Functional.adaptiveAvgPool2d(x, -1, 2)).getMessage());
    assertArrayEquals(new int[] {0, 2, 3, 2},
        Functional.adaptiveMaxPool2d(Tensor.zeros(0, 2, 4, 4), 3, 2).shape(),
        "an empty batch is no error");
    assertEquals("adaptive_max_pool2d(): Expected input to have non-zero size for non-batch"
        + " dimensions, but input has sizes [2, 4, 0] with dimension 2 being empty",
        assertThrows(IllegalArgumentException.class,
            () -> Functional.adaptiveMaxPool2d(Tensor.zeros(2, 4, 0), 1)).getMessage());
    assertEquals("adaptive_avg_pool1d(): Expected input to have non-zero size for non-batch"
        + " dimensions, but input has sizes [3, 0] with dimension 1 being empty",
        assertThrows(IllegalArgumentException.class,
            () -> Functional.adaptiveAvgPool1d(Tensor.zeros(3, 0), 2)).getMessage());
    assertEquals("adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got [4]",
        assertThrows(IllegalArgumentException.class,
            () -> Functional.adaptiveAvgPool1d(Tensor.zeros(4), 2)).getMessage());
  }

  @Test
  void warmTrainingForwardsIntoOutAllocateNothing() {
    Tensor x = Tensor.randn(new Generator(10), 2, 3, 8, 6);
    MaxPool2d max = new MaxPool2d(2);
    Tensor maxOut = Tensor.zeros(2, 3, 4, 3);
    assertEquals(0, Allocations.steadyStateBytes(() -> max.forward(x, maxOut), 2_000, 50),
        "max pooling keeping its argmax");
    AdaptiveMaxPool2d adaptiveMax = new AdaptiveMaxPool2d(3, 2);
    Tensor amOut = Tensor.zeros(2, 3, 3, 2);
    assertEquals(0, Allocations.steadyStateBytes(() -> adaptiveMax.forward(x, amOut), 2_000,
        50), "adaptive max pooling keeping its argmax");
    AdaptiveAvgPool2d adaptiveAvg = new AdaptiveAvgPool2d(3, 2);
    Tensor aaOut = Tensor.zeros(3, 3, 2);
    Tensor one = x.select(0, 1);
    assertEquals(0, Allocations.steadyStateBytes(() -> adaptiveAvg.forward(one, aaOut), 2_000,
        50), "adaptive average pooling, unbatched");
  }
}
