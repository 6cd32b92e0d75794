package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link Out}'s {@code out=} forms and the column broadcast of {@code addInto}/{@code mulInto}/
 * {@code divInto} ({@code (batch, seq, 1)} against {@code (batch, seq, hidden)}), by hand, on
 * their allocation-free path and through strided operands (the fallback).
 */
class OutTest {
  @Test
  void arangeFillsInt64AndFloat32() {
    Tensor ids = Tensor.zeros(DType.INT64, 4);
    assertSame(ids, Out.arange(7, ids));
    assertArrayEquals(new long[] {7, 8, 9, 10}, ids.toLongArray());
    Tensor f = Out.arange(-1, Tensor.zeros(3));
    assertArrayEquals(new float[] {-1, 0, 1}, f.toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> Out.arange(0, Tensor.zeros(2, 2)));
  }

  @Test
  void neOfInt64AndFloat32() {
    Tensor mask = Tensor.ofLongs(new long[] {1, 0, 1, 1, 0, 0}, 2, 3);
    assertArrayEquals(new float[] {1, 0, 1, 1, 0, 0}, Out.ne(mask, 0f, Tensor.zeros(2, 3)).toFloatArray());
    Tensor x = Tensor.of(new float[][] {{2, 3}, {3, Float.NaN}});
    assertArrayEquals(new float[] {1, 0, 0, 1}, Out.ne(x, 3f, Tensor.zeros(2, 2)).toFloatArray());
    assertArrayEquals(new float[] {1, 0, 0, 1}, Out.ne(x.t(), 3f, Tensor.zeros(2, 2)).t().toFloatArray());
  }

  @Test
  void everyComparisonWithANumber() {
    Tensor x = Tensor.of(new float[] {-1, 2, 3, Float.NaN}); // NaN: only != holds, as in PyTorch
    Tensor ids = Tensor.ofLongs(new long[] {-1, 2, 3, 16_777_217}, 4);
    float[][] expected = { // x == 2, != 2, < 2, <= 2, > 2, >= 2
        {0, 1, 0, 0}, {1, 0, 1, 1}, {1, 0, 0, 0}, {1, 1, 0, 0}, {0, 0, 1, 0}, {0, 1, 1, 0}};
    float[][] expectedIds = {
        {0, 1, 0, 0}, {1, 0, 1, 1}, {1, 0, 0, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}, {0, 1, 1, 1}};
    java.util.List<java.util.function.BiFunction<Tensor, Tensor, Tensor>> ops = java.util.List.of(
        (t, out) -> Out.eq(t, 2f, out), (t, out) -> Out.ne(t, 2f, out), (t, out) -> Out.lt(t, 2f, out),
        (t, out) -> Out.le(t, 2f, out), (t, out) -> Out.gt(t, 2f, out), (t, out) -> Out.ge(t, 2f, out));
    for (int i = 0; i < ops.size(); i++) {
      Tensor out = Tensor.zeros(4);
      assertSame(out, ops.get(i).apply(x, out));
      assertArrayEquals(expected[i], out.toFloatArray(), "op " + i + " of floats");
      assertArrayEquals(expectedIds[i], ops.get(i).apply(ids, Tensor.zeros(4)).toFloatArray(), "op " + i + " of ids");
      Tensor strided = Tensor.zeros(8).narrow(0, 0, 8).view(4, 2).select(1, 0); // out not contiguous: the fallback
      assertArrayEquals(expected[i], ops.get(i).apply(x, strided).toFloatArray(), "op " + i + " into a strided out");
    }
    assertThrows(IllegalArgumentException.class, () -> Out.lt(x, 0f, Tensor.zeros(3)));
  }

  @Test
  void comparisonsOfTwoTensorsBroadcast() {
    Tensor row = Tensor.of(new float[] {0, 1, 2}).view(1, 3); // arange(3)[None, :]
    Tensor col = Tensor.of(new float[] {0, 1, 2}).view(3, 1); // arange(3)[:, None]
    Tensor out = Tensor.zeros(3, 3);
    assertSame(out, Out.gt(row, col, out));
    assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1, 0, 0, 0}, out.toFloatArray(), "future = j > i");
    assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 1, 1, 1}, Out.ge(col, row, Tensor.zeros(3, 3)).toFloatArray());
    assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Out.eq(row, col, Tensor.zeros(3, 3)).toFloatArray());
    assertArrayEquals(new float[] {0, 1, 1, 1, 0, 1, 1, 1, 0}, Out.ne(row, col, Tensor.zeros(3, 3)).toFloatArray());
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 1, 1, 0}, Out.lt(row, col, Tensor.zeros(3, 3)).toFloatArray());
    assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 1, 1, 1}, Out.le(row, col, Tensor.zeros(3, 3)).toFloatArray());
    Tensor ids = Tensor.ofLongs(new long[] {16_777_217, 16_777_216}, 2); // exact as int64, equal as floats
    Tensor same = Tensor.ofLongs(new long[] {16_777_216, 16_777_216}, 2);
    assertArrayEquals(new float[] {1, 0}, Out.gt(ids, same, Tensor.zeros(2)).toFloatArray());
    Tensor strided = Tensor.of(new float[][] {{2, 0}, {0, 0}}).t(); // (2, 2) read by columns
    assertArrayEquals(new float[] {1, 0, 0, 0}, Out.gt(strided, Tensor.scalar(1f), Tensor.zeros(2, 2)).toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> Out.gt(row, col, Tensor.zeros(3, 1)));
    assertThrows(IllegalArgumentException.class, () -> Out.gt(row, col, Tensor.zeros(1, 3, 3)));
    assertThrows(IllegalArgumentException.class, () -> Out.gt(row, col, Tensor.zeros(DType.INT64, 3, 3)));
  }

  @Test
  void maskedFillWhereAndTrianglesIntoBuffers() {
    Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
    Tensor mask = Tensor.of(new float[] {0, 1, 0}); // broadcast over the rows
    Tensor out = Tensor.zeros(2, 3);
    assertSame(out, Out.maskedFill(x, mask, -9f, out));
    assertArrayEquals(new float[] {1, -9, 3, 4, -9, 6}, out.toFloatArray());
    assertSame(x, Out.maskedFill(x, Tensor.ofLongs(new long[] {1, 0}, 2, 1), 0f, x)); // in place, an int64 mask
    assertArrayEquals(new float[] {0, 0, 0, 4, 5, 6}, x.toFloatArray());
    Tensor ids = Tensor.ofLongs(new long[] {7, 8}, 2);
    assertArrayEquals(new long[] {7, -1}, Out.maskedFill(ids, Tensor.of(new float[] {0, 1}), -1.5f,
        Tensor.zeros(DType.INT64, 2)).toLongArray(), "int64 takes the value truncated");
    Tensor wide = Tensor.rand(new Generator(1L), 2, 40); // a dense run long enough for the kernel
    Tensor half = Out.gt(wide, Tensor.scalar(0.5f), Tensor.zeros(2, 40));
    Tensor filled = Out.maskedFill(wide, half, 2f, Tensor.zeros(2, 40));
    for (int i = 0; i < 80; i++) {
      float w = wide.toFloatArray()[i];
      assertEquals(w > 0.5f ? 2f : w, filled.toFloatArray()[i]);
    }

    Tensor keep = Tensor.of(new float[][] {{1, 0}, {0, 1}});
    assertArrayEquals(new float[] {0, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 0},
        Out.where(keep, 0f, Float.NEGATIVE_INFINITY, Tensor.zeros(2, 2)).toFloatArray());
    Tensor a = Tensor.of(new float[] {10, 20});
    assertArrayEquals(new float[] {10, -1, -1, 20}, Out.where(keep, a, -1f, Tensor.zeros(2, 2)).toFloatArray());
    assertArrayEquals(new float[] {-1, 20, 10, -1}, Out.where(keep, -1f, a, Tensor.zeros(2, 2)).toFloatArray());
    assertArrayEquals(new float[] {10, 20, 10, 20}, Out.where(keep, a, a, Tensor.zeros(2, 2)).toFloatArray());
    assertArrayEquals(new long[] {7, 2, 1, 8}, Out.where(keep, ids, Tensor.ofLongs(new long[] {1, 2}, 2),
        Tensor.zeros(DType.INT64, 2, 2)).toLongArray());
    assertThrows(IllegalArgumentException.class, () -> Out.where(keep, ids, ids, Tensor.zeros(2, 2)));

    Tensor m = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
    assertArrayEquals(new float[] {1, 0, 0, 4, 5, 0, 7, 8, 9}, Out.tril(m, 0, Tensor.zeros(3, 3)).toFloatArray());
    assertArrayEquals(new float[] {0, 0, 0, 4, 0, 0, 7, 8, 0}, Out.tril(m, -1, Tensor.zeros(3, 3)).toFloatArray());
    assertArrayEquals(new float[] {1, 2, 3, 0, 5, 6, 0, 0, 9}, Out.triu(m, 0, Tensor.zeros(3, 3)).toFloatArray());
    assertArrayEquals(new float[] {0, 2, 3, 0, 0, 6, 0, 0, 0}, Out.triu(m, 1, Tensor.zeros(3, 3)).toFloatArray());
    assertArrayEquals(new float[] {1, 4, 7, 0, 5, 8, 0, 0, 9}, Out.triu(m.t(), 0, Tensor.zeros(3, 3)).toFloatArray(),
        "a transposed input");
    Tensor two = Tensor.of(new float[] {1, 1, 1, 1, 2, 2, 2, 2}).view(2, 2, 2); // each matrix on its own
    assertArrayEquals(new float[] {1, 0, 1, 1, 2, 0, 2, 2}, Out.tril(two, 0, two).toFloatArray(), "in place");
    assertThrows(IllegalArgumentException.class, () -> Out.tril(Tensor.zeros(3), 0, Tensor.zeros(3)));
  }

  @Test
  void partsPlacedAtAnIndexMakeTheStack() {
    Tensor a = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    Tensor b = Tensor.of(new float[][] {{5, 6}, {7, 8}});
    Tensor mid = Tensor.zeros(2, 2, 2).fill_(-1f);
    Out.placeAt(a, 1, 0, mid);
    assertSame(mid, Out.placeAt(b, 1, 1, mid));
    assertArrayEquals(new float[] {1, 2, 5, 6, 3, 4, 7, 8}, mid.toFloatArray()); // torch.stack([a, b], 1)
    Tensor last = Tensor.zeros(2, 2, 2).fill_(-1f);
    Out.placeAt(a, -1, 0, last);
    Out.placeAt(b, -1, 1, last);
    assertArrayEquals(new float[] {1, 5, 2, 6, 3, 7, 4, 8}, last.toFloatArray()); // torch.stack([a, b], -1)
    Tensor first = Tensor.zeros(3, 2, 2).fill_(-1f);
    Out.placeAt(b, 0, 0, first);
    Out.placeAt(a.t(), 0, 1, first); // a strided part, read where it lies
    Out.placeAt(a, 0, 2, first);
    assertArrayEquals(new float[] {5, 6, 7, 8, 1, 3, 2, 4, 1, 2, 3, 4}, first.toFloatArray()); // stack([b, a.T, a])
    Tensor cols = Tensor.zeros(2, 2, 2).fill_(-1f);
    Out.placeAt(a.t(), 2, 0, cols);
    Out.placeAt(b, -1, 1, cols);
    assertArrayEquals(new float[] {1, 5, 3, 6, 2, 7, 4, 8}, cols.toFloatArray()); // stack([a.T, b], -1)
    Tensor x3 = Out.arange(0, Tensor.zeros(24)).reshape(2, 3, 4);
    Tensor picked = Tensor.zeros(2, 2, 3).fill_(-1f);
    Out.placeAt(x3.select(2, 1), 1, 0, picked); // x3[:, :, 1], strided
    Out.placeAt(x3.select(2, 3), 1, 1, picked); // x3[:, :, 3]
    assertArrayEquals(new float[] {1, 5, 9, 3, 7, 11, 13, 17, 21, 15, 19, 23}, picked.toFloatArray());
    Tensor shared = Tensor.zeros(2, 2, 2);
    Out.placeAt(a, 1, 0, shared);
    Out.placeAt(shared.select(1, 0).t(), 1, 1, shared); // a part of out itself: the copying fallback
    assertArrayEquals(new float[] {1, 2, 1, 3, 3, 4, 2, 4}, shared.toFloatArray());
    Tensor ids = Tensor.zeros(DType.INT64, 2, 2);
    Out.placeAt(Tensor.ofLongs(new long[] {7, 8}, 2), 1, 1, ids);
    assertArrayEquals(new long[] {0, 7, 0, 8}, ids.toLongArray());
    assertThrows(IllegalArgumentException.class, () -> Out.placeAt(a, 1, 2, Tensor.zeros(2, 2, 2)));
    assertThrows(IllegalArgumentException.class, () -> Out.placeAt(a, 1, 0, Tensor.zeros(2, 2, 3)));
    assertThrows(IllegalArgumentException.class, () -> Out.placeAt(a, 1, 0, Tensor.zeros(2, 2)));
  }

  @Test
  void placedPartsMakeTheConcat() {
    Tensor a = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    Tensor b = Tensor.of(new float[][] {{5}, {6}});
    Tensor out = Tensor.zeros(2, 3);
    Out.place(a, 1, 0, out);
    assertSame(out, Out.place(b, -1, 2, out));
    assertArrayEquals(new float[] {1, 2, 5, 3, 4, 6}, out.toFloatArray()); // torch.cat([a, b], 1)
    Tensor rows = Tensor.zeros(3, 2);
    Out.place(b.t(), 0, 0, rows); // a strided part: the fallback
    Out.place(a, 0, 1, rows);
    assertArrayEquals(new float[] {5, 6, 1, 2, 3, 4}, rows.toFloatArray()); // torch.cat([b.T, a])
    Tensor wide = Tensor.zeros(2, 4);
    Out.place(a, 1, 0, wide);
    Out.place(a.t(), 1, 2, wide); // strided, read where it lies
    assertArrayEquals(new float[] {1, 2, 1, 3, 3, 4, 2, 4}, wide.toFloatArray()); // torch.cat([a, a.T], 1)
    Tensor x3 = Out.arange(0, Tensor.zeros(24)).reshape(2, 3, 4);
    Tensor cube = Tensor.zeros(2, 2, 4).fill_(-1f);
    Out.place(x3.slice(1, 0, 3, 2), 1, 0, cube); // x3[:, ::2]
    assertArrayEquals(new float[] {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23}, cube.toFloatArray());
    Tensor ids = Tensor.zeros(DType.INT64, 1, 4);
    Out.place(Tensor.ofLongs(new long[] {7, 8}, 1, 2), 1, 2, ids);
    assertArrayEquals(new long[] {0, 0, 7, 8}, ids.toLongArray());
    assertThrows(IllegalArgumentException.class, () -> Out.place(a, 1, 2, Tensor.zeros(2, 3)));
    assertThrows(IllegalArgumentException.class, () -> Out.place(a, 1, 0, Tensor.zeros(3, 3)));
  }

  @Test
  void narrowCopyIsADensePiece() {
    Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
    Tensor out = Tensor.zeros(2, 2);
    assertSame(out, Out.narrowCopy(x, -1, 1, out));
    assertArrayEquals(new float[] {2, 3, 5, 6}, out.toFloatArray()); // torch.narrow_copy(x, 1, 1, 2)
    assertArrayEquals(new float[] {4, 5, 6}, Out.narrowCopy(x, 0, 1, Tensor.zeros(1, 3)).toFloatArray());
    assertArrayEquals(new float[] {3, 6}, Out.narrowCopy(x.t(), 0, 2, Tensor.zeros(1, 2)).toFloatArray()); // strided
    assertThrows(IllegalArgumentException.class, () -> Out.narrowCopy(x, 1, 2, Tensor.zeros(2, 2)));
  }

  @Test
  void rsubIsANumberMinusTheTensor() {
    Tensor x = Tensor.of(new float[][] {{1, 0.25f}, {-2, 0}});
    assertArrayEquals(new float[] {0, 0.75f, 3, 1}, Out.rsub(1f, x, Tensor.zeros(2, 2)).toFloatArray());
    assertArrayEquals(new float[] {0, 3, 0.75f, 1}, Out.rsub(1f, x.t(), Tensor.zeros(2, 2)).toFloatArray());
    assertSame(x, Out.rsub(1f, x, x)); // in place
    assertArrayEquals(new float[] {0, 0.75f, 3, 1}, x.toFloatArray());
  }

  @Test
  void sumOverOneDim() {
    Tensor x = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
    assertArrayEquals(new float[] {5, 7, 9}, Out.sum(x, 0, false, Tensor.zeros(3)).toFloatArray());
    assertArrayEquals(new float[] {6, 15}, Out.sum(x, 1, false, Tensor.zeros(2)).toFloatArray());
    assertArrayEquals(new float[] {6, 15}, Out.sum(x, -1, true, Tensor.zeros(2, 1)).toFloatArray());
    assertArrayEquals(new float[] {6, 15}, Out.sum(x.t(), 0, false, Tensor.zeros(2)).toFloatArray());
    Tensor x3 = Out.arange(0, Tensor.zeros(12)).reshape(2, 3, 2); // [[0 1][2 3][4 5]], [[6 7][8 9][10 11]]
    assertArrayEquals(new float[] {6, 9, 24, 27}, Out.sum(x3, 1, false, Tensor.zeros(2, 2)).toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> Out.sum(x, 1, false, Tensor.zeros(3)));
  }

  @Test
  void meanOverOneDimOfAStridedView() {
    Tensor x3 = Out.arange(0, Tensor.zeros(24)).reshape(2, 6, 2); // x3[b, i, j] = 12b + 2i + j
    Tensor evens = x3.slice(1, 0, 6, 2); // x[:, ::2]: rows 0, 2, 4
    // by hand: b = 0: (0 + 4 + 8) / 3, (1 + 5 + 9) / 3; b = 1: 12 more
    assertArrayEquals(new float[] {4, 5, 16, 17}, Out.mean(evens, 1, false, Tensor.zeros(2, 2)).toFloatArray());
    assertArrayEquals(new float[] {4, 5, 16, 17}, Out.mean(evens, -2, true, Tensor.zeros(2, 1, 2)).toFloatArray());
    // the last dim of a strided view, and a transposed one: the dense path's floats
    Tensor rand = Tensor.rand(new dev.netspec.runtime.tensor.Generator(3L), 3, 8, 5);
    for (Tensor t : new Tensor[] {rand.slice(1, 1, 8, 3), rand.slice(2, 1, 5), rand.transpose(0, 2), rand}) {
      for (int dim = 0; dim < 3; dim++) {
        int[] shape = t.mean(dim, false).shape();
        assertArrayEquals(t.mean(dim, false).toFloatArray(), Out.mean(t, dim, false, Tensor.zeros(shape)).toFloatArray(),
            0f, "mean over dim " + dim + " of " + java.util.Arrays.toString(t.shape()));
      }
    }
  }

  @Test
  void aColumnBroadcastsOverTheLastDims() {
    Tensor h = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
    Tensor w = Tensor.of(new float[][] {{2}, {0.5f}}); // (2, 1)
    assertArrayEquals(new float[] {2, 4, 6, 2, 2.5f, 3}, h.mulInto(w, Tensor.zeros(2, 3)).toFloatArray());
    assertArrayEquals(new float[] {0.5f, 1, 1.5f, 8, 10, 12}, h.divInto(w, Tensor.zeros(2, 3)).toFloatArray());
    assertArrayEquals(new float[] {3, 4, 5, 4.5f, 5.5f, 6.5f}, h.addInto(w, Tensor.zeros(2, 3)).toFloatArray());
    // the column on the left of a product or a sum: the same values, no allocating broadcast
    assertArrayEquals(new float[] {2, 4, 6, 2, 2.5f, 3}, w.mulInto(h, Tensor.zeros(2, 3)).toFloatArray());
    assertArrayEquals(new float[] {3, 4, 5, 4.5f, 5.5f, 6.5f}, w.addInto(h, Tensor.zeros(2, 3)).toFloatArray());
    assertArrayEquals(new float[] {1, 0, -1, -3.5f, -4.5f, -5.5f}, w.subInto(h, Tensor.zeros(2, 3)).toFloatArray());
    Tensor h3 = h.reshape(2, 3, 1).expand(2, 3, 2).contiguous(); // (2, 3, 2)
    Tensor w3 = Tensor.of(new float[][] {{1, 0, 2}, {0, 1, 0}}).reshape(2, 3, 1);
    assertArrayEquals(new float[] {1, 1, 0, 0, 6, 6, 0, 0, 5, 5, 0, 0},
        h3.mulInto(w3, Tensor.zeros(2, 3, 2)).toFloatArray());
  }
}
