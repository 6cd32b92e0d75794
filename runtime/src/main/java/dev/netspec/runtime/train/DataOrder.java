package dev.netspec.runtime.train;

import dev.netspec.runtime.tensor.Generator;

/**
 * The order a training run visits its samples: epoch {@code e} shuffles {@code 0 .. n-1} with
 * its own stream, {@code Generator.forName(seed, "epoch.<e>")}, so the order of any epoch is
 * known without replaying the ones before it, and a resumed run sees exactly the batches an
 * uninterrupted one would. The shuffle is Fisher-Yates from the top, drawing {@code j} as
 * the unsigned 64-bit draw modulo {@code i + 1} (tools/fashion_mnist_torch.py repeats it in
 * Python to feed PyTorch the same batches).
 */
public final class DataOrder {
  private DataOrder() {}

  /** The sample order of epoch {@code epoch} (0-based): shuffled, or {@code 0 .. n-1}. */
  public static int[] of(int n, boolean shuffle, long seed, int epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (!shuffle) {
      return order;
    }
    Generator g = Generator.forName(seed, "epoch." + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = (int) Long.remainderUnsigned(g.nextLong(), i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
