package dev.netspec.runtime.nn;

import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.tensor.Tensor;

/**
 * A lookup table ({@code nn.Embedding}): int64 ids of any shape {@code (...)} select rows of
 * {@code weight} ({@code [num_embeddings, embedding_dim]}), giving {@code (..., embedding_dim)}.
 * PyTorch's default init: weight from N(0, 1), with row {@code padding_idx} (if any) zeroed.
 * An id outside {@code [0, num_embeddings)} fails with one message naming the id, its
 * position and the range. {@code max_norm} (which renormalizes rows in place during forward)
 * is refused.
 */
public final class Embedding extends Module {
  /** The table, {@code [num_embeddings, embedding_dim]}. */
  public final Parameter weight;
  private final int numEmbeddings;
  private final int embeddingDim;
  /** The padding row in {@code [0, num_embeddings)}, or -1 without one. */
  private final int paddingIdx;
  /** The ids of the last forward, kept for a backward (issue 15); null before the first. */
  private Tensor lastIds;

  /** {@code nn.Embedding(num_embeddings, embedding_dim)}. */
  public Embedding(int numEmbeddings, int embeddingDim) {
    this(numEmbeddings, embeddingDim, null);
  }

  /**
   * {@code nn.Embedding(num_embeddings, embedding_dim, padding_idx)}; a negative
   * {@code paddingIdx} counts from the end, as in PyTorch, and null means none.
   */
  public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx) {
    this(numEmbeddings, embeddingDim, paddingIdx, null);
  }

  /**
   * {@code nn.Embedding(num_embeddings, embedding_dim, padding_idx, max_norm)}: {@code maxNorm}
   * must be null (renormalizing during forward is not supported).
   */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Double maxNorm) {
    if (numEmbeddings < 0 || embeddingDim < 0) {
      throw new IllegalArgumentException("Embedding: num_embeddings and embedding_dim must be"
          + " >= 0, got " + numEmbeddings + " and " + embeddingDim);
    }
    if (maxNorm != null) {
      throw new IllegalArgumentException("Embedding: max_norm is not supported (it renormalizes"
          + " the weight during forward); leave it None");
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx == null ? -1 : normalizePadding(paddingIdx, numEmbeddings);
    this.weight = registerParameter("weight",
        new Parameter(Tensor.zeros(numEmbeddings, embeddingDim)));
    resetParameters(ParameterSeeds.standalone());
  }

  private static int normalizePadding(int paddingIdx, int numEmbeddings) {
    if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
      throw new IllegalArgumentException("Embedding: padding_idx must be within num_embeddings"
          + " (in [" + -numEmbeddings + ", " + numEmbeddings + ")), got " + paddingIdx);
    }
    return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
  }

  /** PyTorch's {@code reset_parameters}: N(0, 1), then the padding row zeroed. */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    Init.normal_(weight.data(), seeds.generator("weight"));
    if (paddingIdx >= 0) {
      weight.data().select(0, paddingIdx).zero_();
    }
  }

  /** {@code num_embeddings}: the number of rows. */
  public int numEmbeddings() {
    return numEmbeddings;
  }

  /** {@code embedding_dim}: the size of a row. */
  public int embeddingDim() {
    return embeddingDim;
  }

  /** {@code padding_idx} in {@code [0, num_embeddings)}, or null without one. */
  public Integer paddingIdx() {
    return paddingIdx < 0 ? null : paddingIdx;
  }

  /** The ids of the last forward (what a backward scatters into), or null before the first. */
  public Tensor lastIds() {
    return lastIds;
  }

  /** {@code ids (...) int64 -> (..., embedding_dim)}. */
  @Override
  public Tensor forward(Tensor ids) {
    enterForward();
    try {
      Tensor out = Functional.embedding(ids, weight.data(), paddingIdx());
      lastIds = ids;
      return out;
    } finally {
      exitForward();
    }
  }

  /** {@link #forward(Tensor)} written into {@code out} ({@code (..., embedding_dim)}). */
  @Override
  public Tensor forward(Tensor ids, Tensor out) {
    enterForward();
    try {
      Functional.embeddingInto(ids, weight.data(), out);
      lastIds = ids;
      return out;
    } finally {
      exitForward();
    }
  }

  @Override
  public String extraRepr() {
    return numEmbeddings + ", " + embeddingDim
        + (paddingIdx < 0 ? "" : ", padding_idx=" + paddingIdx);
  }

  // covariant returns, so that calls chain: Embedding e = new Embedding(10, 3).eval();

  @Override
  public Embedding train() {
    return train(true);
  }

  @Override
  public Embedding train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public Embedding eval() {
    return train(false);
  }
}
