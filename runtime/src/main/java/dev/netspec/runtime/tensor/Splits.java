package dev.netspec.runtime.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code split}, {@code chunk} (views), {@code stack} and {@code cat}, as PyTorch's; the
 * results are outside any graph ({@link Tensor} records them).
 */
final class Splits {
  private Splits() {}

  /** {@code x.split(size, dim)}: views of {@code size} along dim, the last one shorter. */
  static List<Tensor> split(Tensor x, int size, int dim) {
    int d = Layout.normDim(dim, x.dim());
    int n = x.shape[d];
    if (size < 0 || size == 0 && n > 0) {
      throw new IllegalArgumentException("split: split_size must be positive, got " + size);
    }
    List<Tensor> out = new ArrayList<>();
    for (int start = 0; start < n || out.isEmpty(); start += size) {
      out.add(x.narrowView(d, start, Math.min(size, n - start)));
    }
    return out;
  }

  /** {@code x.split([s0, s1, ...], dim)}: views of the given sizes, which must sum to the dim. */
  static List<Tensor> split(Tensor x, int[] sizes, int dim) {
    int d = Layout.normDim(dim, x.dim());
    long total = 0;
    for (int s : sizes) {
      if (s < 0) {
        throw new IllegalArgumentException("split: sizes must be >= 0, got "
            + Arrays.toString(sizes));
      }
      total += s;
    }
    if (total != x.shape[d]) {
      throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " sum to "
          + total + ", dim " + d + " has size " + x.shape[d]);
    }
    List<Tensor> out = new ArrayList<>();
    int start = 0;
    for (int s : sizes) {
      out.add(x.narrowView(d, start, s));
      start += s;
    }
    return out;
  }

  /**
   * {@code x.chunk(chunks, dim)}: {@code split} with size {@code ceil(n / chunks)}, so it
   * may return fewer than {@code chunks} views, as PyTorch does.
   */
  static List<Tensor> chunk(Tensor x, int chunks, int dim) {
    if (chunks <= 0) {
      throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
    }
    int n = x.shape[Layout.normDim(dim, x.dim())];
    int size = (n + chunks - 1) / chunks;
    if (size == 0) {
      return split(x, new int[chunks], dim); // an empty dim gives chunks empty views
    }
    return split(x, size, dim);
  }

  /** {@code torch.stack(tensors, dim)}: equal shapes joined along a new dim. */
  static Tensor stack(List<Tensor> tensors, int dim) {
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("stack needs at least one tensor");
    }
    int[] shape = tensors.get(0).shape;
    List<Tensor> parts = new ArrayList<>();
    for (Tensor t : tensors) {
      if (!Arrays.equals(t.shape, shape)) {
        throw new IllegalArgumentException("stack expects tensors of one shape, got "
            + Arrays.toString(shape) + " and " + Arrays.toString(t.shape));
      }
      parts.add(t.detach().unsqueeze(Layout.normDim(dim, shape.length + 1)));
    }
    return concat(parts, dim < 0 ? dim + shape.length + 1 : dim);
  }

  /** {@code torch.cat(tensors, dim)}. */
  static Tensor concat(List<Tensor> tensors, int dim) {
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("concat needs at least one tensor");
    }
    Tensor first = tensors.get(0);
    int d = Layout.normDim(dim, first.dim());
    int[] s = first.shape();
    int total = 0;
    for (Tensor t : tensors) {
      if (t.dim() != first.dim()) {
        throw new IllegalArgumentException("concat: tensors must have the same rank");
      }
      for (int i = 0; i < s.length; i++) {
        if (i != d && t.shape[i] != s[i]) {
          throw new IllegalArgumentException("concat: sizes must match except in dim " + d
              + ", got " + Arrays.toString(first.shape) + " and " + Arrays.toString(t.shape));
        }
      }
      total += t.shape[d];
    }
    s[d] = total;
    Tensor out = Tensor.zeros(first.dtype(), s);
    int at = 0;
    for (Tensor t : tensors) {
      out.narrowView(d, at, t.shape[d]).copy_(t);
      at += t.shape[d];
    }
    return out;
  }
}
