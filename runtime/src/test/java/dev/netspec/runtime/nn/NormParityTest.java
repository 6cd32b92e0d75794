package dev.netspec.runtime.nn;

import static dev.netspec.runtime.nn.Fixtures.list;
import static dev.netspec.runtime.nn.Fixtures.map;
import static dev.netspec.runtime.nn.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BatchNorm1d, BatchNorm2d and GroupNorm against PyTorch 1.13 ({@code
 * tools/fixtures/norm_fixtures.py}): reprs, state-dict keys with dtypes and shapes, then a
 * sequence of train- and eval-mode forwards with the outputs, running statistics and
 * {@code num_batches_tracked} after each, through {@code forward(x)}, {@code forward(x, out)}
 * and in place.
 */
class NormParityTest {
  private static final Map<String, Object> FIXTURE = Fixtures.load("norm.json");
  /** Float32 statistics over at most 54 values: a few ulps of the outputs' magnitude. */
  private static final double TOL = 2e-5;

  /** Each fixture case, built here from its own arguments (the repr is checked against them). */
  private static final Map<String, Supplier<Module>> LAYERS = Map.ofEntries(
      Map.entry("bn1d_2d", () -> new BatchNorm1d(3)),
      Map.entry("bn1d_3d", () -> new BatchNorm1d(3, 1e-3, 0.3, true, true)),
      Map.entry("bn1d_cumulative", () -> new BatchNorm1d(3, 1e-5, null, true, true)),
      Map.entry("bn1d_noaffine", () -> new BatchNorm1d(3, 1e-5, 0.1, false, true)),
      Map.entry("bn1d_nostats", () -> new BatchNorm1d(3, 1e-5, 0.1, true, false)),
      Map.entry("bn2d", () -> new BatchNorm2d(4)),
      Map.entry("bn2d_cumulative_noaffine", () -> new BatchNorm2d(2, 0.01, null, false, true)),
      Map.entry("bn2d_bare", () -> new BatchNorm2d(2, 1e-5, 0.1, false, false)),
      Map.entry("bn2d_eval_first", () -> new BatchNorm2d(3, 1e-5, 0.5, true, true)),
      Map.entry("gn", () -> new GroupNorm(2, 8)),
      Map.entry("gn_noaffine", () -> new GroupNorm(3, 6, 1e-3, false)),
      Map.entry("gn_one_group", () -> new GroupNorm(1, 4)),
      Map.entry("gn_per_channel", () -> new GroupNorm(4, 4)));

  static Stream<Arguments> cases() {
    return map(FIXTURE.get("cases")).keySet().stream().map(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void reprKeysDtypesAndShapesMatchPyTorch(String name) {
    Map<String, Object> c = map(map(FIXTURE.get("cases")).get(name));
    Module m = LAYERS.get(name).get();
    assertEquals(c.get("repr"), m.toString(), name);
    assertEquals(c.get("keys"), describe(m.stateDict()), name + " state dict");
    Map<String, Tensor> params = new java.util.LinkedHashMap<>();
    m.namedParameters().forEach((k, p) -> params.put(k, p.data()));
    assertEquals(c.get("parameters"), describe(params), name + " parameters (no buffers)");
    assertEquals(c.get("buffers"), describe(m.namedBuffers()), name + " buffers");
  }

  /** Three layers run the steps: through forward(x), forward(x, out) and in place. */
  @ParameterizedTest
  @MethodSource("cases")
  void forwardsAndRunningStatisticsMatchPyTorch(String name) {
    Map<String, Object> c = map(map(FIXTURE.get("cases")).get(name));
    List<Module> layers = List.of(LAYERS.get(name).get(), LAYERS.get(name).get(),
        LAYERS.get(name).get());
    for (Module m : layers) {
      map(c.get("params")).forEach((k, v) -> m.getParameter(k).data().copy_(tensor(v)));
    }
    int step = 0;
    for (Object s : list(c.get("steps"))) {
      Map<String, Object> st = map(s);
      String what = name + " step " + step++ + " (" + st.get("mode") + ")";
      Tensor x = tensor(st.get("input"));
      Tensor want = tensor(st.get("output"));
      for (Module m : layers) {
        m.train(st.get("mode").equals("train"));
      }
      assertClose(want, layers.get(0).forward(x), what + " forward(x)");
      Tensor out = Tensor.full(Float.NaN, x.shape());
      assertSame(out, layers.get(1).forward(x, out));
      assertClose(want, out, what + " forward(x, out)");
      Tensor own = x.clone();
      assertSame(own, layers.get(2).forward(own, own));
      assertClose(want, own, what + " in place");
      for (Module m : layers) {
        assertState(map(st.get("state")), m.stateDict(), what);
      }
      assertSavedStatistics(layers.get(0), x, st.get("mode").equals("train"), what);
    }
  }

  /**
   * What a backward pass will need, computed here in double from the input: the batch mean
   * and 1 / sqrt(biased var + eps) per channel (batch norm using batch statistics), or per
   * (sample, group) (group norm).
   */
  private static void assertSavedStatistics(Module m, Tensor x, boolean training, String what) {
    int n = x.size(0);
    int c = x.size(1);
    int l = (int) (x.numel() / ((long) n * c));
    float[] v = x.toFloatArray();
    if (m instanceof BatchNorm bn && (training || bn.runningMean() == null)) {
      for (int ch = 0; ch < c; ch++) {
        double[] stats = meanAndInvStd(v, c, l, 0, n, ch, 1, bn.eps());
        assertEquals(stats[0], bn.savedMean().get(ch), 1e-5, what + " saved mean " + ch);
        assertEquals(stats[1], bn.savedInvStd().get(ch), 1e-4 * stats[1], what + " invstd");
      }
    } else if (m instanceof GroupNorm gn) {
      int per = c / gn.numGroups();
      for (int s = 0; s < n; s++) {
        for (int g = 0; g < gn.numGroups(); g++) {
          double[] stats = meanAndInvStd(v, c, l, s, s + 1, g * per, per, gn.eps());
          assertEquals(stats[0], gn.savedMean().get(s, g), 1e-5, what + " saved mean");
          assertEquals(stats[1], gn.savedRstd().get(s, g), 1e-4 * stats[1], what + " rstd");
        }
      }
    }
  }

  /**
   * Mean and 1 / sqrt(biased var + eps) of samples [s0, s1), channels [from, from + count) of
   * a row-major (N, c, l) array.
   */
  private static double[] meanAndInvStd(float[] v, int c, int l, int s0, int s1, int from,
      int count, double eps) {
    List<Double> values = new ArrayList<>();
    for (int s = s0; s < s1; s++) {
      for (int ch = from; ch < from + count; ch++) {
        for (int i = 0; i < l; i++) {
          values.add((double) v[(s * c + ch) * l + i]);
        }
      }
    }
    double mean = values.stream().mapToDouble(d -> d).average().orElseThrow();
    double var = values.stream().mapToDouble(d -> (d - mean) * (d - mean)).average()
        .orElseThrow();
    return new double[] {mean, 1 / Math.sqrt(var + eps)};
  }

  @Test
  void functionalFormsMatchPyTorch() {
    Map<String, Object> f = map(FIXTURE.get("functional"));
    Tensor x = tensor(f.get("x"));
    Tensor rm = tensor(f.get("running_mean"));
    Tensor rv = tensor(f.get("running_var"));
    Tensor w = tensor(f.get("weight"));
    Tensor b = tensor(f.get("bias"));
    assertClose(tensor(f.get("train")),
        Functional.batchNorm(x, rm, rv, w, b, true, 0.2, 1e-4), "batch_norm training");
    assertClose(tensor(f.get("running_mean_after")), rm, "running_mean updated");
    assertClose(tensor(f.get("running_var_after")), rv, "running_var updated (unbiased)");
    assertClose(tensor(f.get("eval")),
        Functional.batchNorm(x, rm, rv, w, b, false, 0.2, 1e-4), "batch_norm eval");
    assertClose(tensor(f.get("no_stats")),
        Functional.batchNorm(x, null, null, null, null, true, 0.1, 1e-5), "no running stats");
    Tensor g = tensor(f.get("g"));
    assertClose(tensor(f.get("group_norm")), Functional.groupNorm(g, 3,
        tensor(f.get("g_weight")), tensor(f.get("g_bias")), 1e-4), "group_norm");
    assertClose(tensor(f.get("group_norm_bare")), Functional.groupNorm(g, 2, null, null, 1e-5),
        "group_norm without affine");
  }

  /** The eval-mode per-channel affine reproduces PyTorch's eval output: y = x * a + b. */
  @Test
  void evalAffineIsTheEvalForward() {
    Map<String, Object> c = map(FIXTURE.get("bn_checkpoint"));
    BatchNorm2d bn = new BatchNorm2d(4);
    map(c.get("state")).forEach((k, v) -> {
      Map<String, Object> e = map(v);
      if (e.containsKey("int")) {
        bn.numBatchesTracked().copy_(Tensor.scalar(((Number) e.get("int")).longValue()));
      } else {
        bn.stateDict().get(k).copy_(tensor(v));
      }
    });
    float[] scale = new float[4];
    float[] shift = new float[4];
    bn.evalAffine(scale, shift);
    Tensor x = tensor(c.get("input")); // (2, 4, 2, 2)
    Tensor y = Tensor.zeros(x.shape());
    for (int n = 0; n < 2; n++) {
      for (int ch = 0; ch < 4; ch++) {
        for (int i = 0; i < 2; i++) {
          for (int j = 0; j < 2; j++) {
            y.set(x.get(n, ch, i, j) * scale[ch] + shift[ch], n, ch, i, j);
          }
        }
      }
    }
    assertClose(tensor(c.get("output")), y, "x * scale + shift");
    assertThrows(IllegalStateException.class,
        () -> new BatchNorm2d(4, 1e-5, 0.1, true, false).evalAffine(scale, shift));
  }

  @Test
  void badInputsFailWithPyTorchsMessages() {
    Map<String, Object> errors = map(FIXTURE.get("errors"));
    assertEquals(errors.get("bn1d_4d"), assertThrows(IllegalArgumentException.class,
        () -> new BatchNorm1d(3).forward(Tensor.zeros(2, 3, 4, 4))).getMessage());
    assertEquals(errors.get("bn2d_3d"), assertThrows(IllegalArgumentException.class,
        () -> new BatchNorm2d(3).forward(Tensor.zeros(2, 3, 4))).getMessage());
    BatchNorm1d one = new BatchNorm1d(3);
    assertEquals(errors.get("bn_one_value"), assertThrows(IllegalArgumentException.class,
        () -> one.forward(Tensor.zeros(1, 3))).getMessage());
    assertEquals(0L, one.numBatchesTracked().longItem(), "a refused forward counts no batch");
    assertEquals("BatchNorm1d: out has shape [4, 2], the result has shape [4, 3]",
        assertThrows(IllegalArgumentException.class,
            () -> one.forward(Tensor.ones(4, 3), Tensor.zeros(4, 2))).getMessage());
    assertEquals(0L, one.numBatchesTracked().longItem(), "nothing half-done");
    assertEquals("[0.0, 0.0, 0.0]", Arrays.toString(one.runningMean().toFloatArray()));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new GroupNorm(4, 6))
        .getMessage().startsWith((String) errors.get("gn_channels")));
    assertEquals("batch_norm: running_mean of shape [3] does not match the 4 channels of input "
        + "[2, 4]", assertThrows(IllegalArgumentException.class,
            () -> new BatchNorm1d(3).forward(Tensor.zeros(2, 4))).getMessage());
    assertEquals("add needs a float32 tensor, this one is torch.int64 (convert with "
        + "to(DType.FLOAT32))", assertThrows(IllegalStateException.class,
            () -> Tensor.ofLongs(1, 2).add(1f)).getMessage());
  }

  @Test
  void defaultsAndResetAsPyTorch() {
    BatchNorm2d bn = new BatchNorm2d(2);
    bn.forward(Tensor.arange(16).to(DType.FLOAT32).reshape(2, 2, 2, 2));
    assertEquals(1L, bn.numBatchesTracked().longItem());
    assertEquals(DType.INT64, bn.numBatchesTracked().dtype());
    assertEquals(0, bn.numBatchesTracked().dim());
    bn.initialize(7); // reset_parameters: running stats reset too
    assertEquals("tensor(0)", bn.numBatchesTracked().toString());
    assertEquals("tensor([0., 0.])", bn.runningMean().toString());
    assertEquals("tensor([1., 1.])", bn.runningVar().toString());
    assertEquals("tensor([1., 1.])", bn.weight.data().toString());
    BatchNorm1d bare = new BatchNorm1d(3, 1e-5, 0.1, false, false);
    assertNull(bare.runningMean());
    assertNull(bare.weight);
    assertEquals(0, bare.stateDict().size());
  }

  /**
   * Once the JIT has compiled the path (escape analysis removes the kernels' temporaries only
   * in compiled code), {@code forward(x, out)} allocates nothing: batch norm in both modes
   * (the running statistics and counter updated in place) and group norm. JIT-dependent, so,
   * as {@code ConvAllocationTest}, this runs only with {@code -Dnetspec.allocationTests=true}.
   */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmForwardIntoAllocatesNothing() {
    Tensor x = Tensor.randn(new Generator(1), 4, 3, 6, 6);
    Tensor out = Tensor.zeros(4, 3, 6, 6);
    BatchNorm2d bn = new BatchNorm2d(3);
    assertEquals(0, steadyStateBytes(() -> bn.forward(x, out)), "BatchNorm2d, training");
    bn.eval();
    assertEquals(0, steadyStateBytes(() -> bn.forward(x, out)), "BatchNorm2d, eval");
    BatchNorm1d cumulative = new BatchNorm1d(3, 1e-5, null, false, true);
    Tensor x3 = x.reshape(4, 3, 36);
    Tensor out3 = out.reshape(4, 3, 36);
    assertEquals(0, steadyStateBytes(() -> cumulative.forward(x3, out3)),
        "BatchNorm1d, momentum None");
    GroupNorm gn = new GroupNorm(3, 3);
    assertEquals(0, steadyStateBytes(() -> gn.forward(x, out)), "GroupNorm");
  }

  private static long steadyStateBytes(Runnable forward) {
    return Allocations.steadyStateBytes(forward, 20_000, 200);
  }

  /** {@code [[key, dtype, shape], ...]}, as the fixture writes a state dict. */
  private static List<Object> describe(Map<String, Tensor> tensors) {
    List<Object> out = new ArrayList<>();
    tensors.forEach((k, t) -> out.add(List.of(k, t.dtype().toString(),
        Arrays.stream(t.shape()).boxed().toList())));
    return out;
  }

  private static void assertState(Map<String, Object> want, Map<String, Tensor> got,
      String what) {
    assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()), what + " keys");
    want.forEach((k, v) -> {
      Map<String, Object> e = map(v);
      if (e.containsKey("int")) {
        assertEquals(((Number) e.get("int")).longValue(), got.get(k).longItem(), what + " " + k);
      } else {
        assertClose(tensor(v), got.get(k), what + " " + k);
      }
    });
  }

  static void assertClose(Tensor want, Tensor got, String what) {
    if (!Arrays.equals(want.shape(), got.shape())) {
      fail(what + ": shape " + Arrays.toString(got.shape()) + ", PyTorch "
          + Arrays.toString(want.shape()));
    }
    float[] w = want.toFloatArray();
    float[] g = got.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      if (!(Math.abs(w[i] - g[i]) <= TOL * Math.max(1, Math.abs(w[i])))) {
        fail(what + ": element " + i + " is " + g[i] + ", PyTorch " + w[i] + " (tol " + TOL
            + ")");
      }
    }
  }
}
