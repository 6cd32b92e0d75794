package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Storage shared by the forward buffers of a generated block whose values are never live at
 * the same time (the compiler plans which, by liveness): one flat tensor as large as the
 * largest of them, and each buffer a contiguous view of its first elements. Called when a
 * block sizes its workspace (once per input size), never in a warm forward.
 *
 * <pre>{@code
 * Tensor shared = Workspace.storage(new int[] {batch, 64, h, w}, new int[] {batch, 128, h2, w2});
 * conv1Out = Workspace.view(shared, batch, 64, h, w);
 * layer2Out = Workspace.view(shared, batch, 128, h2, w2);
 * }</pre>
 */
public final class Workspace {
  private Workspace() {}

  /** Zeros as long as the largest of {@code shapes}, flat. */
  public static Tensor storage(int[]... shapes) {
    long largest = 0;
    for (int[] shape : shapes) {
      largest = Math.max(largest, numel(shape));
    }
    if (largest > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a forward buffer of " + largest + " elements is too large");
    }
    return Tensor.zeros((int) largest);
  }

  /** The first elements of {@code storage} (from {@link #storage}) as a contiguous tensor of {@code shape}. */
  public static Tensor view(Tensor storage, int... shape) {
    long n = numel(shape);
    if (storage.dim() != 1 || n > storage.size(0)) {
      throw new IllegalArgumentException("a view of shape " + Arrays.toString(shape) + " needs " + n
          + " elements, the storage has " + Arrays.toString(storage.shape()));
    }
    return storage.narrow(0, 0, (int) n).view(shape);
  }

  private static long numel(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative size in " + Arrays.toString(shape));
      }
      n *= d;
    }
    return n;
  }
}
