package dev.netspec.runtime.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code split}, {@code chunk} (views) and {@code stack}, as PyTorch's. */
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
      out.add(x.narrow(d, start, Math.min(size, n - start)));
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
      out.add(x.narrow(d, start, s));
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
      parts.add(t.unsqueeze(Layout.normDim(dim, shape.length + 1)));
    }
    return Tensor.concat(parts, dim < 0 ? dim + shape.length + 1 : dim);
  }
}
