package dev.netspec.runtime.tensor;

import java.util.Arrays;

/**
 * The bodies of {@link Tensor}'s factories that compute their values ({@code Tensor.of(rows)},
 * {@code arange}, {@code rand}, {@code randn}); the public ones on {@code Tensor} delegate here.
 */
final class Factories {
  private Factories() {}

  /** {@link Tensor#of(float[][])}. */
  static Tensor ofRows(float[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    float[] data = new float[rows.length * cols];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != cols) {
        throw new IllegalArgumentException(
            "row " + i + " has " + rows[i].length + " values, expected " + cols);
      }
      System.arraycopy(rows[i], 0, data, i * cols, cols);
    }
    return Tensor.fromArray(data, rows.length, cols);
  }

  /** {@link Tensor#arange(int, int, int)}. */
  static Tensor arange(int start, int end, int step) {
    if (step == 0) {
      throw new IllegalArgumentException("arange: step must be nonzero");
    }
    int n = Math.max(0, (int) Math.ceil((end - (double) start) / step));
    long[] data = new long[n];
    for (int i = 0; i < n; i++) {
      data[i] = start + (long) i * step;
    }
    return Tensor.ofLongs(data, n);
  }

  /** {@link Tensor#rand}. */
  static Tensor rand(Generator gen, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.storage.length; i++) {
      t.storage[i] = gen.nextFloat(0, 1);
    }
    return t;
  }

  /** {@link Tensor#randn}. */
  static Tensor randn(Generator gen, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.storage.length; i++) {
      t.storage[i] = (float) gen.nextGaussian();
    }
    return t;
  }

  /** {@code shape}, checked, when it holds {@code length} values. */
  static int[] checkLength(int length, int[] shape) {
    int[] s = Layout.checkShape(shape);
    if (Layout.numel(s) != length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(s) + " holds "
          + Layout.numel(s) + " values, the array has " + length);
    }
    return s;
  }
}
