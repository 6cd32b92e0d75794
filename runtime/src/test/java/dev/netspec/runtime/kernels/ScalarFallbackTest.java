package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs in a second surefire execution whose JVM lacks {@code --add-modules
 * jdk.incubator.vector} (tag {@code no-vector-module}; excluded from the normal run): the
 * kernels must notice, fall back to scalar loops and still compute correctly.
 */
@Tag("no-vector-module")
class ScalarFallbackTest {
  @Test
  void withoutTheModuleTheScalarBackendRuns() {
    assertTrue(ModuleLayer.boot().findModule(Backends.VECTOR_MODULE).isEmpty(),
        "this test must run in a JVM without " + Backends.VECTOR_MODULE);
    assertEquals("scalar", Kernels.backend());
    float[] a = {1, 2, 3, 4, 5, 6};
    float[] bt = {1, 0, -1, -1, 2, 1}; // B^T, B = [[1, -1], [0, 2], [-1, 1]]
    float[] c = new float[4];
    Kernels.gemm(2, 2, 3, a, 0, 3, bt, 0, 3, true, c, 0, 2, new float[] {1, 1}, 0,
        Activation.RELU);
    assertArrayEquals(new float[] {0, 7, 0, 13}, c);
    // The same product with B packed once: 2 columns, a half-wide panel (row stride 8).
    PackedMatrix packed = PackedMatrix.pack(3, 2, bt, 0, 3, true);
    assertEquals(8, packed.panelStride(0));
    float[] d = new float[4];
    Kernels.gemm(2, a, 0, 3, packed, d, 0, 2, new float[] {1, 1}, 0, Activation.RELU);
    assertArrayEquals(new float[] {0, 7, 0, 13}, d);
    assertEquals(21f, Kernels.sum(a, 0, 6));
    // A reduction of 100 against 2 columns is packed for dot products; by hand: rows of A all
    // 1 and all 2, columns of B all 1 and 0, 1, ..., 99 (sums 100 and 4950), bias 1.
    int k = 100;
    float[] x = new float[2 * k];
    float[] w = new float[2 * k]; // (2, k)
    for (int p = 0; p < k; p++) {
      x[p] = 1;
      x[k + p] = 2;
      w[p] = 1;
      w[k + p] = p;
    }
    PackedMatrix dots = PackedMatrix.pack(k, 2, w, 0, k, true);
    assertTrue(dots.isDotPanel(0));
    float[] y = new float[4];
    Kernels.gemm(2, x, 0, k, dots, y, 0, 2, new float[] {1, 1}, 0, Activation.NONE);
    assertArrayEquals(new float[] {101, 4951, 201, 9901}, y);
    // A 2x2 convolution of a 3x3 image, 2 filters (all ones; 1 and -1 on the diagonal),
    // biases 0.5 and -1, ReLU: window sums 12, 16, 24, 28; diagonals 1-5, 2-6, 4-8, 5-9.
    ConvGeometry g = new ConvGeometry(1, 1, 3, 3, 2, 2, 2, 1, 1, 0, 0, 1, 1, 1, 2, 2);
    float[] image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] filters = {1, 1, 1, 1, 1, 0, 0, -1};
    float[] biases = {0.5f, -1};
    float[] out = new float[8];
    Convolution.conv2d(g, image, 0, filters, 0, biases, 0,
        Convolution.Filters.pack(g, filters, 0, biases, 0), Activation.RELU, out, 0,
        new Convolution.Workspace());
    assertArrayEquals(new float[] {12.5f, 16.5f, 24.5f, 28.5f, 0, 0, 0, 0}, out);
    // Depthwise, 2 channels, a 1x2 kernel (1, -1) and (2, 0), no bias: x[w] - x[w + 1], 2x[w].
    ConvGeometry dw = new ConvGeometry(1, 2, 1, 3, 2, 1, 2, 1, 1, 0, 0, 1, 1, 2, 1, 2);
    float[] depth = new float[4];
    Kernels.depthwiseConv2d(dw, new float[] {1, 4, 2, 3, 5, 7}, 0, new float[] {1, -1, 2, 0},
        0, null, 0, Activation.NONE, depth, 0);
    assertArrayEquals(new float[] {-3, 2, 6, 10}, depth);
  }
}
