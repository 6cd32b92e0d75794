package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@code Elementwise}'s walk in blocks over operands broadcast in a middle dim (stride 0
 * between dense dims), along the last dim, and over transposed views: each element against
 * the sum or product worked out from the operands' own arrays, by index.
 */
class ElementwiseBlocksTest {
  private static float[] ramp(int n, float first, float step) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = first + step * i;
    }
    return v;
  }

  @Test
  void operandsBroadcastInAMiddleDimOrAlongTheLastOne() {
    float[] xs = ramp(24, 1, 1);
    float[] ys = ramp(8, -3, 0.5f);
    Tensor x = Tensor.of(xs).view(2, 3, 4);
    Tensor middle = Tensor.of(ys).view(2, 1, 4); // expanded: strides (4, 0, 1)
    float[] sum = x.add(middle).toFloatArray();
    float[] back = middle.mul(x).toFloatArray(); // the broadcast one first
    Tensor inPlace = Tensor.of(xs.clone()).view(2, 3, 4).add_(middle);
    for (int b = 0; b < 2; b++) {
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 4; c++) {
          int i = b * 12 + r * 4 + c;
          float y = ys[b * 4 + c];
          assertEquals(xs[i] + y, sum[i], "add at " + i);
          assertEquals(y * xs[i], back[i], "mul at " + i);
          assertEquals(xs[i] + y, inPlace.toFloatArray()[i], "add_ at " + i);
        }
      }
    }
    Tensor column = Tensor.of(ys).narrow(0, 0, 6).view(2, 3, 1); // along the last dim: strides (3, 1, 0)
    float[] prod = x.mul(column).toFloatArray();
    Tensor copied = Tensor.zeros(2, 3, 4).copy_(column.expand(2, 3, 4));
    for (int i = 0; i < 24; i++) {
      assertEquals(xs[i] * ys[i / 4], prod[i], "mul by a column at " + i);
      assertEquals(ys[i / 4], copied.toFloatArray()[i], "copy of a column at " + i);
    }
  }

  @Test
  void transposedOperands() {
    float[] xs = ramp(12, 2, 1.5f);
    float[] ys = ramp(12, 0.25f, -1);
    Tensor xt = Tensor.of(xs).view(4, 3).t(); // (3, 4): x[i][j] = xs[j * 3 + i]
    Tensor y = Tensor.of(ys).view(3, 4);
    Tensor row = Tensor.of(ys).narrow(0, 0, 4); // broadcast over the rows
    float[] sum = xt.add(y).toFloatArray();
    float[] diff = xt.sub(row).toFloatArray();
    float[] yx = y.sub(xt).toFloatArray();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        float xv = xs[j * 3 + i];
        assertEquals(xv + ys[i * 4 + j], sum[i * 4 + j], "add at " + i + "," + j);
        assertEquals(xv - ys[j], diff[i * 4 + j], "sub a row at " + i + "," + j);
        assertEquals(ys[i * 4 + j] - xv, yx[i * 4 + j], "sub at " + i + "," + j);
      }
    }
  }
}
