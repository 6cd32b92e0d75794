package dev.netspec.runtime.tensor;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A tensor's values walked in row-major order through any layout: copies ({@code copy_},
 * {@code toFloatArray}, {@code to(DType)}), maps with Java lambdas ({@code mapInPlace}) and
 * whole-tensor comparisons ({@code allclose}). {@link Tensor}'s public methods check their
 * arguments, bump the version and delegate here.
 */
final class Values {
  private Values() {}

  /** {@link Tensor#copy_}: {@code src} broadcast into {@code dst}, int64 converted as {@code to(DType)}. */
  static void copy(Tensor dst, Tensor src) {
    Tensor s = src.expand(dst.shape);
    if (dst.dtype() == DType.FLOAT32 && s.dtype() == DType.FLOAT32) {
      Elementwise.copy(dst, s);
      return;
    }
    int[] idx = new int[dst.shape.length]; // int64 on either side: converts as to(DType) does
    for (long i = 0, n = dst.numel(); i < n; i++) {
      int o = dst.layout.offsetOf(idx);
      int so = s.layout.offsetOf(idx);
      if (dst.longs != null) {
        dst.longs[o] = s.longs != null ? s.longs[so] : (long) s.storage[so];
      } else {
        dst.storage[o] = s.longs[so];
      }
      Layout.increment(idx, dst.shape);
    }
  }

  /** {@link Tensor#mapInPlace}: {@code t[i] = f(t[i])} on a float32 tensor. */
  static void map(Tensor t, DoubleUnaryOperator f) {
    int[] idx = new int[t.shape.length];
    long n = t.numel();
    for (long i = 0; i < n; i++) {
      int o = t.layout.offsetOf(idx);
      t.storage[o] = (float) f.applyAsDouble(t.storage[o]);
      Layout.increment(idx, t.shape);
    }
  }

  /** {@link Tensor#zipInPlace}: {@code t[i] = f(t[i], other[i])}, {@code other} broadcast. */
  static void zip(Tensor t, Tensor other, DoubleBinaryOperator f) {
    Tensor b = other.expand(t.shape);
    int[] idx = new int[t.shape.length];
    long n = t.numel();
    for (long i = 0; i < n; i++) {
      int o = t.layout.offsetOf(idx);
      t.storage[o] = (float) f.applyAsDouble(t.storage[o], b.storage[b.layout.offsetOf(idx)]);
      Layout.increment(idx, t.shape);
    }
  }

  /** {@link Tensor#toFloatArray} of a float32 tensor. */
  static float[] toFloatArray(Tensor t) {
    float[] out = new float[Math.toIntExact(t.numel())];
    if (t.isContiguous()) {
      System.arraycopy(t.storage, t.offset, out, 0, out.length);
      return out;
    }
    int[] idx = new int[t.shape.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.storage[t.layout.offsetOf(idx)];
      Layout.increment(idx, t.shape);
    }
    return out;
  }

  /** {@link Tensor#toLongArray}: float32 values truncate toward 0. */
  static long[] toLongArray(Tensor t) {
    long[] out = new long[Math.toIntExact(t.numel())];
    if (t.isContiguous() && t.longs != null) {
      System.arraycopy(t.longs, t.offset, out, 0, out.length);
      return out;
    }
    int[] idx = new int[t.shape.length];
    for (int i = 0; i < out.length; i++) {
      int o = t.layout.offsetOf(idx);
      out[i] = t.longs != null ? t.longs[o] : (long) t.storage[o];
      Layout.increment(idx, t.shape);
    }
    return out;
  }

  /** {@link Tensor#to(DType)} to the other type: a contiguous converted copy. */
  static Tensor convert(Tensor t, DType type) {
    if (type == DType.INT64) {
      return Tensor.dense(toLongArray(t), t.shape.clone());
    }
    long[] values = toLongArray(t);
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return Tensor.dense(out, t.shape.clone());
  }

  /** {@link Tensor#allclose}. */
  static boolean allclose(Tensor x, Tensor other, double rtol, double atol) {
    if (!Arrays.equals(x.shape, other.shape)) {
      return false;
    }
    float[] a = x.toFloatArray();
    float[] b = other.toFloatArray();
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > atol + rtol * Math.abs(b[i])
          || Float.isNaN(a[i]) != Float.isNaN(b[i])) {
        return false;
      }
    }
    return true;
  }

  /** {@link Tensor#contentEquals}. */
  static boolean contentEquals(Tensor x, Tensor other) {
    return x.dtype() == other.dtype() && Arrays.equals(x.shape, other.shape)
        && (x.dtype() == DType.INT64 ? Arrays.equals(x.toLongArray(), other.toLongArray())
            : Arrays.equals(x.toFloatArray(), other.toFloatArray()));
  }
}
