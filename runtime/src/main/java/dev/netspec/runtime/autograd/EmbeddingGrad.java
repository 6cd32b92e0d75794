package dev.netspec.runtime.autograd;

import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Embedding;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The derivative of {@code F.embedding(ids, weight, padding_idx)} ({@code
 * EmbeddingBackward0}): row {@code i} of {@code weight}'s gradient is the sum of the output
 * gradients of every position whose id is {@code i} (a scatter-add, so a repeated id gets
 * each use); the row of {@code padding_idx} gets none. The ids (int64) get no gradient. The
 * gradient is dense, as PyTorch's with {@code sparse=False}.
 */
public final class EmbeddingGrad {
  private EmbeddingGrad() {}

  /**
   * {@code d L / d weight} {@code (numEmbeddings, dim)} from {@code gradOutput} {@code
   * (..., dim)} and {@code ids} {@code (...)}; {@code paddingIdx} null for none (negative
   * values count from the end, as in the layer's constructor).
   */
  public static Tensor weight(Tensor gradOutput, Tensor ids, int numEmbeddings,
      Integer paddingIdx) {
    if (ids.dtype() != DType.INT64) {
      throw new IllegalArgumentException("embedding backward: ids must be int64, got "
          + ids.dtype());
    }
    int dim = gradOutput.size(-1);
    int[] expected = Arrays.copyOf(ids.shape(), ids.dim() + 1);
    expected[ids.dim()] = dim;
    if (!Arrays.equals(gradOutput.shape(), expected)) {
      throw new IllegalArgumentException("embedding backward: gradOutput of shape "
          + Arrays.toString(gradOutput.shape()) + " does not match ids "
          + Arrays.toString(ids.shape()) + " and embedding_dim " + dim);
    }
    int skip = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + numEmbeddings
        : paddingIdx;
    long[] rows = ids.toLongArray();
    float[] g = gradOutput.contiguous().toFloatArray();
    float[] dw = new float[numEmbeddings * dim];
    for (int p = 0; p < rows.length; p++) {
      long id = rows[p];
      if (id < 0 || id >= numEmbeddings) {
        throw new IndexOutOfBoundsException("embedding backward: id " + id + " at position "
            + p + " is outside [0, " + numEmbeddings + ")");
      }
      if (id != skip) {
        Kernels.axpy(1f, g, p * dim, dw, (int) id * dim, dim);
      }
    }
    return Tensor.fromArray(dw, numEmbeddings, dim);
  }

  /**
   * The backward of an {@link Embedding} layer for the ids of a forward: accumulates into
   * {@code weight.grad}. There is no input gradient (ids are integers).
   */
  public static void backward(Tensor gradOutput, Tensor ids, Embedding embedding) {
    if (embedding.weight.requiresGrad()) {
      Grads.accumulateOwned(embedding.weight, weight(gradOutput, ids,
          embedding.numEmbeddings(), embedding.paddingIdx()));
    }
  }

  /**
   * Records {@code y = embedding(ids, weight)} ({@code EmbeddingBackward0}) when recording is
   * on and {@code weight} requires a gradient; the row {@code paddingIdx} (null: none) gets no
   * gradient. Returns {@code y}.
   */
  public static Tensor record(Tensor ids, Tensor weight, Integer paddingIdx, Tensor y) {
    if (Autograd.isRecording(weight)) {
      new EmbeddingBackward(ids, weight, paddingIdx).record(y);
    }
    return y;
  }

  private static final class EmbeddingBackward extends Node {
    private final SavedTensor ids;
    private final int numEmbeddings;
    private final Integer paddingIdx;

    EmbeddingBackward(Tensor ids, Tensor weight, Integer paddingIdx) {
      super("EmbeddingBackward0", weight);
      this.ids = save(ids);
      this.numEmbeddings = weight.size(0);
      this.paddingIdx = paddingIdx;
    }

    @Override
    protected Tensor[] backward(Tensor[] gradOutputs) {
      return new Tensor[] {weight(gradOutputs[0], ids.get(), numEmbeddings, paddingIdx)};
    }
  }
}
