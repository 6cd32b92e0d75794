package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * The convolution and pooling layers against PyTorch 1.13 ({@code
 * tools/fixtures/conv_fixtures.py}, {@code conv.json} and {@code conv_wide.json}, whose rows are
 * wide enough for the padded-row path): for every case, the layer built from the same arguments
 * prints PyTorch's repr, has its state-dict keys and shapes, and with PyTorch's weights turns
 * PyTorch's input into PyTorch's output, through {@code forward(x)}, {@code forward(x, out)}
 * (twice, the buffers reused) and the functional form.
 */
class ConvLayersTest {
  @Test
  void aConvolutionRefusesAFusedGelu() {
    // Activation.GELU runs in Linear's GEMM epilogue only; a convolution's epilogues know
    // NONE and RELU, so it says so rather than skip the GELU.
    Conv2d conv = new Conv2d(2, 3, 3, 1, 1).eval();
    Tensor x = Tensor.zeros(1, 2, 5, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> conv.forwardInto(x, Activation.GELU, Tensor.zeros(1, 3, 5, 5)));
    assertEquals("conv2d: the fused activation may be NONE or RELU; apply GELU after the"
        + " convolution", e.getMessage());
  }

  private static final Map<String, Object> FIXTURE = Fixtures.load("conv.json");

  @TestFactory
  Stream<DynamicTest> everyCaseMatchesPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    List<Object> cases = new ArrayList<>(Fixtures.list(FIXTURE.get("cases")));
    cases.addAll(Fixtures.list(Fixtures.load("conv_wide.json").get("cases")));
    for (Object o : cases) {
      Map<String, Object> c = Fixtures.map(o);
      String name = c.get("repr") + " on " + Fixtures.map(c.get("x")).get("shape");
      tests.add(DynamicTest.dynamicTest(name, () -> check(c)));
    }
    return tests.stream();
  }

  private static void check(Map<String, Object> c) {
    Module layer = build((String) c.get("kind"), Fixtures.map(c.get("args")));
    assertEquals(c.get("repr"), layer.toString());
    Map<String, List<Integer>> shapes = new LinkedHashMap<>();
    layer.stateDict().forEach((k, v) -> shapes.put(k, box(v.shape())));
    assertEquals(Fixtures.shapes(c.get("state")), shapes);
    Map<String, Tensor> params = new LinkedHashMap<>();
    Fixtures.map(c.get("params")).forEach((k, v) -> params.put(k, Fixtures.tensor(v)));
    layer.loadStateDict(params, true);
    Tensor x = Fixtures.tensor(c.get("x"));
    Tensor want = Fixtures.tensor(c.get("y"));
    assertClose(want, layer.forward(x), "forward");
    Tensor out = Tensor.full(Float.NaN, want.shape());
    assertSame(out, layer.forward(x, out));
    assertClose(want, out, "forward(x, out)");
    layer.eval();
    assertClose(want, layer.forward(x, out), "forward(x, out) again, in eval mode");
    Tensor functional = functional(layer, Fixtures.map(c.get("args")), x, params);
    if (functional != null) {
      assertClose(want, functional, "functional");
    }
  }

  /** The layer PyTorch built from {@code args} (ints as ints, tuples as lists). */
  static Module build(String kind, Map<String, Object> a) {
    switch (kind) {
      case "Conv2d":
      case "Conv1d": {
        int in = num(a.get("in_channels"));
        int out = num(a.get("out_channels"));
        int[] k = ints(a.get("kernel_size"));
        int[] s = ints(a.getOrDefault("stride", 1));
        int[] d = ints(a.getOrDefault("dilation", 1));
        int groups = num(a.getOrDefault("groups", 1));
        boolean bias = (Boolean) a.getOrDefault("bias", true);
        String mode = (String) a.getOrDefault("padding_mode", "zeros");
        Object p = a.getOrDefault("padding", 0);
        if (kind.equals("Conv1d")) {
          return p instanceof String
              ? new Conv1d(in, out, k[0], s[0], (String) p, d[0], groups, bias, mode)
              : new Conv1d(in, out, k[0], s[0], num(p), d[0], groups, bias, mode);
        }
        return p instanceof String ? new Conv2d(in, out, k, s, (String) p, d, groups, bias, mode)
            : new Conv2d(in, out, k, s, ints(p), d, groups, bias, mode);
      }
      case "MaxPool2d":
        return new MaxPool2d(ints(a.get("kernel_size")),
            a.containsKey("stride") ? ints(a.get("stride")) : null,
            ints(a.getOrDefault("padding", 0)), ints(a.getOrDefault("dilation", 1)),
            (Boolean) a.getOrDefault("ceil_mode", false));
      case "MaxPool1d": {
        int k = num(a.get("kernel_size"));
        return new MaxPool1d(k, num(a.getOrDefault("stride", k)), num(a.getOrDefault("padding", 0)),
            num(a.getOrDefault("dilation", 1)), (Boolean) a.getOrDefault("ceil_mode", false));
      }
      case "AvgPool2d":
        return new AvgPool2d(ints(a.get("kernel_size")),
            a.containsKey("stride") ? ints(a.get("stride")) : null,
            ints(a.getOrDefault("padding", 0)), (Boolean) a.getOrDefault("ceil_mode", false),
            (Boolean) a.getOrDefault("count_include_pad", true),
            a.containsKey("divisor_override") ? num(a.get("divisor_override")) : null);
      case "AvgPool1d": {
        int k = num(a.get("kernel_size"));
        return new AvgPool1d(k, num(a.getOrDefault("stride", k)), num(a.getOrDefault("padding", 0)),
            (Boolean) a.getOrDefault("ceil_mode", false),
            (Boolean) a.getOrDefault("count_include_pad", true));
      }
      case "AdaptiveAvgPool2d":
      case "AdaptiveMaxPool2d": {
        int[] size = ints(a.get("output_size"));
        boolean max = kind.equals("AdaptiveMaxPool2d");
        if (size.length == 1) {
          return max ? new AdaptiveMaxPool2d(size[0]) : new AdaptiveAvgPool2d(size[0]);
        }
        return max ? new AdaptiveMaxPool2d(size[0], size[1])
            : new AdaptiveAvgPool2d(size[0], size[1]);
      }
      case "AdaptiveAvgPool1d":
        return new AdaptiveAvgPool1d(num(a.get("output_size")));
      default:
        throw new AssertionError("no builder for " + kind);
    }
  }

  /** The same computation through {@link Functional}, or null where it has no form. */
  private static Tensor functional(Module layer, Map<String, Object> args, Tensor x,
      Map<String, Tensor> params) {
    Tensor w = params.get("weight");
    Tensor b = params.get("bias");
    if (layer instanceof Conv2d conv && conv.paddingMode().equals("zeros")) {
      return args.get("padding") instanceof String p
          ? Functional.conv2d(x, w, b, conv.stride(), p, conv.dilation(), conv.groups())
          : Functional.conv2d(x, w, b, conv.stride(), conv.padding(), conv.dilation(),
              conv.groups());
    }
    if (layer instanceof Conv1d conv && conv.paddingMode().equals("zeros")) {
      return args.get("padding") instanceof String p
          ? Functional.conv1d(x, w, b, conv.stride()[0], p, conv.dilation()[0], conv.groups())
          : Functional.conv1d(x, w, b, conv.stride()[0], conv.padding()[0], conv.dilation()[0],
              conv.groups());
    }
    if (layer instanceof AdaptiveAvgPool2d pool) {
      return Functional.adaptiveAvgPool2d(x, pool.outputSize());
    }
    if (layer instanceof AdaptiveMaxPool2d pool) {
      return Functional.adaptiveMaxPool2d(x, pool.outputSize());
    }
    return null;
  }

  private static int num(Object o) {
    return ((Number) o).intValue();
  }

  private static int[] ints(Object o) {
    return o instanceof Number ? new int[] {num(o)} : Fixtures.shape(o);
  }

  private static List<Integer> box(int[] v) {
    List<Integer> out = new ArrayList<>();
    for (int i : v) {
      out.add(i);
    }
    return out;
  }

  /** Same shape; each value within 1e-5 of PyTorch's plus 1e-5 of its size; NaN where NaN. */
  static void assertClose(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    float[] w = want.toFloatArray();
    float[] g = got.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      if (Float.isNaN(w[i]) ? !Float.isNaN(g[i])
          : !(Math.abs(w[i] - g[i]) <= 1e-5f + 1e-5f * Math.abs(w[i]))) {
        fail(what + ": element " + i + " is " + g[i] + ", PyTorch gives " + w[i]);
      }
    }
  }

  // ---------------------------------------------------------------- errors, by PyTorch's words

  private static String error(String name) {
    return (String) Fixtures.map(FIXTURE.get("errors")).get(name);
  }

  private static void assertFails(String name, Executable e) {
    assertEquals(error(name), assertThrows(IllegalArgumentException.class, e).getMessage());
  }

  @Test
  void badArgumentsAndInputsFailWithPyTorchsMessages() {
    assertFails("conv_channels", () -> new Conv2d(3, 6, 3).forward(Tensor.zeros(1, 4, 5, 5)));
    assertFails("conv_kernel_too_large",
        () -> new Conv2d(3, 6, 3).forward(Tensor.zeros(1, 3, 2, 2)));
    assertFails("conv1d_kernel_too_large",
        () -> new Conv1d(3, 6, 3).forward(Tensor.zeros(1, 3, 2)));
    assertFails("conv_rank", () -> new Conv2d(3, 6, 3).forward(Tensor.zeros(5, 5)));
    assertFails("conv_same_strided", () -> new Conv2d(3, 6, new int[] {3}, new int[] {2},
        "same", new int[] {1}, 1, true, "zeros"));
    assertFails("conv_in_groups", () -> new Conv2d(3, 6, 3, 1, 0, 1, 2, true, "zeros"));
    assertFails("conv_out_groups", () -> new Conv2d(4, 6, 3, 1, 0, 1, 4, true, "zeros"));
    // PyTorch prints a Python set, whose order changes from run to run: compare around it.
    String mode = assertThrows(IllegalArgumentException.class,
        () -> new Conv2d(3, 6, 3, 1, 0, 1, 1, true, "circularx")).getMessage();
    assertEquals(error("conv_padding_mode").replaceAll("\\{.*}", "{}"),
        mode.replaceAll("\\{.*}", "{}"));
    assertFails("conv_reflect_too_wide", () -> new Conv2d(3, 6, 3, 1, 2, 1, 1, true, "reflect")
        .forward(Tensor.zeros(1, 3, 2, 2)));
    assertFails("pool_too_small", () -> new MaxPool2d(3).forward(Tensor.zeros(1, 3, 2, 2)));
    assertFails("pool_pad", () -> new MaxPool2d(3, 3, 2));
    assertFails("avg_divisor", () -> new AvgPool2d(2, 2, 0, false, true, 0));
    String padding = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 6, new int[] {3},
            new int[] {1}, "full", new int[] {1}, 1, true, "zeros")).getMessage();
    assertEquals(error("conv_padding_string").replaceAll("\\{.*}", "{}"),
        padding.replaceAll("\\{.*}", "{}"));
    IllegalArgumentException circular = assertThrows(IllegalArgumentException.class,
        () -> new Conv2d(3, 6, 3, 1, 1, 1, 1, true, "circular"));
    assertTrue(circular.getMessage().contains("'circular' is not supported"),
        circular.getMessage());
  }

  @Test
  void reluInplaceAndFlattenPrintAsPyTorch() {
    Map<String, Object> reprs = Fixtures.map(FIXTURE.get("reprs"));
    assertEquals(reprs.get("relu_inplace"), new ReLU(true).toString());
    assertEquals(reprs.get("relu"), new ReLU().toString());
    assertEquals(reprs.get("flatten"), new Flatten().toString());
  }

  // ---------------------------------------------------------------- by hand

  @Test
  void reluIsFusedAndWeightEditsAreSeen() {
    Conv2d conv = new Conv2d(1, 1, 2);
    conv.weight.data().fill_(1f);
    conv.bias.data().fill_(-10f);
    Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
    // Window sums 12, 16, 24, 28, minus 10; ReLU keeps them, then a larger bias zeroes two.
    Tensor out = Tensor.zeros(1, 1, 2, 2);
    conv.forwardInto(x, Activation.RELU, out);
    assertArrayEquals(new float[] {2, 6, 14, 18}, out.toFloatArray());
    conv.bias.data().fill_(-20f); // an in-place edit: the packed filters follow
    conv.forwardInto(x, Activation.RELU, out);
    assertArrayEquals(new float[] {0, 0, 4, 8}, out.toFloatArray());
    conv.weight.data().mul_(2f);
    conv.forwardInto(x, Activation.NONE, out);
    assertArrayEquals(new float[] {4, 12, 28, 36}, out.toFloatArray());
  }

  @Test
  void trainingKeepsWhatABackwardNeeds() {
    Conv2d conv = new Conv2d(1, 1, 1);
    Tensor x = Tensor.ones(1, 1, 2, 2);
    conv.forward(x);
    assertSame(x, conv.savedInput());
    conv.eval();
    conv.forward(x);
    assertNull(conv.savedInput());
    MaxPool2d pool = new MaxPool2d(2);
    pool.forward(Tensor.fromArray(new float[] {1, 5, 2, 0, 3, 3, 9, 1}, 1, 2, 2, 2));
    assertArrayEquals(new int[] {1, 2}, pool.savedIndices()); // flat index in each plane
  }

  @Test
  void outputShapesFollowPyTorchsRule() {
    // floor((L + 2p - d(k - 1) - 1) / s) + 1: ResNet-18's stem, 224 -> 112 -> 56.
    Conv2d stem = new Conv2d(3, 64, 7, 2, 3);
    assertArrayEquals(new int[] {8, 64, 112, 112}, stem.outputShape(8, 3, 224, 224));
    assertEquals(Arrays.toString(new int[] {8, 64, 56, 56}), Arrays.toString(
        new MaxPool2d(3, 2, 1).forward(Tensor.zeros(8, 64, 112, 112)).shape()));
  }
}
