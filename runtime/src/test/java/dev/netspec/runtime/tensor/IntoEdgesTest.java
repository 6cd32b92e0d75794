package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The {@code ...Into} forms on the layouts {@link IntoLayoutsTest} leaves out: strided and
 * stepped sources of {@code copyInto}, a strided {@code out} of a matmul, batched matmuls
 * whose operands cannot be read in place (a broadcast batch dim, a strided last dim of x, a
 * right operand with neither rows nor columns dense, a strided out), and int64 or strided
 * outputs of {@code flattenInto}. Expected values are computed here element by element
 * through {@link Tensor#get} (small quarter-step values: exact in float32).
 */
class IntoEdgesTest {
  /** Distinct quarter steps, row-major. */
  private static Tensor ramp(int start, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] a = t.array();
    for (int i = 0; i < a.length; i++) {
      a[i] = ((start + i * 7) % 23 - 11) * 0.25f;
    }
    return t;
  }

  private static int[] index(int flat, int[] shape) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    return idx;
  }

  /** x's values in row-major order, read one by one. */
  private static float[] values(Tensor x) {
    int n = (int) x.numel();
    float[] r = new float[n];
    for (int i = 0; i < n; i++) {
      r[i] = x.dim() == 0 ? x.item() : x.get(index(i, x.shape()));
    }
    return r;
  }

  @Test
  void copyIntoFromStridedAndSteppedViews() {
    Tensor[] sources = {
        ramp(1, 4, 3).t(), // transposed
        ramp(2, 3, 8).slice(1, 0, 8, 2), // every other column: last dim steps by 2
        ramp(3, 2, 3, 4).permute(2, 0, 1), // rank 3, every dim strided
        ramp(4, 5, 1).expand(5, 3), // a broadcast row
    };
    for (Tensor x : sources) {
      String what = Arrays.toString(x.shape()) + " strides " + Arrays.toString(x.stride());
      Tensor out = Tensor.zeros(x.shape()).fill_(Float.NaN);
      long version = out.version();
      assertSame(out, x.copyInto(out), what);
      assertTrue(out.version() > version, what + ": version");
      assertArrayEquals(values(x), out.toFloatArray(), what);
    }
  }

  /** {@code x @ other} per matrix of the (broadcast) batch, in double. */
  private static float[] matmul(Tensor x, Tensor other) {
    int r = x.dim();
    int m = x.size(-2);
    int k = x.size(-1);
    int n = other.size(-1);
    int[] batch = new int[r - 2];
    for (int d = 0; d < r - 2; d++) {
      batch[d] = Math.max(x.size(d), other.size(d));
    }
    int matrices = Arrays.stream(batch).reduce(1, (a, b) -> a * b);
    float[] out = new float[matrices * m * n];
    int[] xi = new int[r];
    int[] oi = new int[r];
    for (int b = 0; b < matrices; b++) {
      int[] bi = index(b, batch);
      for (int d = 0; d < r - 2; d++) {
        xi[d] = x.size(d) == 1 ? 0 : bi[d];
        oi[d] = other.size(d) == 1 ? 0 : bi[d];
      }
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            xi[r - 2] = i;
            xi[r - 1] = p;
            oi[r - 2] = p;
            oi[r - 1] = j;
            s += (double) x.get(xi) * other.get(oi);
          }
          out[(b * m + i) * n + j] = (float) s;
        }
      }
    }
    return out;
  }

  private static void checkMatmul(String what, Tensor x, Tensor other, Tensor out) {
    float[] want = matmul(x, other);
    out.fill_(Float.NaN);
    long version = out.version();
    assertSame(out, x.matmulInto(other, out), what);
    assertTrue(out.version() > version, what + ": version");
    assertArrayEquals(want, out.contiguous().toFloatArray(), 1e-5f, what);
  }

  @Test
  void matmulIntoStridedOutputs() {
    checkMatmul("2-d, out transposed", ramp(1, 3, 5), ramp(2, 5, 4), Tensor.zeros(4, 3).t());
    checkMatmul("2-d, w.t(), out transposed", ramp(3, 3, 5), ramp(4, 4, 5).t(),
        Tensor.zeros(4, 3).t());
    checkMatmul("batched, out with its heads transposed", ramp(5, 2, 3, 4, 5),
        ramp(6, 2, 3, 5, 2), Tensor.zeros(2, 4, 3, 2).transpose(1, 2));
  }

  @Test
  void batchedMatmulOfOperandsThatCannotBeReadInPlace() {
    checkMatmul("a broadcast batch dim of other", ramp(1, 2, 3, 4, 5), ramp(2, 1, 3, 5, 2),
        Tensor.zeros(2, 3, 4, 2));
    checkMatmul("a broadcast batch dim of x", ramp(3, 2, 1, 4, 5), ramp(4, 2, 3, 5, 2),
        Tensor.zeros(2, 3, 4, 2));
    checkMatmul("x's last dim strided", ramp(5, 2, 3, 5, 4).transpose(-2, -1),
        ramp(6, 2, 3, 5, 2), Tensor.zeros(2, 3, 4, 2));
    checkMatmul("other: neither rows nor columns dense", ramp(7, 2, 3, 4, 5),
        ramp(8, 2, 3, 5, 2, 2).select(4, 0), Tensor.zeros(2, 3, 4, 2));
    checkMatmul("other: dense columns (k.transpose)", ramp(9, 2, 3, 4, 5),
        ramp(10, 2, 3, 2, 5).transpose(-2, -1), Tensor.zeros(2, 3, 4, 2));
    checkMatmul("rank 3, one column", ramp(11, 2, 4, 5), ramp(12, 2, 5, 1),
        Tensor.zeros(2, 4, 1));
    checkMatmul("rank 3, one row of x", ramp(13, 3, 1, 5), ramp(14, 3, 5, 2),
        Tensor.zeros(3, 1, 2));
    checkMatmul("rank 3, k = 1", ramp(15, 2, 4, 1), ramp(16, 2, 1, 3), Tensor.zeros(2, 4, 3));
    checkMatmul("rank 3, k = 1, other strided", ramp(17, 2, 4, 1), ramp(18, 2, 3, 1)
        .transpose(-2, -1), Tensor.zeros(2, 4, 3));
    // empty sizes: zeros for k = 0, nothing for m = 0 or n = 0
    Tensor zk = Tensor.zeros(2, 3, 2).fill_(Float.NaN);
    assertArrayEquals(new float[12], Tensor.zeros(2, 3, 0).matmulInto(Tensor.zeros(2, 0, 2), zk)
        .toFloatArray());
  }

  @Test
  void flattenIntoInt64AndStridedOutputs() {
    long[] ids = new long[24];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 1000L * i - 7;
    }
    Tensor x = Tensor.ofLongs(ids, 2, 3, 4);
    Tensor out = Tensor.ofLongs(new long[24], 2, 12);
    assertSame(out, x.flattenInto(1, 2, out));
    assertArrayEquals(ids, out.toLongArray(), "int64");

    Tensor f = ramp(1, 2, 3, 4);
    Tensor strided = Tensor.zeros(12, 2).t(); // (2, 12), column-major
    long version = strided.version();
    assertSame(strided, f.flattenInto(1, 2, strided));
    assertTrue(strided.version() > version);
    assertArrayEquals(values(f), values(strided), "strided out");
  }
}
