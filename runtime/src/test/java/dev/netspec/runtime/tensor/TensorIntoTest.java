package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * The allocation-free ops ({@code addInto}, {@code relu_}, {@code matmulInto}, ...): against
 * PyTorch's results in {@code fixtures/tensor/ops.json} into a fresh tensor, in place, and
 * through strided operands (the fallback path); and by hand for the rest.
 */
class TensorIntoTest {
  /** Each op of ops.json with an into form: {@code (inputs, out) -> result}. */
  private static final Map<String, BiFunction<List<Tensor>, Tensor, Tensor>> INTO = Map.ofEntries(
      Map.entry("add", (in, out) -> in.get(0).addInto(in.get(1), out)),
      Map.entry("sub", (in, out) -> in.get(0).subInto(in.get(1), out)),
      Map.entry("mul", (in, out) -> in.get(0).mulInto(in.get(1), out)),
      Map.entry("div", (in, out) -> in.get(0).divInto(in.get(1), out)),
      Map.entry("neg", (in, out) -> in.get(0).negInto(out)),
      Map.entry("abs", (in, out) -> in.get(0).absInto(out)),
      Map.entry("exp", (in, out) -> in.get(0).expInto(out)),
      Map.entry("log", (in, out) -> in.get(0).logInto(out)),
      Map.entry("sqrt", (in, out) -> in.get(0).sqrtInto(out)),
      Map.entry("relu", (in, out) -> in.get(0).reluInto(out)),
      Map.entry("sigmoid", (in, out) -> in.get(0).sigmoidInto(out)),
      Map.entry("tanh", (in, out) -> in.get(0).tanhInto(out)),
      Map.entry("gelu", (in, out) -> in.get(0).geluInto(out)),
      Map.entry("matmul", (in, out) -> in.get(0).matmulInto(in.get(1), out)),
      Map.entry("matmul_bt", (in, out) -> in.get(0).matmulInto(in.get(1).clone().t(), out)));

  /** The ops of ops.json with an argument and an into form. */
  private static final Map<String, Into> INTO_ARGS = Map.of(
      "softmax", (in, args, out) -> in.softmaxInto(args.get("dim").asInt(), out),
      "log_softmax", (in, args, out) -> in.logSoftmaxInto(args.get("dim").asInt(), out),
      "flatten", (in, args, out) -> in.flattenInto(args.get("start").asInt(), args.get("end").asInt(), out));

  private interface Into {
    Tensor apply(Tensor in, JsonNode args, Tensor out);
  }

  /** The in-place form of the unary ops. */
  private static final Map<String, java.util.function.UnaryOperator<Tensor>> IN_PLACE = Map.of(
      "neg", Tensor::neg_, "abs", Tensor::abs_, "exp", Tensor::exp_, "log", Tensor::log_,
      "sqrt", Tensor::sqrt_, "relu", Tensor::relu_, "sigmoid", Tensor::sigmoid_,
      "tanh", Tensor::tanh_, "gelu", Tensor::gelu_);

  @TestFactory
  List<DynamicTest> matchPyTorch() {
    JsonNode root = Fixtures.load("ops.json");
    List<Tensor> tensors = new ArrayList<>();
    root.get("tensors").forEach(t -> tensors.add(Fixtures.tensor(t)));
    List<DynamicTest> tests = new ArrayList<>();
    int i = 0;
    for (JsonNode c : root.get("cases")) {
      String op = c.get("op").asString();
      List<Tensor> in = new ArrayList<>();
      c.get("inputs").forEach(ref -> in.add(tensors.get(ref.asInt())));
      Tensor want = Fixtures.tensor(c.get("out"));
      String name = (i++) + " " + op + " " + shapes(in);
      if (INTO.containsKey(op)) {
        tests.add(DynamicTest.dynamicTest(name, () -> checkInto(op, in, want, name)));
      } else if (op.endsWith("_scalar") && !op.startsWith("g") && !op.startsWith("l")
          && !op.startsWith("e") && !op.startsWith("n")) {
        float s = (float) c.get("args").get("scalar").asDouble();
        tests.add(DynamicTest.dynamicTest(name, () -> checkScalar(op, in.get(0), s, want, name)));
      } else if (INTO_ARGS.containsKey(op)) {
        JsonNode args = c.get("args");
        tests.add(DynamicTest.dynamicTest(name + " " + args, () -> {
          Into f = INTO_ARGS.get(op);
          close(want, f.apply(in.get(0), args, Tensor.full(Float.NaN, want.shape())), name + " into");
          close(want, f.apply(stridedCopy(in.get(0)), args, Tensor.full(Float.NaN, want.shape())),
              name + " strided");
        }));
      } else if (op.equals("sum") || op.equals("mean")) {
        tests.add(DynamicTest.dynamicTest(name, () -> {
          float got = op.equals("sum") ? in.get(0).sumAsFloat() : in.get(0).meanAsFloat();
          float w = want.item();
          assertTrue(Math.abs(got - w) <= 1e-5 + 1e-5 * Math.abs(w), name + ": " + got + " vs " + w);
        }));
      }
    }
    return tests;
  }

  private static void checkInto(String op, List<Tensor> in, Tensor want, String name) {
    // Into a fresh tensor (NaN-filled: every element must be written).
    Tensor out = Tensor.full(Float.NaN, want.shape());
    assertSame(out, INTO.get(op).apply(in, out), name + ": returns out");
    close(want, out, name + " into");
    // Through strided copies of the operands: the fallback path gives the same.
    List<Tensor> strided = new ArrayList<>();
    for (Tensor t : in) {
      strided.add(stridedCopy(t));
    }
    Tensor out2 = Tensor.full(Float.NaN, want.shape());
    close(want, INTO.get(op).apply(strided, out2), name + " strided");
    // In place, when the result has the first operand's shape (not for matmul).
    if (!op.startsWith("matmul") && Arrays.equals(in.get(0).shape(), want.shape())) {
      List<Tensor> own = new ArrayList<>(in);
      own.set(0, in.get(0).clone());
      long version = own.get(0).version();
      Tensor r = INTO.get(op).apply(own, own.get(0));
      assertSame(own.get(0), r, name + ": in place returns this");
      assertTrue(own.get(0).version() > version, name + ": in place bumps the version");
      close(want, r, name + " in place");
      if (IN_PLACE.containsKey(op)) {
        close(want, IN_PLACE.get(op).apply(in.get(0).clone()), name + " " + op + "_");
      }
    }
  }

  private static void checkScalar(String op, Tensor a, float s, Tensor want, String name) {
    BiFunction<Tensor, Tensor, Tensor> f;
    switch (op) {
      case "add_scalar": f = (x, o) -> x.addInto(s, o); break;
      case "sub_scalar": f = (x, o) -> x.subInto(s, o); break;
      case "mul_scalar": f = (x, o) -> x.mulInto(s, o); break;
      default: f = (x, o) -> x.divInto(s, o); break;
    }
    close(want, f.apply(a, Tensor.full(Float.NaN, want.shape())), name + " into");
    Tensor own = a.clone();
    close(want, f.apply(own, own), name + " in place");
    close(want, f.apply(stridedCopy(a), Tensor.full(Float.NaN, want.shape())), name + " strided");
  }

  /** The same values in a non-contiguous layout (the transpose of a transposed copy). */
  private static Tensor stridedCopy(Tensor t) {
    if (t.dim() < 2) {
      return t.clone();
    }
    int last = t.dim() - 1;
    Tensor flipped = t.transpose(last - 1, last).clone();
    return flipped.transpose(last - 1, last);
  }

  private static void close(Tensor want, Tensor got, String what) {
    TensorOpsTest.assertClose(want, got, 2e-6, 1e-5, what);
  }

  private static String shapes(List<Tensor> in) {
    StringBuilder sb = new StringBuilder();
    in.forEach(t -> sb.append(Arrays.toString(t.shape())));
    return sb.toString();
  }

  // ---------------------------------------------------------------- by hand

  @Test
  void powInPlaceAndInto() {
    Tensor x = Tensor.of(2f, -3f, 0.5f);
    assertArrayEquals(new float[] {8f, -27f, 0.125f}, x.powInto(3f, Tensor.zeros(3)).toFloatArray());
    assertArrayEquals(new float[] {4f, 9f, 0.25f}, x.pow_(2f).toFloatArray());
  }

  @Test
  void aBiasRowIsAddedToEveryRow() {
    Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
    Tensor out = Tensor.zeros(2, 3);
    x.addInto(Tensor.of(10f, 20f, 30f), out);
    assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, out.toFloatArray());
    x.mulInto(Tensor.of(new float[][] {{2, 0, -1}}), out); // (1, 3) broadcast too
    assertArrayEquals(new float[] {2, 0, -3, 8, 0, -6}, out.toFloatArray());
    x.subInto(Tensor.scalar(1f), out);
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, out.toFloatArray());
  }

  @Test
  void anOverlappingOutputStillGivesTheRightValues() {
    // out is x shifted by one element: the fast path would read what it has just written.
    Tensor base = Tensor.of(1f, 2f, 3f, 4f, 5f);
    Tensor x = base.narrow(0, 0, 4);
    Tensor out = base.narrow(0, 1, 4);
    x.mulInto(10f, out);
    assertArrayEquals(new float[] {1f, 10f, 20f, 30f, 40f}, base.toFloatArray());
  }

  @Test
  void batchedMatmulIntoReadsHeadsAndTransposesWhereTheyLie() {
    // (batch 1, seq 2, heads 2, d 2) seen as (1, 2 heads, 2, 2): each head's rows 4 floats apart
    Tensor proj = Tensor.of(new float[] {1, 2, 10, 20, 3, 4, 30, 40}).view(1, 2, 2, 2).transpose(1, 2);
    Tensor out = Tensor.full(Float.NaN, 1, 2, 2, 2);
    assertSame(out, proj.matmulInto(proj.transpose(-2, -1), out)); // q @ k.T per head
    // head 0: [[1, 2], [3, 4]] @ its transpose; head 1: [[10, 20], [30, 40]] @ its transpose
    assertArrayEquals(new float[] {5, 11, 11, 25, 500, 1100, 1100, 2500}, out.toFloatArray());
    Tensor v = Tensor.of(new float[] {1, 0, 0, 1, 2, 0, 0, 2}).view(1, 2, 2, 2); // identity, twice the identity
    assertArrayEquals(new float[] {1, 2, 3, 4, 20, 40, 60, 80},
        proj.matmulInto(v, Tensor.full(Float.NaN, 1, 2, 2, 2)).toFloatArray());
  }

  @Test
  void matmulIntoByHand() {
    Tensor a = Tensor.of(new float[][] {{1, 2}, {3, 4}, {5, 6}}); // (3, 2)
    Tensor b = Tensor.of(new float[][] {{1, 0, 2}, {0, 1, 3}}); // (2, 3)
    float[] want = {1, 2, 8, 3, 4, 18, 5, 6, 28};
    assertArrayEquals(want, a.matmulInto(b, Tensor.full(Float.NaN, 3, 3)).toFloatArray());
    Tensor bt = Tensor.of(new float[][] {{1, 0}, {0, 1}, {2, 3}}).t(); // transposed, contiguous
    assertArrayEquals(want, a.matmulInto(bt, Tensor.full(Float.NaN, 3, 3)).toFloatArray());
    assertArrayEquals(new float[] {5, 11, 17}, a.matmulInto(Tensor.of(1f, 2f), Tensor.zeros(3))
        .toFloatArray()); // matrix @ vector: the general path
  }

  @Test
  void copyIntoAndSums() {
    Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
    assertArrayEquals(x.toFloatArray(), x.copyInto(Tensor.zeros(2, 3)).toFloatArray());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, x.t().copyInto(Tensor.zeros(3, 2)).toFloatArray());
    assertEquals(21f, x.sumAsFloat());
    assertEquals(21f, x.t().sumAsFloat());
    assertEquals(3.5f, x.meanAsFloat());
  }

  @Test
  void aWrongOutputShapeIsRefused() {
    Tensor x = Tensor.zeros(2, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> x.reluInto(Tensor.zeros(3, 2)));
    assertEquals("relu: out has shape [3, 2], the result has shape [2, 3]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> x.addInto(Tensor.zeros(4, 2, 3), Tensor.zeros(2, 3)));
    assertEquals("add: out has shape [2, 3], the result has shape [4, 2, 3]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> x.matmulInto(Tensor.zeros(3, 5), Tensor.zeros(2, 4)));
    assertEquals("matmul: out has shape [2, 4], the result has shape [2, 5]", e.getMessage());
  }
}
