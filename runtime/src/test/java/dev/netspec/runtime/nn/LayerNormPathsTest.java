package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Which operands LayerNorm's one-pass row kernels may take. Each case is an operand the
 * kernels must not take (an out overlapping the input a row further on, a strided residual,
 * a residual overlapping the out): a row kernel would read what it has already written, or
 * read the wrong elements, so the values tell. (Which path the allocating {@code forward(x)}
 * takes is not tested: {@link Functional#layerNorm}'s tensor steps give the row kernels' bits,
 * and both allocate.)
 */
class LayerNormPathsTest {
  private static float[] ramp(int n, double a, double b) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (Math.sin(i * a) * 3 + Math.cos(i * b));
    }
    return v;
  }

  /** Rows normalized by hand in double: (x - mean) / sqrt(biased var + eps) * w + b. */
  private static float[] byHand(float[] x, int n, float[] w, float[] b, double eps) {
    float[] y = new float[x.length];
    for (int r = 0; r < x.length / n; r++) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += x[r * n + i];
      }
      mean /= n;
      double var = 0;
      for (int i = 0; i < n; i++) {
        var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
      }
      var /= n;
      for (int i = 0; i < n; i++) {
        y[r * n + i] = (float) ((x[r * n + i] - mean) / Math.sqrt(var + eps) * w[i] + b[i]);
      }
    }
    return y;
  }

  private static LayerNorm layer(int n) {
    LayerNorm norm = new LayerNorm(n);
    for (int i = 0; i < n; i++) {
      norm.weight.data().array()[i] = 1 + 0.1f * i;
      norm.bias.data().array()[i] = 0.5f - 0.2f * i;
    }
    return norm;
  }

  private static float[] weights(LayerNorm norm) {
    return norm.weight.data().toFloatArray();
  }

  private static float[] biases(LayerNorm norm) {
    return norm.bias.data().toFloatArray();
  }

  @Test
  void anOutOverlappingTheInputARowOnIsFilledFromTheInputAsItWas() {
    int n = 4;
    LayerNorm norm = layer(n);
    float[] values = ramp(12, 0.7, 1.9);
    Tensor storage = Tensor.fromArray(values.clone(), 12);
    Tensor x = storage.narrow(0, 0, 8).view(2, n);
    Tensor out = storage.narrow(0, 4, 8).view(2, n); // out's row 0 is x's row 1
    float[] want = byHand(Arrays.copyOf(values, 8), n, weights(norm), biases(norm), 1e-5);
    assertArrayEquals(want, norm.forward(x, out).toFloatArray(), 1e-5f);
  }

  @Test
  void residualFormTakesNoOperandItMustNot() {
    int n = 4;
    LayerNorm norm = layer(n);
    float[] xs = ramp(8, 0.3, 1.1);
    float[] rs = ramp(12, 1.7, 0.4);
    float[] sum = new float[8];
    for (int i = 0; i < 8; i++) {
      sum[i] = xs[i] + rs[i];
    }
    float[] want = byHand(sum, n, weights(norm), biases(norm), 1e-5);

    // a residual that overlaps out a row on: out's row 0 is the residual's row 1
    Tensor storage = Tensor.fromArray(rs.clone(), 12);
    Tensor residual = storage.narrow(0, 0, 8).view(2, n);
    Tensor out = storage.narrow(0, 4, 8).view(2, n);
    assertArrayEquals(want, norm.forwardResidual(Tensor.fromArray(xs.clone(), 2, n), residual, out)
        .toFloatArray(), 1e-5f);

    // a strided residual (the transpose of a contiguous (n, 2))
    float[] rt = new float[8];
    for (int r = 0; r < 2; r++) {
      for (int i = 0; i < n; i++) {
        rt[i * 2 + r] = rs[r * n + i];
      }
    }
    Tensor strided = Tensor.fromArray(rt, n, 2).transpose(0, 1);
    assertFalse(strided.isContiguous());
    assertArrayEquals(want, norm.forwardResidual(Tensor.fromArray(xs.clone(), 2, n), strided,
        Tensor.zeros(2, n)).toFloatArray(), 1e-5f);

    // a strided out
    Tensor outT = Tensor.zeros(n, 2).transpose(0, 1);
    assertFalse(outT.isContiguous());
    assertArrayEquals(want, norm.forwardResidual(Tensor.fromArray(xs.clone(), 2, n),
        Tensor.fromArray(Arrays.copyOf(rs, 8), 2, n), outT).toFloatArray(), 1e-5f);
    assertArrayEquals(want, norm.forward(Tensor.fromArray(sum.clone(), 2, n), outT)
        .toFloatArray(), 1e-5f);
  }
}
