package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The small print of Tensor's public API, with hand-computed values: in-place ops return
 * the tensor and grow its version (as PyTorch's {@code _version}), int64 accessors refuse
 * floats, the element-wise pairs, {@code mm}, {@code allclose}, and the autograd accessors.
 */
class TensorApiTest {
  /** Each in-place op returns its receiver and grows the version once or more. */
  @Test
  void inPlaceOpsReturnTheTensorAndGrowTheVersion() {
    Tensor t = Tensor.of(1f, 2f, 4f);
    Tensor two = Tensor.of(2f, 2f, 2f);
    String[] names = {"fill_", "zero_", "add_ t", "add_ s", "sub_ t", "sub_ s", "mul_ t",
        "mul_ s", "div_ t", "div_ s", "set", "mapInPlace", "zipInPlace", "copy_"};
    java.util.List<java.util.function.Supplier<Tensor>> ops = java.util.List.of(
        () -> t.fill_(3f), () -> t.zero_(), () -> t.add_(two), () -> t.add_(1f),
        () -> t.sub_(two), () -> t.sub_(1f), () -> t.mul_(two), () -> t.mul_(3f),
        () -> t.div_(two), () -> t.div_(4f), () -> t.set(5f, 1), () -> t.mapInPlace(v -> v + 1),
        () -> t.zipInPlace(two, (a, b) -> a * b), () -> t.copy_(Tensor.of(7f, 8f, 9f)));
    for (int i = 0; i < ops.size(); i++) {
      long version = t.version();
      assertSame(t, ops.get(i).get(), names[i]);
      assertTrue(t.version() > version, names[i] + ": version");
    }
    assertArrayEquals(new float[] {7, 8, 9}, t.toFloatArray());
    // the values after each step, by hand: 3 -> 0 -> 2 -> 3 -> 1 -> 0 -> 0 -> 0 -> 0 -> 0
    Tensor u = Tensor.of(1f, -2f);
    u.fill_(3f).add_(Tensor.of(1f, 2f)).sub_(0.5f).mul_(Tensor.of(2f, -1f)).div_(Tensor.of(7f, 1.5f));
    assertArrayEquals(new float[] {1f, -3f}, u.toFloatArray());
    u.add_(1f).mul_(0.5f).sub_(Tensor.of(1f, 0f)).div_(0.25f);
    assertArrayEquals(new float[] {0f, -4f}, u.toFloatArray());
    Tensor longs = Tensor.ofLongs(new long[] {4, 5, 6}, 3);
    long version = longs.version();
    assertSame(longs, longs.setLong(-1, 2));
    assertTrue(longs.version() > version);
    assertArrayEquals(new long[] {4, 5, -1}, longs.toLongArray());
    assertEquals(5L, Tensor.scalar(5L).longItem());
    assertThrows(IllegalStateException.class, () -> Tensor.of(1f).setLong(1, 0));
    assertThrows(IllegalStateException.class, () -> Tensor.scalar(1f).longItem());
    // zipInPlace broadcasts the other operand over this one
    Tensor m = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    m.zipInPlace(Tensor.of(10f, 20f), (a, b) -> a + b);
    assertArrayEquals(new float[] {11, 22, 13, 24}, m.toFloatArray());
    Tensor strided = Tensor.of(new float[][] {{1, 2}, {3, 4}}).t();
    strided.mapInPlace(v -> v * 10);
    assertArrayEquals(new float[] {10, 30, 20, 40}, strided.contiguous().toFloatArray());
    Tensor st = Tensor.of(new float[][] {{1, 2}, {3, 4}}).t();
    st.zipInPlace(Tensor.of(1f, 2f), (a, b) -> a * b);
    assertArrayEquals(new float[] {1, 6, 2, 8}, st.contiguous().toFloatArray());
  }

  @Test
  void viewsAndShapes() {
    Tensor x = Tensor.arange(12).to(DType.FLOAT32).reshape(3, 4);
    assertArrayEquals(new float[] {5, 6}, x.narrow(1, 1, 2).select(0, 1).toFloatArray());
    assertArrayEquals(new float[] {9, 10, 11}, x.select(0, 2).narrow(0, 1, 3).toFloatArray());
    assertEquals(4, x.stride(0));
    assertEquals(1, x.stride(1));
    assertEquals(1, x.t().stride(0));
    Tensor one = x.narrow(0, 1, 1); // (1, 4)
    assertArrayEquals(new int[] {4}, one.squeeze(0).shape());
    assertArrayEquals(new int[] {1, 4}, one.squeeze(1).shape(), "size 4: unchanged");
    assertSame(x, x.squeeze(0), "nothing to squeeze: the tensor itself");
    assertArrayEquals(new float[] {4, 5, 6, 7}, one.squeeze(0).toFloatArray());
    Tensor col = x.t(); // (4, 3), not contiguous: reshape copies
    Tensor r = col.reshape(12);
    assertFalse(r.sharesStorageWith(x));
    assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, r.toFloatArray());
    assertTrue(x.reshape(2, 6).sharesStorageWith(x), "contiguous: a view");
    // contiguous(): the tensor itself only when it covers its whole storage from 0
    assertSame(x, x.contiguous());
    Tensor tail = x.reshape(12).narrow(0, 4, 8);
    assertTrue(tail.isContiguous());
    Tensor c = tail.contiguous();
    assertFalse(c.sharesStorageWith(x), "an offset view is copied");
    assertEquals(8, c.array().length);
    Tensor head = x.reshape(12).narrow(0, 0, 8);
    assertFalse(head.contiguous().sharesStorageWith(x), "a view of part of the storage");
    assertEquals(22f, tail.narrow(0, 0, 4).sumAsFloat(), "4 + 5 + 6 + 7, a view");
    assertEquals(18f, x.t().select(0, 2).sumAsFloat(), "2 + 6 + 10, strided");
    assertEquals(0, Tensor.empty(0, 3).numel());
    assertArrayEquals(new int[] {2, 3}, Tensor.empty(2, 3).shape());
  }

  @Test
  void elementwisePairsAndComparisons() {
    Tensor a = Tensor.of(1f, -2f, 3f, Float.NaN);
    Tensor b = Tensor.of(2f, -3f, 3f, 0f);
    assertArrayEquals(new float[] {2f, -2f, 3f, Float.NaN}, a.maximum(b).toFloatArray());
    assertArrayEquals(new float[] {1f, -3f, 3f, Float.NaN}, a.minimum(b).toFloatArray());
    Tensor base = Tensor.of(2f, 9f, 4f);
    assertArrayEquals(new float[] {8f, 3f, 1f},
        base.pow(Tensor.of(3f, 0.5f, 0f)).toFloatArray());
    assertArrayEquals(new float[] {4f, 81f, 16f}, base.pow(2f).toFloatArray());
    assertArrayEquals(new float[] {3f, 10f, 5f}, base.zip(Tensor.scalar(1f), Double::sum)
        .toFloatArray());
    assertTrue(base.allclose(Tensor.of(2f, 9f, 4f), 0, 0));
    assertTrue(base.allclose(Tensor.of(2.1f, 9f, 4f), 0, 0.11));
    assertFalse(base.allclose(Tensor.of(2.1f, 9f, 4f), 0, 0.09));
    assertTrue(base.allclose(Tensor.of(2f, 9.5f, 4f), 0.06, 0), "rtol scales |other|");
    assertFalse(base.allclose(Tensor.of(2f, 9.5f, 4f), 0.05, 0));
    assertFalse(base.allclose(Tensor.of(2f, 9f), 1, 1), "shapes differ");
    assertFalse(Tensor.of(Float.NaN).allclose(Tensor.of(1f), 1e9, 1e9));
    assertFalse(Tensor.of(1f).allclose(Tensor.of(Float.NaN), 1e9, 1e9));
    Tensor m = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    assertArrayEquals(new float[] {5, 11}, m.mm(Tensor.of(new float[][] {{1}, {2}}))
        .toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> m.mm(Tensor.of(1f, 2f)));
    assertThrows(IllegalArgumentException.class, () -> Tensor.of(1f, 2f).mm(m));
  }

  /** d(sum(x * x))/dx = 2x, by hand; leaves and results as PyTorch tells them apart. */
  @Test
  void autogradAccessors() {
    Tensor x = Tensor.of(1f, -2f, 0.5f);
    assertFalse(x.requiresGrad());
    assertSame(x, x.requiresGrad_(true));
    assertTrue(x.requiresGrad());
    assertTrue(x.isLeaf());
    assertNull(x.gradFn());
    assertNull(x.grad());
    Tensor y = x.mul(x).sum();
    assertTrue(y.requiresGrad());
    assertFalse(y.isLeaf());
    assertNotNull(y.gradFn());
    assertNotNull(y.autogradMeta());
    y.backward();
    assertArrayEquals(new float[] {2f, -4f, 1f}, x.grad().toFloatArray());
    Tensor z = x.mul(3f);
    z.backward(Tensor.of(1f, 1f, 2f));
    assertArrayEquals(new float[] {5f, -1f, 7f}, x.grad().toFloatArray(), "accumulated");
    assertThrows(RuntimeException.class, () -> x.add_(1f), "in-place on a leaf that needs grad");
    assertFalse(x.requiresGrad_(false).requiresGrad());
    assertTrue(Tensor.of(1f).isLeaf());
  }
}
