package dev.netspec.compiler.infer;

/**
 * The element type of a tensor in the forward language, named as PyTorch names it ({@code
 * float32}, {@code int64}). A spec's input without a dtype is {@code float32}.
 */
public enum DType {
  /** {@code torch.float32}: activations, weights. */
  FLOAT32("float32"),
  /** {@code torch.int64}: token ids, positions, indices. */
  INT64("int64"),
  /**
   * {@code torch.bool}: what comparisons ({@code mask == 0}) return and what {@code
   * masked_fill} and {@code where} take. The runtime holds it as a float32 tensor of 0 and 1
   * (its masks); the compiler keeps the difference, so that a float mask added to the scores
   * and a boolean one that keeps keys are told apart, as PyTorch does.
   */
  BOOL("bool");

  private final String pythonName;

  DType(String pythonName) {
    this.pythonName = pythonName;
  }

  /** PyTorch's name, as written in a spec. */
  public String pythonName() {
    return pythonName;
  }

  /** The dtype spelled {@code name} in a spec, or null. */
  public static DType byName(String name) {
    for (DType d : values()) {
      if (d.pythonName.equals(name)) {
        return d;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return pythonName;
  }
}
