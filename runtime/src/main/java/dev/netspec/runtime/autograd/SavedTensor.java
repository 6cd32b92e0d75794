package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * A tensor a {@link Node} keeps for its backward, with the storage version it had when it was
 * saved: if an in-place edit changes it before the backward reads it, {@link #get} fails with
 * PyTorch's message instead of computing a wrong gradient.
 */
public final class SavedTensor {
  private final Tensor tensor;
  private final long version;
  private final String node;

  SavedTensor(Tensor tensor, String node) {
    this.tensor = tensor;
    this.version = tensor.version();
    this.node = node;
  }

  /** The saved tensor, checked against in-place edits since it was saved. */
  public Tensor get() {
    if (tensor.version() != version) {
      throw new IllegalStateException("one of the variables needed for gradient computation"
          + " has been modified by an inplace operation: a tensor saved by " + node
          + " is at version " + tensor.version() + "; expected version " + version
          + " instead");
    }
    return tensor;
  }
}
