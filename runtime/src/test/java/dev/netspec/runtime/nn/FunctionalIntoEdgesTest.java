package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link Functional#geluInto} on every layout (each returns {@code out} and bumps its
 * version), and the functional convolution and pooling forms, by hand.
 */
class FunctionalIntoEdgesTest {
  /** GELU with the tanh approximation, in double. */
  private static float tanhGelu(double x) {
    return (float) (0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
  }

  @Test
  void geluIntoOnEveryLayout() {
    float[] xs = {-2f, -1f, -0.5f, 0f, 0.5f, 1f, 2f, 3f};
    float[] tanh = new float[xs.length];
    for (int i = 0; i < xs.length; i++) {
      tanh[i] = tanhGelu(xs[i]);
    }
    Tensor x = Tensor.of(xs).view(2, 4);
    Tensor[] outs = {Tensor.zeros(2, 4), Tensor.zeros(4, 2).t(), x.clone()};
    for (Tensor out : outs) {
      out.fill_(Float.NaN);
      long version = out.version();
      assertSame(out, Functional.geluInto(x, "tanh", out));
      assertTrue(out.version() > version);
      assertArrayEquals(tanh, out.contiguous().toFloatArray(), 1e-6f, "tanh");
    }
    Tensor self = x.clone();
    assertSame(self, Functional.geluInto(self, "tanh", self));
    assertArrayEquals(tanh, self.toFloatArray(), 1e-6f, "in place");
    Tensor strided = Tensor.of(xs).view(4, 2).t(); // (2, 4): 2 and 4 columns swapped
    Tensor so = Tensor.zeros(2, 4);
    Functional.geluInto(strided, "tanh", so);
    assertArrayEquals(new float[] {tanh[0], tanh[2], tanh[4], tanh[6], tanh[1], tanh[3], tanh[5],
        tanh[7]}, so.toFloatArray(), 1e-6f, "strided x");
    // exact GELU x * Phi(x): Phi(1) = 0.8413447, Phi(2) = 0.9772499 (normal tables)
    Tensor exact = Tensor.zeros(4);
    assertSame(exact, Functional.geluInto(Tensor.of(-2f, -1f, 1f, 2f), "none", exact));
    assertArrayEquals(new float[] {-2 * (1 - 0.9772499f), -(1 - 0.8413447f), 0.8413447f,
        2 * 0.9772499f}, exact.toFloatArray(), 1e-6f, "none");
  }

  @Test
  void functionalConvolutionAndPoolingByHand() {
    // x: 1..16 as one 4x4 image
    float[] v = new float[16];
    for (int i = 0; i < 16; i++) {
      v[i] = i + 1;
    }
    Tensor x = Tensor.of(v).view(1, 1, 4, 4);
    // a 2x2 kernel of ones and bias 1: each output is the window's sum plus 1
    Tensor y = Functional.conv2d(x, Tensor.ones(1, 1, 2, 2), Tensor.of(1f));
    assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
    assertArrayEquals(new float[] {15, 19, 23, 31, 35, 39, 47, 51, 55}, y.toFloatArray());
    Tensor max = Functional.maxPool2d(x, 2);
    assertArrayEquals(new float[] {6, 8, 14, 16}, max.toFloatArray());
    Tensor avg = Functional.avgPool2d(x, 2);
    assertArrayEquals(new float[] {3.5f, 5.5f, 11.5f, 13.5f}, avg.toFloatArray());
  }
}
