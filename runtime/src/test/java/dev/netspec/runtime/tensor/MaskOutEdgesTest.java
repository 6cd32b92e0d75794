package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link Masks}' {@code out=} forms at their edges: the version an op bumps, the outs refused
 * (with the op, the shapes and "strided" in the message), an {@code out} overlapping an operand
 * without being it (which must take a copy, or the op reads what it has just written), and
 * operands strided or broadcast in runs long enough for the kernel. Every expected value is
 * worked out by hand from PyTorch's definitions ({@code masked_fill}, {@code where}, {@code
 * tril}/{@code triu}): element by element from the operands' own arrays and strides.
 */
class MaskOutEdgesTest {
  private static float[] floats(int n, float first) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = first + i;
    }
    return v;
  }

  @Test
  void eachOpBumpsItsOutsVersion() {
    Tensor x = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    Tensor mask = Tensor.of(new float[][] {{1, 0}, {0, 1}});
    Tensor out = Tensor.zeros(2, 2);
    String[] names = {"eq", "masked_fill", "masked_fill in place", "where", "where of numbers", "tril", "triu"};
    Runnable[] ops = {
      () -> Out.eq(x, mask, out),
      () -> Out.maskedFill(x, mask, 7f, out),
      () -> Out.maskedFill(out, mask, 7f, out),
      () -> Out.where(mask, x, mask, out),
      () -> Out.where(mask, 1f, 2f, out),
      () -> Out.tril(x, 0, out),
      () -> Out.triu(x, 0, out),
    };
    for (int i = 0; i < ops.length; i++) {
      long before = out.version();
      ops[i].run();
      assertTrue(out.version() > before, names[i]);
    }
  }

  @Test
  void outsOfAnotherShapeRankDtypeOrLayoutAreRefused() {
    Tensor x = Tensor.zeros(2, 3);
    Tensor row = Tensor.zeros(3);
    assertRefused("masked_fill", "[3, 2]", "[2, 3] and [3]", () -> Out.maskedFill(x, row, 1f, Tensor.zeros(3, 2)));
    // broadcasts to (1, 2, 3), but no operand has rank 3
    assertRefused("masked_fill", "[1, 2, 3]", "[2, 3] and [3]", () -> Out.maskedFill(x, row, 1f, Tensor.zeros(1, 2, 3)));
    // both operands broadcast to (2, 4), but neither has a 4
    Tensor col = Tensor.zeros(2, 1);
    assertRefused("masked_fill", "[2, 4]", "[2, 1] and [1, 1]",
        () -> Out.maskedFill(col, Tensor.zeros(1, 1), 1f, Tensor.zeros(2, 4)));
    Tensor strided = Tensor.zeros(3, 2).t();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Out.maskedFill(x, row, 1f, strided));
    assertTrue(e.getMessage().contains(", strided)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Out.maskedFill(x, row, 1f, Tensor.zeros(3, 2)));
    assertTrue(!e.getMessage().contains("strided)"), e.getMessage());
    assertRefused("masked_fill", "[2, 3]", "[2, 3] and [3]",
        () -> Out.maskedFill(x, row, 1f, Tensor.zeros(DType.INT64, 2, 3)));

    // where's three operands each give out one of its sizes: cond the rows, b the columns
    Tensor cond = Tensor.of(new float[] {1, 0}).view(2, 1);
    Tensor a = Tensor.of(new float[] {5}).view(1, 1);
    Tensor b = Tensor.of(new float[] {7, 8, 9}).view(1, 3);
    assertArrayEquals(new float[] {5, 5, 5, 7, 8, 9}, Out.where(cond, a, b, Tensor.zeros(2, 3)).toFloatArray());
    assertArrayEquals(new float[] {5, 5, 5, 7, 8, 9}, Out.where(cond, 5f, b, Tensor.zeros(2, 3)).toFloatArray());
    // and a the rows, cond the columns
    Tensor cond3 = Tensor.of(new float[] {0, 1, 0}).view(1, 3);
    Tensor a2 = Tensor.of(new float[] {1, 2}).view(2, 1);
    assertArrayEquals(new float[] {-1, 1, -1, -1, 2, -1}, Out.where(cond3, a2, -1f, Tensor.zeros(2, 3)).toFloatArray());
    assertRefused("where", "[2, 4]", "[2, 1] and [1, 1] and [1, 3]", () -> Out.where(cond, a, b, Tensor.zeros(2, 4)));
    assertRefused("where", "[3, 3]", "[2, 1] and [1, 1] and [1, 3]", () -> Out.where(cond, a, b, Tensor.zeros(3, 3)));
    assertRefused("where", "[2, 3]", "[2, 1] and [1, 1] and [1, 3]",
        () -> Out.where(cond, a, b, Tensor.zeros(DType.INT64, 2, 3)));
    assertRefused("where", "[2, 3]", "[2, 1]", () -> Out.where(cond, 1f, 2f, Tensor.zeros(2, 3)));

    assertRefused("tril", "[3, 2]", "[2, 3]", () -> Out.tril(x, 0, Tensor.zeros(3, 2)));
    assertRefused("triu", "[3, 2]", "[2, 3]", () -> Out.triu(x, 0, Tensor.zeros(3, 2)));
    assertRefused("eq", "[3, 2]", "[2, 3] and [3]", () -> Out.eq(x, row, Tensor.zeros(3, 2)));
    assertRefused("lt", "[2, 3]", "[2, 3] and [3]", () -> Out.lt(x, row, Tensor.zeros(DType.INT64, 2, 3)));

    for (boolean lower : new boolean[] {true, false}) {
      String name = lower ? "tril" : "triu";
      Tensor vector = Tensor.zeros(4);
      e = assertThrows(IllegalArgumentException.class, () -> {
        if (lower) {
          vector.tril(0);
        } else {
          vector.triu(0);
        }
      });
      assertEquals(name + " needs a tensor of rank >= 2, got shape [4]", e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> Masks.triangle(vector, 0, lower, Tensor.zeros(4)));
      assertEquals(name + " needs a tensor of rank >= 2, got shape [4]", e.getMessage());
    }
  }

  private static void assertRefused(String op, String outShape, String operands, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    String m = e.getMessage();
    assertTrue(m.startsWith(op + ": out of shape " + outShape + " ("), m);
    assertTrue(m.contains(" result of " + operands + ", or not contiguous"), m);
  }

  @Test
  void anOutOverlappingAnOperandGetsTheValuesOfTheOperandBeforeTheCall() {
    // masked_fill: x the first 8 of 10 values, out the last 8 (two on)
    Tensor base = Tensor.of(floats(10, 0));
    Tensor x = base.narrow(0, 0, 8);
    Tensor out = base.narrow(0, 2, 8);
    Tensor ends = Tensor.of(new float[] {1, 0, 0, 0, 0, 0, 0, 1});
    assertSame(out, Out.maskedFill(x, ends, -1f, out));
    assertArrayEquals(new float[] {0, 1, -1, 1, 2, 3, 4, 5, 6, -1}, base.toFloatArray());

    // masked_fill: x the first row of out, broadcast over both rows
    Tensor grid = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
    Tensor mask = Tensor.of(new float[][] {{1, 0, 0}, {0, 1, 0}});
    Out.maskedFill(grid.narrow(0, 0, 1), mask, 9f, grid);
    assertArrayEquals(new float[] {9, 2, 3, 1, 9, 3}, grid.toFloatArray());

    // masked_fill: the mask the first row of out
    Tensor m2 = Tensor.of(new float[][] {{1, 0}, {7, 7}});
    Out.maskedFill(Tensor.of(new float[][] {{1, 2}, {3, 4}}), m2.narrow(0, 0, 1), 5f, m2);
    assertArrayEquals(new float[] {5, 2, 5, 4}, m2.toFloatArray());

    // where: a, b or cond the first row of out
    Tensor cond = Tensor.of(new float[][] {{0, 1}, {1, 1}});
    Tensor wa = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    Out.where(cond, wa.narrow(0, 0, 1), Tensor.of(new float[][] {{10, 20}, {30, 40}}), wa);
    assertArrayEquals(new float[] {10, 2, 1, 2}, wa.toFloatArray());
    Tensor wb = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    Out.where(Tensor.of(new float[][] {{1, 0}, {0, 0}}), Tensor.of(new float[][] {{10, 20}, {30, 40}}),
        wb.narrow(0, 0, 1), wb);
    assertArrayEquals(new float[] {10, 2, 1, 2}, wb.toFloatArray());
    Tensor wc = Tensor.of(new float[][] {{1, 0}, {5, 5}});
    Out.where(wc.narrow(0, 0, 1), Tensor.of(new float[][] {{0, 1}, {2, 3}}),
        Tensor.of(new float[][] {{4, 5}, {6, 7}}), wc);
    assertArrayEquals(new float[] {0, 5, 2, 7}, wc.toFloatArray());

    // tril: x the first 6 of 8 values as (2, 3), out the last 6 (two on)
    Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8});
    Out.tril(t.narrow(0, 0, 6).view(2, 3), 0, t.narrow(0, 2, 6).view(2, 3));
    assertArrayEquals(new float[] {1, 2, 1, 0, 0, 4, 5, 0}, t.toFloatArray());
    // triu: x the transpose of out, at the same offset
    Tensor sq = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    Out.triu(sq.t(), 0, sq);
    assertArrayEquals(new float[] {1, 3, 0, 4}, sq.toFloatArray());
    Tensor sl = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    Out.tril(sl.t(), 0, sl);
    assertArrayEquals(new float[] {1, 0, 2, 4}, sl.toFloatArray());
  }

  @Test
  void stridedAndBroadcastOperandsInLongRuns() {
    int rows = 2;
    int cols = 40;
    float[] src = new float[rows * cols];
    for (int i = 0; i < src.length; i++) {
      src[i] = i % 7 - 3;
    }
    Tensor xt = Tensor.of(src).view(cols, rows).t(); // (2, 40), x[i][j] = src[j * 2 + i]
    Tensor dense = Tensor.of(src).view(rows, cols); // x[i][j] = src[i * 40 + j]
    float[] m = new float[rows * cols];
    for (int i = 0; i < m.length; i++) {
      m[i] = i % 3 == 0 ? 1 : 0;
    }
    Tensor mask = Tensor.of(m).view(rows, cols);
    Tensor maskRow = Tensor.of(m).narrow(0, 0, cols); // broadcast over rows: m[j]
    Tensor maskCol = Tensor.of(new float[] {0, 1}).view(rows, 1); // broadcast over columns
    Tensor maskT = Tensor.of(m).view(cols, rows).t(); // mask[i][j] = m[j * 2 + i]
    Tensor xRow = Tensor.of(src).narrow(0, 0, cols); // x broadcast: src[j]
    Expect[] cases = {
      new Expect("x strided", xt, (i, j) -> src[j * 2 + i], mask, (i, j) -> m[i * cols + j]),
      new Expect("mask strided", dense, (i, j) -> src[i * cols + j], maskT, (i, j) -> m[j * 2 + i]),
      new Expect("mask a row", dense, (i, j) -> src[i * cols + j], maskRow, (i, j) -> m[j]),
      new Expect("mask a column", dense, (i, j) -> src[i * cols + j], maskCol, (i, j) -> i == 1 ? 1f : 0f),
      new Expect("x a row", xRow, (i, j) -> src[j], mask, (i, j) -> m[i * cols + j]),
    };
    for (Expect c : cases) {
      float[] got = Out.maskedFill(c.x, c.mask, 100f, Tensor.zeros(rows, cols)).toFloatArray();
      float[] where = Out.where(c.mask, -5f, c.x, Tensor.zeros(rows, cols)).toFloatArray();
      float[] whereT = Out.where(c.mask, c.x, dense, Tensor.zeros(rows, cols)).toFloatArray();
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          boolean fill = c.maskAt.at(i, j) != 0;
          float xv = c.xAt.at(i, j);
          assertEquals(fill ? 100f : xv, got[i * cols + j], c.what + " masked_fill at " + i + "," + j);
          assertEquals(fill ? -5f : xv, where[i * cols + j], c.what + " where at " + i + "," + j);
          assertEquals(fill ? xv : src[i * cols + j], whereT[i * cols + j], c.what + " where(a) at " + i + "," + j);
        }
      }
    }

    // three dims: a (3, 16) broadcast over the batch runs 48 dense, cond (2, 3, 16) strided in its middle dim
    float[] condData = new float[2 * 4 * 16];
    for (int i = 0; i < condData.length; i++) {
      condData[i] = i % 3 == 0 ? 1 : 0;
    }
    Tensor cond = Tensor.of(condData).view(2, 4, 16).narrow(1, 1, 3); // cond[b][r][c] = condData[b * 64 + (r + 1) * 16 + c]
    Tensor a = Tensor.of(floats(48, 1000)).view(3, 16);
    Tensor b = Tensor.of(floats(96, -100)).view(2, 3, 16);
    float[] got = Out.where(cond, a, b, Tensor.zeros(2, 3, 16)).toFloatArray();
    for (int bi = 0; bi < 2; bi++) {
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 16; c++) {
          boolean t = (bi * 64 + (r + 1) * 16 + c) % 3 == 0;
          float want = t ? 1000 + r * 16 + c : -100 + bi * 48 + r * 16 + c;
          assertEquals(want, got[bi * 48 + r * 16 + c], "where at " + bi + "," + r + "," + c);
        }
      }
    }
  }

  private interface At {
    float at(int i, int j);
  }

  private static final class Expect {
    final String what;
    final Tensor x;
    final At xAt;
    final Tensor mask;
    final At maskAt;

    Expect(String what, Tensor x, At xAt, Tensor mask, At maskAt) {
      this.what = what;
      this.x = x;
      this.xAt = xAt;
      this.mask = mask;
      this.maskAt = maskAt;
    }
  }
}
