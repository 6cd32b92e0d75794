package dev.netspec.runtime.tensor;

/**
 * The element type of a tensor ({@code torch.dtype}). Float ops (arithmetic, reductions,
 * matmul) need {@link #FLOAT32}; an {@link #INT64} tensor (token ids, a batch counter such as
 * BatchNorm's {@code num_batches_tracked}) supports views, copies, printing, saving and
 * {@link Tensor#to(DType) conversion}.
 */
public enum DType {
  /** {@code torch.float32}, stored in a {@code float[]}. */
  FLOAT32("float32", 4),
  /** {@code torch.int64}, stored in a {@code long[]}. */
  INT64("int64", 8);

  private final String pythonName;
  private final int itemSize;

  DType(String pythonName, int itemSize) {
    this.pythonName = pythonName;
    this.itemSize = itemSize;
  }

  /** Bytes per element ({@code tensor.element_size()}). */
  public int itemSize() {
    return itemSize;
  }

  /** The name PyTorch prints: {@code torch.float32}, {@code torch.int64}. */
  @Override
  public String toString() {
    return "torch." + pythonName;
  }
}
