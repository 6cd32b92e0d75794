package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused LSTM step ({@link Kernels#lstmStep}) against the unfused one, the GEMM into a
 * buffer then {@link Kernels#lstmCell} per row in PyTorch's gate order (itself tested against
 * PyTorch through {@code RnnParityTest}): the same floats, bit for bit, for the new cell and
 * hidden states and the activated gates, with the weights, biases and gates permuted into the
 * fused layout by this test's own index formula. Batches of 1 to 17 rows (4-row tiles and single
 * rows), strided and offset operands. Only where the backend has a fused step (512-bit vectors).
 */
class LstmStepTest {
  /** Row {@code r} of the fused layout is PyTorch's row {@code q n + u B + j}. */
  private static int pytorchRow(int r, int n, int block) {
    int u = r / (4 * block);
    int q = (r / block) % 4;
    int j = r % block;
    return q * n + u * block + j;
  }

  private static float[] random(Random rnd, int size, double spread) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) (spread * rnd.nextGaussian());
    }
    return x;
  }

  @Test
  void fusedStepMatchesTheGemmAndTheCellBitForBit() {
    int block = Kernels.lstmBlock();
    assumeTrue(block > 0, "no fused LSTM step on " + Kernels.backend());
    Random rnd = new Random(14);
    for (int n : new int[] {block, 2 * block, 256}) {
      for (int batch : new int[] {1, 2, 4, 5, 6, 16, 17}) {
        for (boolean bias : new boolean[] {true, false}) {
          check(rnd, n, batch, bias, block);
        }
      }
    }
  }

  private static void check(Random rnd, int n, int batch, boolean withBias, int block) {
    String what = "n=" + n + " batch=" + batch + " bias=" + withBias;
    int g = 4 * n;
    float[] whh = random(rnd, g * n, 1 / Math.sqrt(n)); // (4n, n), PyTorch's layout
    float[] bhh = withBias ? random(rnd, g, 0.5) : null;
    int hpStride = n + 3;
    int gxStride = g + 5;
    int cStride = n + 1;
    int hStride = n + 7;
    float[] hp = random(rnd, 2 + batch * hpStride, 1);
    float[] gx = random(rnd, 1 + batch * gxStride, 2);
    float[] c = random(rnd, 3 + batch * cStride, 1);

    // The unfused step, PyTorch's order.
    float[] hg = new float[batch * g];
    Kernels.gemm(batch, hp, 2, hpStride, PackedMatrix.pack(n, g, whh, 0, n, true), hg, 0, g,
        bhh, 0, Activation.NONE);
    float[] gates = gx.clone();
    float[] cRef = c.clone();
    float[] hRef = new float[4 + batch * hStride];
    for (int b = 0; b < batch; b++) {
      Kernels.lstmCell(n, gates, 1 + b * gxStride, hg, b * g, cRef, 3 + b * cStride, hRef,
          4 + b * hStride);
    }

    // The fused step, everything of 4n permuted.
    float[] whhFused = new float[g * n];
    float[] bhhFused = withBias ? new float[g + 2] : null;
    float[] gxFused = gx.clone();
    for (int r = 0; r < g; r++) {
      int src = pytorchRow(r, n, block);
      System.arraycopy(whh, src * n, whhFused, r * n, n);
      if (withBias) {
        bhhFused[2 + r] = bhh[src];
      }
      for (int b = 0; b < batch; b++) {
        gxFused[1 + b * gxStride + r] = gx[1 + b * gxStride + src];
      }
    }
    float[] cFused = c.clone();
    float[] hFused = new float[4 + batch * hStride];
    Kernels.lstmStep(batch, hp, 2, hpStride, PackedMatrix.pack(n, g, whhFused, 0, n, true),
        bhhFused, 2, gxFused, 1, gxStride, cFused, 3, cStride, hFused, 4, hStride);

    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < n; j++) {
        assertBits(what + " c[" + b + "][" + j + "]", cRef[3 + b * cStride + j],
            cFused[3 + b * cStride + j]);
        assertBits(what + " h[" + b + "][" + j + "]", hRef[4 + b * hStride + j],
            hFused[4 + b * hStride + j]);
      }
      for (int r = 0; r < g; r++) {
        assertBits(what + " gate[" + b + "][" + r + "]",
            gates[1 + b * gxStride + pytorchRow(r, n, block)], gxFused[1 + b * gxStride + r]);
      }
    }
  }

  private static void assertBits(String what, float expected, float actual) {
    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
        () -> what + ": " + expected + " vs " + actual);
  }

  @Test
  void refusesAHiddenSizeOutOfBlocks() {
    int block = Math.max(Kernels.lstmBlock(), 16);
    int n = block + 1;
    PackedMatrix whh = PackedMatrix.pack(n, 4 * n, new float[4 * n * n], 0, n, true);
    float[] x = new float[8 * n];
    assertThrows(IllegalArgumentException.class, () -> Kernels.lstmStep(1, x, 0, n, whh, null, 0,
        x, 0, 4 * n, x, 0, n, new float[n], 0, n));
  }
}
