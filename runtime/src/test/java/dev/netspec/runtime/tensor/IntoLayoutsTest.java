package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The {@code ...Into(..., out)} forms on every layout their fast paths tell apart (dense,
 * strided, a bias row, a scalar, a per-row column, {@code out} the input itself or
 * overlapping it at an offset, empty tensors), each against values computed here element by
 * element from the inputs' values read before the call; {@code out} is returned and its
 * version grows.
 */
class IntoLayoutsTest {
  /** 0.25-steps, so sums, differences and products are exact in float32. */
  private static Tensor ramp(int start, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] a = t.array();
    for (int i = 0; i < a.length; i++) {
      a[i] = ((start + i * 7) % 23 - 11) * 0.25f;
    }
    return t;
  }

  /** Positive values, for div and pow. */
  private static Tensor positive(int start, int... shape) {
    Tensor t = ramp(start, shape);
    return t.abs().add(0.5f);
  }

  private static float apply(char op, float a, float b) {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      default: return a / b;
    }
  }

  private static Tensor into(char op, Tensor x, Tensor other, Tensor out) {
    switch (op) {
      case '+': return x.addInto(other, out);
      case '-': return x.subInto(other, out);
      case '*': return x.mulInto(other, out);
      default: return x.divInto(other, out);
    }
  }

  /** {@code op(x, other)} with PyTorch broadcasting, element by element. */
  private static float[] broadcast(char op, Tensor x, Tensor other) {
    int[] s = x.shape();
    int[] o = other.shape();
    int n = (int) x.numel();
    float[] r = new float[n];
    int[] idx = new int[s.length];
    for (int i = 0; i < n; i++) {
      int rem = i;
      for (int d = s.length - 1; d >= 0; d--) {
        idx[d] = rem % s[d];
        rem /= s[d];
      }
      int[] oi = new int[o.length];
      for (int d = 0; d < o.length; d++) {
        int sd = d + s.length - o.length;
        oi[d] = o[d] == 1 ? 0 : idx[sd];
      }
      r[i] = apply(op, x.get(idx), o.length == 0 ? other.item() : other.get(oi));
    }
    return r;
  }

  private static void checkBinary(String what, Tensor x, Tensor other, Tensor out) {
    for (char op : new char[] {'+', '-', '*', '/'}) {
      Tensor xs = x.clone();
      Tensor os = other.clone();
      float[] want = broadcast(op, xs, os);
      Tensor target = out == null ? Tensor.zeros(x.shape()).fill_(Float.NaN) : out;
      long version = target.version();
      assertSame(target, into(op, x, other, target), what);
      assertTrue(target.version() > version, what + ": version");
      assertArrayEquals(want, target.contiguous().toFloatArray(), what + " " + op);
      if (out != null) { // restore the inputs an aliased out overwrote
        x.copy_(xs);
        other.copy_(os);
      }
    }
  }

  @Test
  void binaryOnEveryLayout() {
    Tensor x = ramp(1, 2, 3, 4);
    checkBinary("same shape", x, positive(2, 2, 3, 4), null);
    checkBinary("bias row", x, positive(3, 4), null);
    checkBinary("bias row with leading 1s", x, positive(4, 1, 1, 4), null);
    checkBinary("last two dims", x, positive(5, 3, 4), null);
    checkBinary("one value", x, positive(6, 1), null);
    checkBinary("a 0-d value", x, Tensor.scalar(1.5f), null);
    checkBinary("one value per row", x, positive(7, 2, 3, 1), null);
    checkBinary("one value per batch", x, positive(8, 2, 1, 1), null);
    checkBinary("per batch, rank 2", ramp(2, 2, 3), positive(8, 2, 1), null);
    checkBinary("middle dim", x, positive(9, 1, 3, 1), null);
    checkBinary("leading dim only", x, positive(10, 3, 1), null);
    checkBinary("first and last", x, positive(11, 2, 1, 4), null);
    checkBinary("strided other", x, positive(12, 4, 3).t(), null);
    checkBinary("strided x", ramp(13, 2, 4, 3).transpose(1, 2), positive(14, 4), null);
    checkBinary("x broadcast to out", ramp(13, 3, 4).expand(2, 3, 4), positive(14, 2, 3, 4), null);
    Tensor self = ramp(15, 2, 3, 4);
    checkBinary("out is x", self, positive(16, 4), self);
    Tensor y = positive(17, 2, 3, 4);
    checkBinary("out is other", ramp(18, 2, 3, 4), y, y);
    Tensor row = positive(19, 4);
    Tensor base = Tensor.zeros(30);
    Tensor xo = base.narrow(0, 0, 24).view(2, 3, 4);
    xo.copy_(ramp(20, 2, 3, 4));
    checkBinary("out overlaps x at an offset", xo, row, base.narrow(0, 4, 24).view(2, 3, 4));
    Tensor b2 = Tensor.zeros(30);
    Tensor r2 = b2.narrow(0, 0, 4);
    r2.copy_(positive(21, 4));
    checkBinary("out overlaps the bias row", ramp(22, 2, 3, 4), r2, b2.narrow(0, 2, 24).view(2, 3, 4));
    Tensor b3 = Tensor.zeros(40);
    Tensor c3 = b3.narrow(0, 0, 6).view(2, 3, 1);
    c3.copy_(positive(23, 2, 3, 1));
    checkBinary("out overlaps the column", ramp(24, 2, 3, 4), c3, b3.narrow(0, 6, 24).view(2, 3, 4));
    checkBinary("empty", Tensor.zeros(0, 4), positive(25, 4), null);
    checkBinary("empty bias", Tensor.zeros(3, 0), Tensor.zeros(0), null);
  }

  @Test
  void binaryRefusals() {
    Tensor x = ramp(1, 2, 3);
    assertEquals("add: out has shape [3, 2], the result has shape [2, 3]",
        assertThrows(IllegalArgumentException.class,
            () -> x.addInto(ramp(2, 3), Tensor.zeros(3, 2))).getMessage());
    assertEquals("mul: out has shape [2, 3], the result has shape [2, 2, 3]",
        assertThrows(IllegalArgumentException.class,
            () -> x.mulInto(ramp(2, 2, 2, 3), Tensor.zeros(2, 3))).getMessage());
    Tensor longs = Tensor.ofLongs(new long[6], 2, 3);
    for (Tensor[] args : new Tensor[][] {{longs, x, x}, {x, longs, x}, {x, x, longs}}) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> args[0].subInto(args[1], args[2]));
      assertTrue(e.getMessage().startsWith("sub needs a float32 tensor"), e.getMessage());
    }
    for (Tensor[] args : new Tensor[][] {{longs, x}, {x, longs}}) {
      assertTrue(assertThrows(IllegalStateException.class, () -> args[0].mulInto(2f, args[1]))
          .getMessage().startsWith("mul needs a float32 tensor"));
      assertTrue(assertThrows(IllegalStateException.class, () -> args[0].expInto(args[1]))
          .getMessage().startsWith("exp needs a float32 tensor"));
      assertTrue(assertThrows(IllegalStateException.class, () -> args[0].powInto(2f, args[1]))
          .getMessage().startsWith("pow needs a float32 tensor"));
      assertTrue(assertThrows(IllegalStateException.class, () -> args[0].softmaxInto(1, args[1]))
          .getMessage().startsWith("softmax needs a float32 tensor"));
      assertTrue(assertThrows(IllegalStateException.class,
          () -> args[0].logSoftmaxInto(1, args[1]))
          .getMessage().startsWith("log_softmax needs a float32 tensor"));
    }
    Tensor m = ramp(1, 2, 2);
    for (Tensor[] args : new Tensor[][] {{Tensor.ofLongs(new long[4], 2, 2), m, m},
        {m, Tensor.ofLongs(new long[4], 2, 2), m}, {m, m, Tensor.ofLongs(new long[4], 2, 2)}}) {
      assertTrue(assertThrows(IllegalStateException.class,
          () -> args[0].matmulInto(args[1], args[2])).getMessage()
          .startsWith("matmul needs a float32 tensor"));
    }
    assertEquals("div: out has shape [3], the result has shape [2, 3]",
        assertThrows(IllegalArgumentException.class, () -> x.divInto(2f, Tensor.zeros(3)))
            .getMessage());
    assertEquals("sqrt: out has shape [3], the result has shape [2, 3]",
        assertThrows(IllegalArgumentException.class, () -> x.sqrtInto(Tensor.zeros(3)))
            .getMessage());
    assertEquals("pow: out has shape [3], the result has shape [2, 3]",
        assertThrows(IllegalArgumentException.class, () -> x.powInto(2f, Tensor.zeros(3)))
            .getMessage());
    assertEquals("softmax: out has shape [3], the result has shape [2, 3]",
        assertThrows(IllegalArgumentException.class, () -> x.softmaxInto(1, Tensor.zeros(3)))
            .getMessage());
    assertEquals("copy: out has shape [3], the result has shape [2, 3]",
        assertThrows(IllegalArgumentException.class, () -> x.copyInto(Tensor.zeros(3)))
            .getMessage());
  }

  /** Unary, scalar and pow forms: dense, strided, in place, overlapping at an offset. */
  @Test
  void unaryAndScalarOnEveryLayout() {
    Tensor base = Tensor.zeros(20);
    Tensor[][] layouts = {
        {positive(1, 3, 4), null},
        {positive(2, 4, 3).t(), null},
        {null, null}, // in place
        {null, base.narrow(0, 3, 12).view(3, 4)}, // out overlaps x
    };
    for (int l = 0; l < layouts.length; l++) {
      for (int op = 0; op < 4; op++) {
        Tensor x = layouts[l][0];
        Tensor out = layouts[l][1];
        if (l == 2) {
          x = positive(3, 3, 4);
          out = x;
        } else if (l == 3) {
          x = base.narrow(0, 0, 12).view(3, 4);
          x.copy_(positive(4, 3, 4));
        }
        if (out == null) {
          out = Tensor.zeros(3, 4).fill_(Float.NaN);
        }
        float[] in = x.contiguous().toFloatArray();
        float[] want = new float[in.length];
        for (int i = 0; i < in.length; i++) {
          want[i] = op == 0 ? (float) Math.sqrt(in[i]) : op == 1 ? in[i] * 0.75f
              : op == 2 ? (float) Math.pow(in[i], 2.5f) : in[i] - 1.25f;
        }
        long version = out.version();
        Tensor got = op == 0 ? x.sqrtInto(out) : op == 1 ? x.mulInto(0.75f, out)
            : op == 2 ? x.powInto(2.5f, out) : x.subInto(1.25f, out);
        String what = "layout " + l + ", op " + op;
        assertSame(out, got, what);
        assertTrue(out.version() > version, what + ": version");
        float[] have = out.contiguous().toFloatArray();
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], have[i], Math.ulp(want[i]), what + " element " + i);
        }
      }
    }
  }

  /** {@code x @ other} by hand, in double. */
  private static float[] matmul(Tensor x, Tensor other) {
    int m = x.size(0);
    int k = x.size(1);
    int n = other.size(1);
    float[] r = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += (double) x.get(i, p) * other.get(p, j);
        }
        r[i * n + j] = (float) s;
      }
    }
    return r;
  }

  @Test
  void matmulOnEveryLayout() {
    Tensor x = ramp(1, 3, 5);
    Tensor padded = ramp(2, 4, 8); // rows of 8, the first 5 used
    Tensor[] others = {
        ramp(3, 5, 4), // dense
        ramp(4, 4, 5).t(), // w.t(): the GEMM reads it transposed
        padded.narrow(1, 0, 5).t(), // w.t() of rows with a gap
        ramp(5, 1, 5).t(), // one column
        ramp(6, 5, 2, 4).select(1, 1), // rows with a gap, not a transpose
        ramp(7, 4, 5, 2).select(2, 0).t(), // a transpose with a column stride
        ramp(8, 5, 0), // no columns
    };
    for (Tensor other : others) {
      String what = java.util.Arrays.toString(other.shape()) + " strides "
          + java.util.Arrays.toString(other.stride());
      float[] want = matmul(x, other);
      Tensor out = Tensor.zeros(3, other.size(1)).fill_(Float.NaN);
      long version = out.version();
      assertSame(out, x.matmulInto(other, out), what);
      assertTrue(out.version() > version || out.numel() == 0, what + ": version");
      assertArrayEquals(want, out.toFloatArray(), 1e-5f, what);
    }
    // strided x, and out sharing storage with x or other: the allocating product, copied
    Tensor xt = ramp(9, 5, 3).t();
    Tensor w = ramp(10, 5, 4);
    Tensor out = Tensor.zeros(3, 4);
    assertArrayEquals(matmul(xt, w), xt.matmulInto(w, out).toFloatArray(), 1e-5f, "strided x");
    Tensor square = ramp(11, 3, 3);
    float[] want = matmul(square, square.clone());
    assertArrayEquals(want, square.matmulInto(square, square).toFloatArray(), 1e-5f,
        "out is both operands");
    Tensor sq = ramp(12, 5, 5);
    Tensor left = ramp(13, 5, 5);
    float[] wantRight = matmul(left, sq.clone());
    assertArrayEquals(wantRight, left.matmulInto(sq, sq).toFloatArray(), 1e-5f, "out is other");
    // batched: the general product, into a matching out; a wrong out is refused
    Tensor batch = ramp(14, 2, 3, 5);
    Tensor bo = Tensor.zeros(2, 3, 4);
    batch.matmulInto(w, bo);
    for (int b = 0; b < 2; b++) {
      assertArrayEquals(matmul(batch.select(0, b), w), bo.select(0, b).contiguous().toFloatArray(),
          1e-5f, "batch " + b);
    }
    assertEquals("matmul: out has shape [3, 5], the result has shape [3, 4]",
        assertThrows(IllegalArgumentException.class, () -> x.matmulInto(w, Tensor.zeros(3, 5)))
            .getMessage());
    assertEquals("matmul: out has shape [4, 4], the result has shape [3, 4]",
        assertThrows(IllegalArgumentException.class, () -> x.matmulInto(w, Tensor.zeros(4, 4)))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> x.matmulInto(ramp(1, 4, 4),
        Tensor.zeros(3, 4)));
  }

  /** softmax over {@code dim} in double, for a contiguous copy of x. */
  private static float[] softmax(Tensor x, int dim, boolean log) {
    Tensor c = x.contiguous();
    int d = dim < 0 ? dim + c.dim() : dim;
    int n = c.size(d);
    int inner = 1;
    for (int i = d + 1; i < c.dim(); i++) {
      inner *= c.size(i);
    }
    float[] a = c.toFloatArray();
    float[] r = new float[a.length];
    int outer = n == 0 ? 0 : a.length / (n * inner);
    for (int o = 0; o < outer; o++) {
      for (int j = 0; j < inner; j++) {
        int base = o * n * inner + j;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
          max = Math.max(max, a[base + i * inner]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
          sum += Math.exp(a[base + i * inner] - max);
        }
        for (int i = 0; i < n; i++) {
          double v = a[base + i * inner] - max;
          r[base + i * inner] = (float) (log ? v - Math.log(sum) : Math.exp(v) / sum);
        }
      }
    }
    return r;
  }

  @Test
  void softmaxOnEveryLayout() {
    for (boolean log : new boolean[] {false, true}) {
      BiFunction<Tensor, Tensor, Tensor> last = (x, out) -> log ? x.logSoftmaxInto(-1, out)
          : x.softmaxInto(-1, out);
      Tensor x = ramp(1, 3, 4, 5);
      for (int dim : new int[] {2, -1, 1, 0, -3}) {
        Tensor out = Tensor.zeros(3, 4, 5).fill_(Float.NaN);
        long version = out.version();
        assertSame(out, log ? x.logSoftmaxInto(dim, out) : x.softmaxInto(dim, out));
        assertTrue(out.version() > version);
        assertArrayEquals(softmax(x, dim, log), out.toFloatArray(), 5e-6f, "dim " + dim);
      }
      Tensor strided = ramp(2, 5, 4).t();
      Tensor out = Tensor.zeros(4, 5);
      assertArrayEquals(softmax(strided, -1, log), last.apply(strided, out).toFloatArray(), 5e-6f,
          "strided x");
      Tensor stridedOut = Tensor.zeros(5, 4).t();
      Tensor y = ramp(3, 4, 5);
      assertArrayEquals(softmax(y, -1, log), last.apply(y, stridedOut).contiguous().toFloatArray(),
          5e-6f, "strided out");
      Tensor self = ramp(4, 4, 5);
      float[] want = softmax(self, -1, log);
      assertArrayEquals(want, last.apply(self, self).toFloatArray(), 5e-6f, "in place");
      Tensor zero = Tensor.scalar(3f);
      Tensor zo = Tensor.scalar(Float.NaN);
      assertEquals(log ? 0f : 1f, (log ? zero.logSoftmaxInto(0, zo) : zero.softmaxInto(0, zo))
          .item(), "0-d");
      Tensor empty = Tensor.zeros(2, 0);
      assertEquals(0, last.apply(empty, Tensor.zeros(2, 0)).numel());
      Tensor rowsOfOne = ramp(5, 3, 1);
      assertArrayEquals(log ? new float[3] : new float[] {1, 1, 1},
          last.apply(rowsOfOne, Tensor.zeros(3, 1)).toFloatArray(), "rows of one value");
    }
  }

  @Test
  void flattenAndCopyOnEveryLayout() {
    Tensor x = ramp(1, 2, 3, 4, 5);
    int[][] cases = {{0, -1, 120}, {1, 2, 2, 12, 5}, {-3, -2, 2, 12, 5}, {0, 1, 6, 4, 5},
        {2, 3, 2, 3, 20}, {1, 1, 2, 3, 4, 5}, {3, 3, 2, 3, 4, 5}, {0, 2, 24, 5}};
    float[] values = x.toFloatArray();
    for (int[] c : cases) {
      int[] shape = java.util.Arrays.copyOfRange(c, 2, c.length);
      Tensor out = Tensor.zeros(shape).fill_(Float.NaN);
      long version = out.version();
      assertSame(out, x.flattenInto(c[0], c[1], out));
      assertTrue(out.version() > version);
      assertArrayEquals(values, out.toFloatArray(), "flatten(" + c[0] + ", " + c[1] + ")");
    }
    int[][] wrong = {{1, 2, 2, 13, 5}, {1, 2, 6, 4, 5}, {1, 2, 2, 12}, {0, 1, 6, 4, 6},
        {1, 2, 3, 12, 5}, {2, 3, 2, 3, 21}};
    for (int[] c : wrong) {
      int[] shape = java.util.Arrays.copyOfRange(c, 2, c.length);
      assertThrows(IllegalArgumentException.class,
          () -> x.flattenInto(c[0], c[1], Tensor.zeros(shape)),
          "flatten(" + c[0] + ", " + c[1] + ") into " + java.util.Arrays.toString(shape));
    }
    assertThrows(IllegalArgumentException.class, () -> x.flattenInto(2, 1, Tensor.zeros(120)));
    Tensor t = ramp(2, 3, 4).t();
    assertArrayEquals(t.contiguous().toFloatArray(), t.flattenInto(0, 1, Tensor.zeros(12))
        .toFloatArray(), "strided x");
    Tensor base = Tensor.zeros(30);
    Tensor src = base.narrow(0, 0, 12).view(3, 4);
    src.copy_(ramp(3, 3, 4));
    float[] before = src.toFloatArray();
    assertArrayEquals(before, src.flattenInto(0, 1, base.narrow(0, 6, 12)).toFloatArray(),
        "out overlaps x");
    assertEquals(7f, Tensor.scalar(7f).flattenInto(0, 0, Tensor.zeros(1)).item(), "0-d");

    // copy: an overlapping out reads x's values from before the copy; int64 too
    Tensor fb = Tensor.zeros(20);
    Tensor fx = fb.narrow(0, 0, 10);
    fx.copy_(ramp(4, 10));
    float[] fv = fx.toFloatArray();
    Tensor fo = fb.narrow(0, 5, 10);
    long version = fo.version();
    assertSame(fo, fx.copyInto(fo));
    assertTrue(fo.version() > version);
    assertArrayEquals(fv, fo.toFloatArray(), "float copy over itself");
    Tensor dense = Tensor.zeros(10);
    version = dense.version();
    ramp(5, 10).copyInto(dense);
    assertTrue(dense.version() > version);
    assertArrayEquals(ramp(5, 10).toFloatArray(), dense.toFloatArray());
    assertArrayEquals(ramp(6, 4, 3).t().contiguous().toFloatArray(),
        ramp(6, 4, 3).t().copyInto(Tensor.zeros(3, 4)).toFloatArray(), "strided");
    Tensor same = ramp(7, 4);
    assertSame(same, same.copyInto(same));
    Tensor lb = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 8);
    Tensor lo = lb.narrow(0, 2, 6);
    lb.narrow(0, 0, 6).copyInto(lo);
    assertArrayEquals(new long[] {1, 2, 1, 2, 3, 4, 5, 6}, lb.toLongArray(), "int64 overlap");
    Tensor longs = Tensor.ofLongs(4, 5);
    assertSame(longs, longs.copyInto(longs));
    Tensor lz = Tensor.ofLongs(new long[2], 2);
    longs.copyInto(lz);
    assertArrayEquals(new long[] {4, 5}, lz.toLongArray());
    Tensor fl = Tensor.zeros(2);
    longs.copyInto(fl);
    assertArrayEquals(new float[] {4, 5}, fl.toFloatArray(), "int64 into float32");
  }
}
