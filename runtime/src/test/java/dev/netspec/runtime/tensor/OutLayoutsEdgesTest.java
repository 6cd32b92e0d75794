package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Out}'s {@code place}, {@code narrowCopy}, {@code sum}, {@code mean}, {@code rsub} and
 * comparisons on the layouts their paths tell apart: parts and inputs of rank 1 to 5, strided
 * along every dim (a permutation of a dense tensor), placed or cut at an offset along each dim
 * with later dims after it, outputs overlapping the input. Every expected value is computed
 * here element by element through {@link Tensor#get} on a contiguous copy of the inputs; the
 * values are small integers, so sums are exact in any order. Each call returns {@code out}
 * and bumps its version.
 */
class OutLayoutsEdgesTest {
  /** Distinct small integers 1, 2, ... in row-major order. */
  private static Tensor count(int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] a = t.array();
    for (int i = 0; i < a.length; i++) {
      a[i] = i + 1;
    }
    return t;
  }

  /** The same values as {@code count(shape)}, laid out reversed: every dim strided. */
  private static Tensor reversedLayout(int... shape) {
    int r = shape.length;
    int[] back = new int[r];
    int[] perm = new int[r];
    for (int i = 0; i < r; i++) {
      back[i] = shape[r - 1 - i];
      perm[i] = r - 1 - i;
    }
    Tensor dense = count(shape);
    Tensor stored = dense.permute(perm).contiguous(); // shape back, dense
    Tensor view = stored.permute(perm); // shape, strides reversed
    assertTrue(r < 2 || dense.numel() == 0 || !view.isContiguous());
    assertArrayEquals(dense.toFloatArray(), view.contiguous().toFloatArray());
    return view;
  }

  private static int[] index(int flat, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    return idx;
  }

  private static int numel(int[] shape) {
    return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
  }

  /** concat's placement: out (NaN outside the part) with part at {@code start} of {@code dim}. */
  private static float[] placed(Tensor part, int dim, int start, int[] outShape) {
    float[] want = new float[numel(outShape)];
    Arrays.fill(want, Float.NaN);
    Tensor p = part.contiguous();
    for (int i = 0; i < want.length; i++) {
      int[] idx = index(i, outShape);
      int k = idx[dim] - start;
      if (k >= 0 && k < part.size(dim)) {
        idx[dim] = k;
        want[i] = p.get(idx);
      }
    }
    return want;
  }

  private static void checkPlace(String what, Tensor part, int dim, int start, int[] outShape) {
    Tensor out = Tensor.zeros(outShape).fill_(Float.NaN);
    long version = out.version();
    assertSame(out, Out.place(part, dim, start, out), what);
    assertTrue(out.version() > version, what + ": version");
    assertArrayEquals(placed(part, dim, start, outShape), out.toFloatArray(), what);
  }

  @Test
  void placeAnyPartAlongAnyDim() {
    int[][] shapes = {{3}, {2, 3}, {2, 3, 4}, {2, 3, 2, 3}, {2, 1, 3, 2, 2}};
    for (int[] shape : shapes) {
      for (int dim = 0; dim < shape.length; dim++) {
        int[] outShape = shape.clone();
        outShape[dim] += 3;
        String what = Arrays.toString(shape) + " at 2 of dim " + dim;
        checkPlace("dense " + what, count(shape), dim, 2, outShape);
        checkPlace("strided " + what, reversedLayout(shape), dim, 2, outShape);
        checkPlace("dense at 0 " + what, count(shape), dim, 0, outShape);
      }
    }
    // a strided out: the part goes through a narrowed view of it
    Tensor storage = Tensor.zeros(5, 3).fill_(Float.NaN);
    Tensor out = storage.t(); // (3, 5), strided
    Tensor part = count(3, 2);
    long version = out.version();
    assertSame(out, Out.place(part, 1, 2, out));
    assertTrue(out.version() > version);
    assertArrayEquals(placed(part, 1, 2, new int[] {3, 5}), out.contiguous().toFloatArray());
    assertSame(out, Out.place(reversedLayout(3, 2), 1, 0, out));
    assertEquals(1f, out.get(0, 0));
    assertEquals(6f, out.get(2, 1));
  }

  @Test
  void narrowCopyAlongAnyDimWithLaterDims() {
    int[][] shapes = {{5}, {2, 5}, {2, 5, 3}, {2, 3, 5, 2}};
    for (int[] shape : shapes) {
      for (int dim = 0; dim < shape.length; dim++) {
        int[] outShape = shape.clone();
        outShape[dim] = shape[dim] - 1 - (shape[dim] > 2 ? 1 : 0);
        for (Tensor x : new Tensor[] {count(shape), reversedLayout(shape)}) {
          String what = Arrays.toString(shape) + " from 1 of dim " + dim
              + (x.isContiguous() ? "" : ", strided");
          Tensor out = Tensor.zeros(outShape).fill_(Float.NaN);
          long version = out.version();
          assertSame(out, Out.narrowCopy(x, dim, 1, out), what);
          assertTrue(out.version() > version, what + ": version");
          Tensor xc = x.contiguous();
          float[] want = new float[numel(outShape)];
          for (int i = 0; i < want.length; i++) {
            int[] idx = index(i, outShape);
            idx[dim] += 1;
            want[i] = xc.get(idx);
          }
          assertArrayEquals(want, out.toFloatArray(), what);
        }
      }
    }
  }

  /** The sum over {@code dim}, element by element. */
  private static float[] sum(Tensor x, int dim) {
    int[] shape = x.shape();
    int[] outShape = shape.clone();
    outShape[dim] = 1;
    float[] want = new float[numel(outShape)];
    Tensor xc = x.contiguous();
    for (int i = 0; i < want.length; i++) {
      int[] idx = index(i, outShape);
      float s = 0;
      for (int k = 0; k < shape[dim]; k++) {
        idx[dim] = k;
        s += xc.get(idx);
      }
      want[i] = s;
    }
    return want;
  }

  @Test
  void sumAndMeanOverAnyDimOfAnyLayout() {
    int[][] shapes = {{4}, {3, 4}, {2, 3, 4}, {2, 3, 2, 3}, {2, 1, 3, 2, 2}, {2, 0, 3}, {3, 0}};
    for (int[] shape : shapes) {
      for (int dim = 0; dim < shape.length; dim++) {
        int[] kept = shape.clone();
        kept[dim] = 1;
        for (Tensor x : new Tensor[] {count(shape), reversedLayout(shape)}) {
          String what = Arrays.toString(shape) + " over dim " + dim
              + (x.isContiguous() ? "" : ", strided");
          float[] want = sum(x, dim);
          Tensor out = Tensor.zeros(kept).fill_(Float.NaN);
          long version = out.version();
          assertSame(out, Out.sum(x, dim, true, out), what);
          assertTrue(out.version() > version, what + ": version");
          assertArrayEquals(want, out.toFloatArray(), what);
          int n = shape[dim];
          float[] mean = want.clone();
          for (int i = 0; i < mean.length; i++) {
            mean[i] = mean[i] / n;
          }
          Tensor m = Tensor.zeros(kept).fill_(Float.NaN);
          assertSame(m, Out.mean(x, dim - shape.length, true, m), what);
          assertArrayEquals(mean, m.toFloatArray(), what + ": mean");
        }
      }
    }
    // a strided out for the mean: sum's copy, then the division in place
    Tensor x = count(3, 4);
    Tensor out = Tensor.zeros(4, 3).t(); // (3, 4) strided: a (3, 4) mean of x's (3, 4, 1) view
    Tensor x3 = x.unsqueeze(2).expand(3, 4, 2);
    assertSame(out, Out.mean(x3, 2, false, out));
    assertArrayEquals(x.toFloatArray(), out.contiguous().toFloatArray(), "mean of two copies");
  }

  @Test
  void rsubAndComparisonsWithOutOverlappingTheInput() {
    // out one element after x in the same storage: x must be read before it is overwritten
    int n = 40; // more than one vector of any width
    Tensor base = Tensor.zeros(n + 1);
    Tensor x = base.narrow(0, 0, n);
    Tensor out = base.narrow(0, 1, n);
    for (int i = 0; i < n; i++) {
      base.array()[i] = i % 5;
    }
    float[] values = x.toFloatArray();
    float[] want = new float[n];
    for (int i = 0; i < n; i++) {
      want[i] = 10 - values[i];
    }
    long version = out.version();
    assertSame(out, Out.rsub(10f, x, out));
    assertTrue(out.version() > version);
    assertArrayEquals(want, out.toFloatArray(), "rsub");

    for (int i = 0; i < n; i++) {
      base.array()[i] = i % 5;
      want[i] = i % 5 > 2 ? 1f : 0f;
    }
    assertSame(out, Out.gt(x, 2f, out));
    assertArrayEquals(want, out.toFloatArray(), "gt");

    // the same elements: elementwise in place
    Tensor y = count(2, 3);
    assertSame(y, Out.rsub(1f, y, y));
    assertArrayEquals(new float[] {0, -1, -2, -3, -4, -5}, y.toFloatArray());
    Tensor z = count(2, 3);
    assertSame(z, Out.ge(z, 3f, z));
    assertArrayEquals(new float[] {0, 0, 1, 1, 1, 1}, z.toFloatArray());
  }
}
