package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tutorial's tensor idioms and the strided paths, with hand-computed expectations. */
class TensorTest {
  private static Tensor weight() {
    // 3 x 4: row i is [4i, 4i+1, 4i+2, 4i+3] - 5
    return Tensor.arange(12).to(DType.FLOAT32).sub(5f).reshape(3, 4);
  }

  @Test
  void tutorialEditsHaveDirectEquivalents() {
    Tensor w = weight();
    w.add_(1f); // weight.data[:] += 1
    w.set(42f, 0, 0); // weight.data[0, 0] = 42
    assertEquals("tensor([42., -3., -2., -1.])", w.select(0, 0).toString());
    Tensor firstTwo = w.slice(0, 0, 2); // net[0].weight[:2]
    assertArrayEquals(new int[] {2, 4}, firstTwo.shape());
    assertTrue(firstTwo.sharesStorageWith(w));
    w.mul_(w.abs().ge(5f)); // m.weight.data *= m.weight.data.abs() >= 5
    assertArrayEquals(new float[] {42, -0f, -0f, -0f, 0, 0, 0, 0, 0, 5, 6, 7}, w.toFloatArray());
    assertEquals("tensor([[42., -0., -0., -0.],\n        [ 0.,  0.,  0.,  0.],\n"
        + "        [ 0.,  5.,  6.,  7.]])", w.toString());
  }

  @Test
  void shapesCompareWithoutCopies() {
    Tensor w = weight(); // 3 x 4
    assertTrue(w.hasShape(3, 4));
    assertFalse(w.hasShape(4, 3));
    assertFalse(w.hasShape(3, 4, 1));
    assertFalse(w.hasShape(12));
    assertTrue(w.t().hasShape(4, 3));
    assertTrue(Tensor.scalar(5f).hasShape()); // 0-dim
    assertTrue(w.sameShape(Tensor.zeros(3, 4)));
    assertFalse(w.sameShape(w.t()));
    assertFalse(w.sameShape(w.reshape(3, 4, 1)));
  }

  @Test
  void inPlaceOpsOnViewsEditTheOriginal() {
    Tensor w = weight();
    w.t().slice(0, 1, 3).mul_(10f); // columns 1 and 2, through a transposed view
    assertArrayEquals(new float[] {-5, -40, -30, -2, -1, 0, 10, 2, 3, 40, 50, 6},
        w.toFloatArray());
    w.select(1, 3).add_(Tensor.of(100f, 200f, 300f)); // column 3
    assertArrayEquals(new float[] {98, 202, 306}, w.select(1, 3).toFloatArray());
  }

  @Test
  void broadcastingOnStridedOperands() {
    Tensor col = Tensor.of(1f, 2f, 3f).unsqueeze(1); // (3, 1)
    Tensor row = Tensor.of(10f, 20f); // (2)
    assertArrayEquals(new float[] {9, 19, 8, 18, 7, 17}, row.sub(col).toFloatArray());
    assertArrayEquals(new float[] {-9, -19, -8, -18, -7, -17}, col.sub(row).toFloatArray());
    Tensor wt = weight().t(); // (4, 3), not contiguous
    Tensor bias = Tensor.of(1f, 2f, 3f);
    assertArrayEquals(new float[] {-4, 1, 6, -3, 2, 7, -2, 3, 8, -1, 4, 9},
        wt.add(bias).toFloatArray());
    Tensor copy = Tensor.zeros(2, 3);
    copy.copy_(bias);
    assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, copy.toFloatArray());
  }

  @Test
  void reductionsAndArgmax() {
    Tensor w = weight(); // [[-5,-4,-3,-2],[-1,0,1,2],[3,4,5,6]]
    assertEquals(6f, w.sum().item());
    assertEquals(0.5f, w.mean().item());
    assertEquals(-5f, w.min().item());
    assertArrayEquals(new float[] {-3, 0, 3, 6}, w.sum(0, false).toFloatArray());
    assertArrayEquals(new float[] {-2, 2, 6}, w.t().max(0, false).toFloatArray());
    assertArrayEquals(new int[] {3, 1}, w.min(1, true).shape());
    assertEquals(11f, w.argmax().item());
    assertArrayEquals(new float[] {2, 2, 2, 2}, w.argmax(0, false).toFloatArray());
    assertEquals(0f, Tensor.zeros(0).sum().item());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Tensor.zeros(0, 3).max());
    assertEquals("max() of an empty tensor", e.getMessage());
  }

  @Test
  void matmulOnTransposedAndBroadcastOperands() {
    Tensor a = Tensor.of(new float[][] {{1, 2}, {3, 4}});
    Tensor b = Tensor.of(new float[][] {{5, 6}, {7, 8}});
    // a @ b = [[19, 22], [43, 50]]; a @ b.T = [[17, 23], [39, 53]]; a.T @ b = [[26, 30], [38, 44]]
    assertArrayEquals(new float[] {19, 22, 43, 50}, a.matmul(b).toFloatArray());
    assertArrayEquals(new float[] {17, 23, 39, 53}, a.matmul(b.t()).toFloatArray());
    assertArrayEquals(new float[] {26, 30, 38, 44}, a.t().matmul(b).toFloatArray());
    Tensor batch = Tensor.concat(List.of(a.unsqueeze(0), b.unsqueeze(0)), 0); // (2, 2, 2)
    Tensor v = Tensor.of(1f, -1f);
    assertArrayEquals(new float[] {-1, -1, -1, -1}, batch.matmul(v).toFloatArray());
    assertArrayEquals(new int[] {2, 2}, batch.matmul(v).shape());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> a.matmul(Tensor.ones(3, 2)));
    assertEquals("matmul: shapes [2, 2] and [3, 2] cannot be multiplied (2 != 3)",
        e.getMessage());
  }

  @Test
  void geluIsExact() {
    // GELU(1) = 0.5 * (1 + erf(1/sqrt(2))) = 0.8413447460685429 (Phi(1))
    assertEquals(0.8413447460685429, Tensor.of(1f).gelu().item(), 1e-7);
    assertEquals(0.8427007929497149, dev.netspec.runtime.kernels.Erf.erf(1.0), 1e-15);
    assertEquals(0.9999779095030014, dev.netspec.runtime.kernels.Erf.erf(3.0), 1e-15);
    assertEquals(-0.9953222650189527, dev.netspec.runtime.kernels.Erf.erf(-2.0), 1e-15);
  }

  @Test
  void reluKeepsNaNAsPyTorchDoes() {
    assertTrue(Float.isNaN(Tensor.of(Float.NaN).relu().item()));
  }

  /**
   * An empty tensor is contiguous, whatever its strides, as in PyTorch 1.13
   * ({@code torch.zeros(5, 0)}: strides (1, 1), contiguous, and so is its {@code .t()}); it was
   * refused by {@code array()} and sent the into-forms down their allocating paths.
   */
  @Test
  void emptyTensorsAreContiguousAsInPyTorch() {
    Tensor a = Tensor.zeros(5, 0);
    assertTrue(a.isContiguous());
    assertArrayEquals(new int[] {1, 1}, a.stride());
    assertTrue(a.t().isContiguous());
    assertArrayEquals(new int[] {3, 1}, Tensor.zeros(0, 3).stride());
    assertEquals(0, a.array().length);
    Tensor out = Tensor.zeros(2, 0);
    assertTrue(out == Tensor.zeros(2, 0).softmaxInto(-1, out));
    assertArrayEquals(new int[] {0, 5}, a.t().contiguous().shape());
  }

  @Test
  void softmaxOfAnEmptyTensorIsEmptyAlongAnyDim() {
    // PyTorch 1.13: torch.softmax(torch.zeros(2, 0), 0) and (..., 1) are both of size [2, 0]
    Tensor z = Tensor.zeros(2, 0);
    for (int dim : new int[] {0, 1, -2}) {
      assertArrayEquals(new int[] {2, 0}, z.softmax(dim).shape(), "softmax dim " + dim);
      assertArrayEquals(new int[] {2, 0}, z.logSoftmax(dim).shape(), "log_softmax dim " + dim);
    }
    assertThrows(IndexOutOfBoundsException.class, () -> z.softmax(2));
  }
}
