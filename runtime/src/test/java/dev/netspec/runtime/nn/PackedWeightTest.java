package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.PackedMatrix;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The zero-allocation linear path: hand-computed values, and refresh after every kind of edit. */
class PackedWeightTest {
  // W = [[1, 2], [3, -4], [0, 1]] (out=3, in=2), b = [0.5, 0, -1], x = [[1, 1], [2, -1]]
  // x @ W.T = [[3, -1, 1], [0, 10, -1]]; + b = [[3.5, -1, 0], [0.5, 10, -2]]
  private final Tensor weight = Tensor.of(new float[][] {{1, 2}, {3, -4}, {0, 1}});
  private final Tensor bias = Tensor.of(0.5f, 0, -1);
  private final Tensor x = Tensor.of(new float[][] {{1, 1}, {2, -1}});

  @Test
  void linearIntoWritesTheFusedResultIntoTheCallersBuffer() {
    PackedWeight packed = new PackedWeight();
    Tensor out = Tensor.zeros(2, 3);
    assertSame(out, Functional.linearInto(x, weight, bias, Activation.NONE, packed, out));
    assertArrayEquals(new float[] {3.5f, -1, 0, 0.5f, 10, -2}, out.toFloatArray());
    Functional.linearInto(x, weight, bias, Activation.RELU, packed, out);
    assertArrayEquals(new float[] {3.5f, 0, 0, 0.5f, 10, 0}, out.toFloatArray());
    Functional.linearInto(x, weight, null, Activation.NONE, packed, out);
    assertArrayEquals(new float[] {3, -1, 1, 0, 10, -1}, out.toFloatArray());
  }

  @Test
  void packedWeightFollowsInPlaceEditsAndNewTensors() {
    PackedWeight packed = new PackedWeight();
    Tensor out = Tensor.zeros(2, 3);
    Functional.linearInto(x, weight, null, Activation.NONE, packed, out);
    weight.add_(1f); // weight.data[:] += 1: x @ W.T grows by the row sums of x (2 and 1)
    Functional.linearInto(x, weight, null, Activation.NONE, packed, out);
    assertArrayEquals(new float[] {5, 1, 3, 1, 11, 0}, out.toFloatArray());
    weight.select(0, 1).fill_(0f); // an edit through a view: row 1 of W is now zero
    Functional.linearInto(x, weight, null, Activation.NONE, packed, out);
    assertArrayEquals(new float[] {5, 0, 3, 1, 0, 0}, out.toFloatArray());
    weight.set(7f, 2, 0);
    Functional.linearInto(x, weight, null, Activation.NONE, packed, out);
    assertArrayEquals(new float[] {5, 0, 9, 1, 0, 12}, out.toFloatArray());
    weight.array()[0] = 0; // a raw write, announced
    weight.bumpVersion();
    Functional.linearInto(x, weight, null, Activation.NONE, packed, out);
    assertArrayEquals(new float[] {3, 0, 9, -3, 0, 12}, out.toFloatArray());
    Tensor other = Tensor.of(new float[][] {{1, 0}, {0, 1}}); // another weight, another shape
    Tensor out2 = Tensor.zeros(2, 2);
    Functional.linearInto(x, other, null, Activation.NONE, packed, out2);
    assertArrayEquals(new float[] {1, 1, 2, -1}, out2.toFloatArray());
  }

  @Test
  void linearLayerSeesEditsOfItsParameters() {
    Linear layer = new Linear(2, 3);
    layer.weight.data().copy_(weight);
    layer.bias.data().copy_(bias);
    assertArrayEquals(new float[] {3.5f, -1, 0, 0.5f, 10, -2}, layer.forward(x).toFloatArray());
    layer.weight.data().add_(1f); // net[0].weight.data[:] += 1
    assertArrayEquals(new float[] {5.5f, 1, 2, 1.5f, 11, -1}, layer.forward(x).toFloatArray());
    layer.weight.setData(Tensor.zeros(3, 2)); // a new tensor: the cache follows it
    Tensor out = Tensor.zeros(2, 3);
    assertSame(out, layer.forwardInto(x, Activation.RELU, out));
    assertArrayEquals(new float[] {0.5f, 0, 0, 0.5f, 0, 0}, out.toFloatArray());
  }

  @Test
  void linearIntoRejectsAnOutputOfTheWrongShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Functional.linearInto(x, weight, bias, Activation.NONE, new PackedWeight(),
            Tensor.zeros(3, 3)));
    assertEquals("linear: output of shape [3, 3] does not hold the result for input [2, 2]"
        + " and weight [3, 2]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Functional.linearInto(x, weight, bias, Activation.NONE, new PackedWeight(), x));
    assertEquals("linear: output of shape [2, 2] does not hold the result for input [2, 2]"
        + " and weight [3, 2]", e.getMessage());
  }

  @Test
  void linearIntoMatchesADoubleLoopOnABatchOfManyRows() {
    Tensor w = Tensor.arange(0, 37 * 45, 1).to(DType.FLOAT32).reshape(37, 45).mul(0.001f)
        .sub(0.5f);
    Tensor b = Tensor.arange(37).to(DType.FLOAT32).mul(0.1f);
    Tensor input = Tensor.arange(0, 3 * 5 * 45, 1).to(DType.FLOAT32).reshape(3, 5, 45)
        .map(Math::cos);
    Tensor out = Tensor.zeros(3, 5, 37);
    Functional.linearInto(input, w, b, Activation.RELU, new PackedWeight(), out);
    for (int i = 0; i < 3; i++) {
      for (int r = 0; r < 5; r++) {
        for (int j = 0; j < 37; j++) {
          double acc = b.get(j);
          for (int p = 0; p < 45; p++) {
            acc += (double) input.get(i, r, p) * w.get(j, p);
          }
          assertEquals(Math.max(acc, 0), out.get(i, r, j), 1e-5, "out[" + i + ", " + r + ", " + j + "]");
        }
      }
    }
  }

  @Test
  void onePackedMatrixIsKeptAndRepackedInPlaceWhileTheShapeHolds() {
    PackedWeight packed = new PackedWeight();
    PackedMatrix first = packed.of(weight);
    assertEquals(2, first.rows(), "op(B) = W.T: in_features rows");
    assertEquals(3, first.columns());
    assertSame(first, packed.of(weight), "unchanged: the same packing");
    weight.add_(1f);
    assertSame(first, packed.of(weight), "edited in place: repacked into the same matrix");
    Tensor wider = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}}); // (out 2, in 3)
    PackedMatrix second = packed.of(wider);
    assertNotSame(first, second, "another shape: a new matrix");
    assertEquals(3, second.rows());
    assertEquals(2, second.columns());
    assertSame(second, packed.of(wider));
  }
}
