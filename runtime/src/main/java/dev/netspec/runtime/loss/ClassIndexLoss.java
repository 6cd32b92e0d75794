package dev.netspec.runtime.loss;

/**
 * The arguments shared by the losses over int64 class indices ({@link CrossEntropyLoss},
 * {@link NLLLoss}): the reduction and {@code ignore_index}.
 */
abstract class ClassIndexLoss implements Loss {
  private final Reduction reduction;
  private final long ignoreIndex;

  ClassIndexLoss(Reduction reduction, long ignoreIndex) {
    if (reduction == null) {
      throw new IllegalArgumentException("reduction is null");
    }
    this.reduction = reduction;
    this.ignoreIndex = ignoreIndex;
  }

  @Override
  public final Reduction reduction() {
    return reduction;
  }

  /** The target value that counts nothing ({@code ignore_index}, -100 by default). */
  public final long ignoreIndex() {
    return ignoreIndex;
  }
}
