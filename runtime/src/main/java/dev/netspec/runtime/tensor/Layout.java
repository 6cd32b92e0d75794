package dev.netspec.runtime.tensor;

import java.util.Arrays;

/**
 * Where a tensor's elements sit in its storage: a shape, a stride per dim (in elements) and
 * the offset of the first element, as PyTorch's strided layout. It knows nothing of the
 * element type, so every view ({@link Tensor#select}, {@link Tensor#transpose}, ...) works the
 * same on float32 and int64 tensors: the view is a new layout over the same storage.
 * Immutable; the arrays are never handed out.
 */
final class Layout {
  final int[] shape;
  final int[] stride;
  final int offset;
  /** Row-major with no gaps (shape and strides never change, so this is computed once). */
  final boolean contiguous;

  Layout(int[] shape, int[] stride, int offset) {
    if (shape.length > Tensor.MAX_RANK) {
      throw new IllegalArgumentException(
          "rank " + shape.length + " exceeds the maximum rank " + Tensor.MAX_RANK);
    }
    this.shape = shape;
    this.stride = stride;
    this.offset = offset;
    this.contiguous = contiguous(shape, stride);
  }

  /** A row-major layout of a checked {@code shape} starting at element 0. */
  static Layout contiguous(int[] shape) {
    return new Layout(shape, contiguousStrides(shape), 0);
  }

  long numel() {
    return numel(shape);
  }

  int rank() {
    return shape.length;
  }

  /** PyTorch's rule: the strides of a dense row-major layout, size-1 dims skipped; an empty tensor is contiguous. */
  private static boolean contiguous(int[] shape, int[] stride) {
    for (int size : shape) {
      if (size == 0) {
        return true;
      }
    }
    int expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= shape[d];
    }
    return true;
  }

  // ---------------------------------------------------------------- views

  /** {@code x[..., i, ...]} on dimension {@code dim}: rank one less. */
  Layout select(int dim, int index) {
    int d = normDim(dim, shape.length);
    int i = normIndex(index, shape[d], d);
    return new Layout(remove(shape, d), remove(stride, d), offset + i * stride[d]);
  }

  Layout narrow(int dim, int start, int length) {
    int d = normDim(dim, shape.length);
    if (start < 0 || length < 0 || start + length > shape[d]) {
      throw new IndexOutOfBoundsException(
          "narrow(" + dim + ", " + start + ", " + length + ") out of range for size " + shape[d]);
    }
    int[] s = shape.clone();
    s[d] = length;
    return new Layout(s, stride.clone(), offset + start * stride[d]);
  }

  /** Python's {@code x[start:end]}: negative bounds count from the end, others clamp. */
  Layout slice(int dim, int start, int end) {
    int d = normDim(dim, shape.length);
    int n = shape[d];
    int s = clampSliceBound(start, n);
    int e = clampSliceBound(end, n);
    return narrow(d, s, Math.max(0, e - s));
  }

  /** Python's {@code x[start:end:step]} with {@code step > 0}: bounds as {@link #slice}. */
  Layout slice(int dim, int start, int end, int step) {
    if (step <= 0) {
      throw new IllegalArgumentException("slice step must be positive, got " + step);
    }
    Layout l = slice(dim, start, end);
    int d = normDim(dim, shape.length);
    int[] s = l.shape.clone();
    int[] st = l.stride.clone();
    s[d] = (s[d] + step - 1) / step;
    st[d] *= step;
    return new Layout(s, st, l.offset);
  }

  Layout transpose(int dim0, int dim1) {
    int a = normDim(dim0, shape.length);
    int b = normDim(dim1, shape.length);
    if (shape.length == 0) {
      return this; // PyTorch: a scalar's dims 0 and -1 are the scalar itself
    }
    int[] s = shape.clone();
    int[] st = stride.clone();
    s[a] = shape[b];
    s[b] = shape[a];
    st[a] = stride[b];
    st[b] = stride[a];
    return new Layout(s, st, offset);
  }

  Layout permute(int... dims) {
    if (dims.length != shape.length) {
      throw new IllegalArgumentException(
          "permute needs " + shape.length + " dims, got " + dims.length);
    }
    int[] s = new int[dims.length];
    int[] st = new int[dims.length];
    boolean[] seen = new boolean[dims.length];
    for (int i = 0; i < dims.length; i++) {
      int d = normDim(dims[i], shape.length);
      if (seen[d]) {
        throw new IllegalArgumentException("permute repeats dim " + d);
      }
      seen[d] = true;
      s[i] = shape[d];
      st[i] = stride[d];
    }
    return new Layout(s, st, offset);
  }

  Layout unsqueeze(int dim) {
    int d = normDim(dim, shape.length + 1);
    int inner = d < shape.length ? stride[d] * shape[d] : 1;
    return new Layout(insert(shape, d, 1), insert(stride, d, inner), offset);
  }

  /** Removes {@code dim} if its size is 1, else returns this layout. */
  Layout squeeze(int dim) {
    int d = normDim(dim, shape.length);
    return shape[d] != 1 ? this : new Layout(remove(shape, d), remove(stride, d), offset);
  }

  /** A broadcast layout: stride 0 on expanded dims; {@code -1} keeps a size. */
  Layout expand(int... newShape) {
    int n = newShape.length;
    if (n < shape.length) {
      throw new IllegalArgumentException("cannot expand " + Arrays.toString(shape)
          + " to fewer dims " + Arrays.toString(newShape));
    }
    int[] s = new int[n];
    int[] st = new int[n];
    for (int i = n - 1, j = shape.length - 1; i >= 0; i--, j--) {
      int want = newShape[i];
      if (j >= 0) {
        if (want == -1 || want == shape[j]) {
          s[i] = shape[j];
          st[i] = stride[j];
        } else if (shape[j] == 1) {
          s[i] = want;
          st[i] = 0;
        } else {
          throw new IllegalArgumentException(
              "cannot expand " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
      } else {
        if (want < 0) {
          throw new IllegalArgumentException("-1 is not allowed for a new leading dim");
        }
        s[i] = want;
        st[i] = 0;
      }
    }
    return new Layout(s, st, offset);
  }

  /** A contiguous layout's elements under {@code newShape} (one size may be -1). */
  Layout reshape(int... newShape) {
    int[] s = inferShape(newShape, numel());
    return new Layout(s, contiguousStrides(s), offset);
  }

  /** The shape of {@code torch.flatten(x, startDim, endDim)}. */
  int[] flattenedShape(int startDim, int endDim) {
    if (shape.length == 0) {
      return new int[] {1};
    }
    int a = normDim(startDim, shape.length);
    int b = normDim(endDim, shape.length);
    if (a > b) {
      throw new IllegalArgumentException("flatten: start dim " + a + " is after end dim " + b);
    }
    int[] s = new int[shape.length - (b - a)];
    int k = 0;
    for (int i = 0; i < a; i++) {
      s[k++] = shape[i];
    }
    s[k++] = Math.toIntExact(numel(shape, a, b + 1));
    for (int i = b + 1; i < shape.length; i++) {
      s[k++] = shape[i];
    }
    return s;
  }

  // ---------------------------------------------------------------- elements

  /** The storage index of the element at a checked multi-index. */
  int offsetOf(int[] idx) {
    int o = offset;
    for (int d = 0; d < idx.length; d++) {
      o += idx[d] * stride[d];
    }
    return o;
  }

  /** The storage index of the element at {@code index} (negative counts from the end). */
  int offsetOfIndex(int[] index) {
    if (index.length != shape.length) {
      throw new IllegalArgumentException(
          "expected " + shape.length + " indices, got " + index.length);
    }
    int o = offset;
    for (int d = 0; d < index.length; d++) {
      o += normIndex(index[d], shape[d], d) * stride[d];
    }
    return o;
  }

  /** Advances a row-major multi-index; returns false after the last one. */
  static boolean increment(int[] idx, int[] shape) {
    for (int d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) {
        return true;
      }
      idx[d] = 0;
    }
    return false;
  }

  // ---------------------------------------------------------------- shape helpers

  /** PyTorch's broadcasting rule for two shapes. */
  static int[] broadcastShapes(int[] a, int[] b) {
    int n = Math.max(a.length, b.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int x = i < n - a.length ? 1 : a[i - (n - a.length)];
      int y = i < n - b.length ? 1 : b[i - (n - b.length)];
      if (x != y && x != 1 && y != 1) {
        throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and "
            + Arrays.toString(b) + " do not broadcast (dim " + i + ": " + x + " vs " + y + ")");
      }
      out[i] = x == 1 ? y : x;
    }
    return out;
  }

  static long numel(int[] shape) {
    return numel(shape, 0, shape.length);
  }

  static long numel(int[] shape, int from, int to) {
    long n = 1;
    for (int i = from; i < to; i++) {
      n *= shape[i];
    }
    return n;
  }

  static int[] contiguousStrides(int[] shape) {
    int[] st = new int[shape.length];
    int acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      st[d] = acc;
      acc *= Math.max(shape[d], 1);
    }
    return st;
  }

  /** A copy of {@code shape} after checking rank, signs and that a Java array holds it. */
  static int[] checkShape(int[] shape) {
    if (shape.length > Tensor.MAX_RANK) {
      throw new IllegalArgumentException(
          "rank " + shape.length + " exceeds the maximum rank " + Tensor.MAX_RANK);
    }
    long n = 1;
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
      }
      n *= s;
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " has more elements than a Java array holds");
      }
    }
    return shape.clone();
  }

  private static int[] inferShape(int[] shape, long numel) {
    int[] s = shape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("only one dimension can be -1");
        }
        infer = i;
      } else {
        known *= s[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || numel % known != 0) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " is invalid for " + numel + " elements");
      }
      s[infer] = (int) (numel / known);
    }
    checkShape(s);
    if (numel(s) != numel) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " is invalid for " + numel + " elements");
    }
    return s;
  }

  static int normDim(int dim, int rank) {
    int r = Math.max(rank, 1);
    int d = dim < 0 ? dim + r : dim;
    if (d < 0 || d >= r) {
      throw new IndexOutOfBoundsException(
          "dimension " + dim + " out of range for a tensor of rank " + rank);
    }
    return d;
  }

  private static int normIndex(int index, int size, int dim) {
    int i = index < 0 ? index + size : index;
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException(
          "index " + index + " out of range for dim " + dim + " of size " + size);
    }
    return i;
  }

  private static int clampSliceBound(int b, int n) {
    int v = b < 0 ? b + n : b;
    return Math.max(0, Math.min(n, v));
  }

  private static int[] remove(int[] a, int i) {
    int[] r = new int[a.length - 1];
    System.arraycopy(a, 0, r, 0, i);
    System.arraycopy(a, i + 1, r, i, a.length - i - 1);
    return r;
  }

  private static int[] insert(int[] a, int i, int v) {
    int[] r = new int[a.length + 1];
    System.arraycopy(a, 0, r, 0, i);
    r[i] = v;
    System.arraycopy(a, i, r, i + 1, a.length - i);
    return r;
  }

  /** The stride of {@code t} along dim {@code d} of {@code shape}: 0 where it broadcasts. */
  static int strideIn(Tensor t, int[] shape, int d) {
    int td = d - (shape.length - t.shape.length);
    return td < 0 || t.shape[td] == 1 ? 0 : t.stride[td];
  }

  /** The storage offset in {@code t} (broadcast to {@code shape}) of the element at row-major index {@code flat}. */
  static int offsetIn(Tensor t, int[] shape, int flat) {
    int o = t.offset;
    for (int d = shape.length - 1; d >= 0 && flat > 0; d--) {
      o += flat % shape[d] * strideIn(t, shape, d);
      flat /= shape[d];
    }
    return o;
  }
}
