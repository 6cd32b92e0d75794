package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * int64 tensors by hand: storage, views, copies and conversions work as for float32; float
 * ops refuse them naming the op. (Printing is checked against PyTorch in the io tests, on
 * tensors a PyTorch-made file holds.)
 */
class TensorDTypeTest {
  @Test
  void factoriesMakeInt64TensorsAsPyTorchDoes() {
    assertEquals(DType.INT64, Tensor.scalar(5).dtype()); // torch.tensor(5)
    assertEquals(DType.FLOAT32, Tensor.scalar(5f).dtype()); // torch.tensor(5.)
    Tensor s = Tensor.scalar(Long.MIN_VALUE);
    assertEquals(0, s.dim());
    assertEquals(Long.MIN_VALUE, s.longItem());
    assertEquals("tensor(-9223372036854775808)", s.toString());
    Tensor m = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertEquals(6L, m.getLong(1, 2));
    assertEquals(4L, m.getLong(-1, 0));
    assertEquals("tensor([0, 0])", Tensor.zeros(DType.INT64, 2).toString());
    assertEquals(8, DType.INT64.itemSize());
    assertEquals("torch.int64", DType.INT64.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.ofLongs(new long[] {1, 2, 3}, 2, 2));
    assertEquals("shape [2, 2] holds 4 values, the array has 3", e.getMessage());
  }

  @Test
  void viewsShareInt64Storage() {
    Tensor m = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor t = m.t(); // (3, 2), strided
    assertFalse(t.isContiguous());
    assertArrayEquals(new long[] {1, 4, 2, 5, 3, 6}, t.toLongArray());
    assertArrayEquals(new long[] {1, 4, 2, 5, 3, 6}, t.contiguous().longArray());
    assertArrayEquals(new long[] {1, 4, 2, 5, 3, 6}, t.reshape(6).toLongArray());
    t.select(0, 2).setLong(-30, 0); // m[0, 2] = -30 through the view
    assertEquals(-30L, m.getLong(0, 2));
    assertTrue(m.narrow(1, 1, 2).sharesStorageWith(m));
    assertFalse(m.sharesStorageWith(Tensor.ofLongs(1, 2)));
    assertArrayEquals(new long[] {2, -30, 2, -30}, m.select(0, 0).slice(0, 1, 3).unsqueeze(0)
        .expand(2, 2).toLongArray());
    assertEquals("tensor([[  1,   2, -30],\n        [  4,   5,   6]])", m.toString());
  }

  @Test
  void copiesAndConversions() {
    Tensor f = Tensor.of(-1.7f, 2.5f, 3e9f);
    Tensor l = f.to(DType.INT64); // truncates toward zero, as torch's .long()
    assertArrayEquals(new long[] {-1, 2, 3_000_000_000L}, l.toLongArray());
    assertSame(l, l.to(DType.INT64));
    Tensor back = Tensor.ofLongs(1, -2, (1L << 24) + 1).to(DType.FLOAT32);
    assertArrayEquals(new float[] {1f, -2f, 16777216f}, back.toFloatArray()); // nearest float
    Tensor target = Tensor.zeros(DType.INT64, 2, 2);
    long v0 = target.version();
    target.copy_(Tensor.ofLongs(7, 8)); // broadcast over the rows
    assertArrayEquals(new long[] {7, 8, 7, 8}, target.toLongArray());
    assertTrue(target.version() > v0);
    Tensor clone = target.clone();
    assertTrue(clone.contentEquals(target));
    assertFalse(clone.sharesStorageWith(target));
    assertFalse(target.contentEquals(target.to(DType.FLOAT32)), "a float32 copy is not equal");
    Tensor joined = Tensor.concat(List.of(Tensor.ofLongs(1), Tensor.ofLongs(2, 3)), 0);
    assertEquals(DType.INT64, joined.dtype());
    assertArrayEquals(new long[] {1, 2, 3}, joined.toLongArray());
    Tensor out = Tensor.zeros(DType.INT64, 3);
    assertSame(out, joined.copyInto(out));
    assertArrayEquals(new long[] {1, 2, 3}, out.toLongArray());
  }

  @Test
  void floatOpsRefuseInt64NamingTheOp() {
    Tensor l = Tensor.ofLongs(1, 2);
    assertRefused("add", () -> l.add(1f));
    assertRefused("add_", () -> l.add_(Tensor.of(1f, 2f)));
    assertRefused("mul", () -> Tensor.of(1f, 2f).mul(l));
    assertRefused("relu", () -> l.relu());
    assertRefused("relu", () -> l.reluInto(Tensor.zeros(2)));
    assertRefused("sum", () -> l.sum());
    assertRefused("sum", () -> l.sum(0, false));
    assertRefused("max", () -> l.max());
    assertRefused("matmul", () -> l.matmul(l));
    assertRefused("softmax", () -> l.softmax(0));
    assertRefused("array()", () -> l.array());
    assertRefused("get", () -> l.get(0));
    assertRefused("fill_", () -> l.fill_(1f));
    assertRefused("item() (use longItem() for int64)", () -> Tensor.scalar(3).item());
    assertEquals("longArray() needs an int64 tensor, this one is torch.float32; use array()",
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).longArray())
            .getMessage());
    assertEquals("getLong needs an int64 tensor, this one is torch.float32",
        assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).getLong(0))
            .getMessage());
  }

  private static void assertRefused(String op, Executable call) {
    assertEquals(op + " needs a float32 tensor, this one is torch.int64 (convert with "
        + "to(DType.FLOAT32))", assertThrows(IllegalStateException.class, call).getMessage());
  }
}
