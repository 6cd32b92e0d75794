package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.kernels.CompareOp;
import dev.netspec.runtime.nn.Embedding;
import dev.netspec.runtime.nn.Functional;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * The sequence-model ops against PyTorch 1.13 ({@code fixtures/tensor/tokens.json}, made by
 * {@code tools/fixtures/token_fixtures.py}): embedding, arange, views and indexing, split and
 * chunk, stack and cat, comparisons, masked_fill, where, tril/triu and softmax over any dim,
 * on float32 and int64, contiguous and transposed inputs, with broadcasting. Everything but
 * softmax is exact; views must share storage with their input.
 */
class TokenOpsTest {
  @TestFactory
  List<DynamicTest> matchesPyTorch() {
    JsonNode root = Fixtures.load("tokens.json");
    List<DynamicTest> tests = new ArrayList<>();
    int i = 0;
    for (JsonNode c : root.get("cases")) {
      String op = c.get("op").asString();
      List<Tensor> in = new ArrayList<>();
      for (JsonNode t : c.get("inputs")) {
        in.add(Fixtures.typed(t));
      }
      JsonNode args = c.get("args");
      StringBuilder name = new StringBuilder((i++) + " " + op);
      for (Tensor t : in) {
        name.append(' ').append(t.dtype()).append(Arrays.toString(t.shape()))
            .append(t.isContiguous() ? "" : "(strided)");
      }
      name.append(' ').append(args);
      List<Tensor> want = new ArrayList<>();
      if (c.has("out")) {
        want.add(Fixtures.typed(c.get("out")));
      } else {
        c.get("outs").forEach(o -> want.add(Fixtures.typed(o)));
      }
      String label = name.toString();
      tests.add(DynamicTest.dynamicTest(label, () -> {
        List<Tensor> got = run(op, in, args);
        assertEquals(want.size(), got.size(), label + ": number of results");
        boolean approx = op.endsWith("softmax");
        for (int k = 0; k < want.size(); k++) {
          assertSame(want.get(k), got.get(k), approx, label + " result " + k);
        }
        if (isView(op)) {
          got.forEach(g -> assertTrue(g.sharesStorageWith(in.get(0)), label + ": not a view"));
        }
      }));
    }
    return tests;
  }

  private static boolean isView(String op) {
    return List.of("permute", "transpose", "unsqueeze", "squeeze", "select", "slice", "split",
        "split_sizes", "chunk").contains(op);
  }

  private static List<Tensor> run(String op, List<Tensor> in, JsonNode a) {
    Tensor x = in.isEmpty() ? null : in.get(0);
    switch (op) {
      case "embedding":
        return List.of(embedding(in, a));
      case "arange": {
        JsonNode v = a.get("a");
        return List.of(v.size() == 1 ? Tensor.arange(v.get(0).asInt())
            : Tensor.arange(v.get(0).asInt(), v.get(1).asInt(), v.get(2).asInt()));
      }
      case "permute":
        return List.of(x.permute(ints(a.get("dims"))));
      case "transpose":
        return List.of(x.transpose(a.get("d0").asInt(), a.get("d1").asInt()));
      case "unsqueeze":
        return List.of(x.unsqueeze(a.get("dim").asInt()));
      case "squeeze":
        return List.of(x.squeeze(a.get("dim").asInt()));
      case "reshape":
        return List.of(x.reshape(ints(a.get("shape"))));
      case "select":
        return List.of(x.select(a.get("dim").asInt(), a.get("index").asInt()));
      case "slice":
        return List.of(x.slice(a.get("dim").asInt(), a.get("start").asInt(),
            a.get("end").asInt(), a.get("step").asInt()));
      case "split":
        return x.split(a.get("size").asInt(), a.get("dim").asInt());
      case "split_sizes":
        return x.split(ints(a.get("sizes")), a.get("dim").asInt());
      case "chunk":
        return x.chunk(a.get("chunks").asInt(), a.get("dim").asInt());
      case "stack":
        return List.of(Tensor.stack(in, a.get("dim").asInt()));
      case "cat":
        return List.of(Tensor.concat(in, a.get("dim").asInt()));
      case "masked_fill":
        return List.of(x.maskedFill(in.get(1), Fixtures.value(a.get("value"))));
      case "where":
        return List.of(Tensor.where(x, in.get(1), in.get(2)));
      case "tril":
        return List.of(x.tril(a.get("k").asInt()));
      case "triu":
        return List.of(x.triu(a.get("k").asInt()));
      case "softmax":
        return List.of(x.softmax(a.get("dim").asInt()));
      case "log_softmax":
        return List.of(x.logSoftmax(a.get("dim").asInt()));
      default:
        return List.of(compare(op, in, a));
    }
  }

  /** The layer, the functional form and the allocation-free forward, all three checked. */
  private static Tensor embedding(List<Tensor> in, JsonNode a) {
    Tensor weight = in.get(0);
    Tensor ids = in.get(1);
    String repr = a.get("repr").asString();
    if (repr.isEmpty()) {
      return Functional.embedding(ids, weight);
    }
    JsonNode p = a.get("padding_idx");
    Embedding layer = new Embedding(weight.size(0), weight.size(1), p.isNull() ? null : p.asInt());
    assertEquals(repr, layer.toString());
    layer.weight.data().copy_(weight);
    Tensor got = layer.forward(ids);
    assertSame(got, Functional.embedding(ids, weight), false, "F.embedding");
    Tensor out = Tensor.zeros(got.shape());
    assertTrue(out == layer.forward(ids, out));
    assertSame(got, out, false, "forward(ids, out)");
    assertTrue(layer.lastIds() == ids, "the ids are kept for a backward");
    return got;
  }

  private static Tensor compare(String op, List<Tensor> in, JsonNode a) {
    CompareOp cmp = CompareOp.valueOf(op.toUpperCase(java.util.Locale.ROOT));
    Tensor x = in.get(0);
    if (in.size() == 2) {
      Tensor y = in.get(1);
      switch (cmp) {
        case EQ: return x.eq(y);
        case NE: return x.ne(y);
        case LT: return x.lt(y);
        case LE: return x.le(y);
        case GT: return x.gt(y);
        default: return x.ge(y);
      }
    }
    float v = (float) a.get("scalar").asDouble();
    switch (cmp) {
      case EQ: return x.eq(v);
      case NE: return x.ne(v);
      case LT: return x.lt(v);
      case LE: return x.le(v);
      case GT: return x.gt(v);
      default: return x.ge(v);
    }
  }

  private static int[] ints(JsonNode n) {
    int[] r = new int[n.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = n.get(i).asInt();
    }
    return r;
  }

  /** Same dtype and shape; values bit for bit, or within 2e-6 relative for softmax. */
  private static void assertSame(Tensor want, Tensor got, boolean approx, String label) {
    assertEquals(want.dtype(), got.dtype(), label + ": dtype");
    assertArrayEquals(want.shape(), got.shape(), label + ": shape");
    if (want.dtype() == DType.INT64) {
      assertArrayEquals(want.toLongArray(), got.toLongArray(), label);
      return;
    }
    float[] w = want.toFloatArray();
    float[] g = got.toFloatArray();
    for (int i = 0; i < w.length; i++) {
      boolean ok = approx ? Math.abs(w[i] - g[i]) <= 2e-6 * Math.max(1, Math.abs(w[i]))
          || w[i] == g[i] : Float.compare(w[i], g[i]) == 0 || w[i] == g[i];
      assertTrue(ok, label + ": element " + i + " expected " + w[i] + ", got " + g[i]);
    }
  }

  @org.junit.jupiter.api.Test
  void viewsWriteThrough() {
    Tensor x = Tensor.zeros(5, 7);
    x.chunk(3, 1).get(2).fill_(1f); // the last, shorter chunk: columns 6..7
    x.slice(0, 1, Integer.MAX_VALUE, 2).add_(2f); // x[1::2] += 2
    assertEquals(1f, x.get(0, 6));
    assertEquals(0f, x.get(0, 5));
    assertEquals(3f, x.get(1, 6));
    assertEquals(2f, x.get(3, 0));
    assertEquals(0f, x.get(4, 0));
  }
}
