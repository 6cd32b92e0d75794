package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.Updates;
import dev.netspec.runtime.tensor.Tensor;

/**
 * A copy of a parameter in another layout (a GEMM's packed operand) that an optimizer keeps
 * current as it updates the parameter ({@link Parameter#addMirror}): each block of new values
 * is copied while it is still in cache, instead of the copy being packed again from memory
 * before its next use. Internal to the runtime's training step; the optimizers call it.
 */
public interface ParameterMirror extends Updates.Mirror {
  /**
   * Before an update of {@code data} (contiguous): whether to be told of its blocks ({@link
   * #updated}). Returning false skips the copies (the copy is not in use, or does not fit).
   */
  boolean begin(Tensor data);

  /**
   * After every element of {@code data} was updated and passed to {@link #updated}, and its
   * version bumped: the copy now matches {@code data} at its current version.
   */
  void end(Tensor data);
}
