package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Tensor;

/**
 * One Transformer encoder layer ({@code nn.TransformerEncoderLayer}): self-attention and a
 * feed-forward block, each with a residual connection and a LayerNorm, after the block
 * (post-norm, the default) or before it ({@code norm_first}). Children as PyTorch names them:
 * {@code self_attn}, {@code linear1}, {@code dropout}, {@code linear2}, {@code norm1}, {@code
 * norm2}, {@code dropout1}, {@code dropout2}. The dropouts are seeded {@link Dropout}s: the
 * identity in eval mode.
 *
 * <p>Inputs are {@code (S, N, E)}, {@code (N, S, E)} with {@code batch_first}, or unbatched
 * {@code (S, E)}; {@code src_mask} and {@code src_key_padding_mask} as in {@link
 * MultiheadAttention}.
 */
public final class TransformerEncoderLayer extends Module {
  public final MultiheadAttention selfAttn;
  public final Linear linear1;
  public final Dropout dropout;
  public final Linear linear2;
  public final LayerNorm norm1;
  public final LayerNorm norm2;
  public final Dropout dropout1;
  public final Dropout dropout2;
  private final int dModel;
  private final int nhead;
  private final int dimFeedforward;
  private final double dropoutP;
  private final String activation;
  private final double layerNormEps;
  private final boolean batchFirst;
  private final boolean normFirst;

  /** {@code nn.TransformerEncoderLayer(d_model, nhead)}: PyTorch's defaults. */
  public TransformerEncoderLayer(int dModel, int nhead) {
    this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, false);
  }

  /**
   * {@code nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
   * layer_norm_eps, batch_first, norm_first)}; {@code activation} is {@code "relu"} or
   * {@code "gelu"}.
   */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout,
      String activation, double layerNormEps, boolean batchFirst, boolean normFirst) {
    String name = "TransformerEncoderLayer";
    this.dModel = TransformerParts.checkPositive(name, "d_model", dModel);
    this.nhead = nhead;
    this.dimFeedforward = TransformerParts.checkPositive(name, "dim_feedforward", dimFeedforward);
    this.dropoutP = dropout;
    this.activation = TransformerParts.checkActivation(name, activation);
    this.layerNormEps = layerNormEps;
    this.batchFirst = batchFirst;
    this.normFirst = normFirst;
    this.selfAttn = addModule("self_attn",
        new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
    this.linear1 = addModule("linear1", new Linear(dModel, dimFeedforward));
    this.dropout = addModule("dropout", new Dropout(dropout));
    this.linear2 = addModule("linear2", new Linear(dimFeedforward, dModel));
    this.norm1 = addModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
    this.norm2 = addModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
    this.dropout1 = addModule("dropout1", new Dropout(dropout));
    this.dropout2 = addModule("dropout2", new Dropout(dropout));
  }

  /** A layer of the same configuration, values and mode (PyTorch's {@code deepcopy}). */
  TransformerEncoderLayer copy() {
    TransformerEncoderLayer c = new TransformerEncoderLayer(dModel, nhead, dimFeedforward,
        dropoutP, activation, layerNormEps, batchFirst, normFirst);
    c.loadStateDict(stateDict(), true);
    return c.train(isTraining());
  }

  public int dModel() {
    return dModel;
  }

  public int nhead() {
    return nhead;
  }

  public int dimFeedforward() {
    return dimFeedforward;
  }

  /** {@code "relu"} or {@code "gelu"}. */
  public String activation() {
    return activation;
  }

  public boolean batchFirst() {
    return batchFirst;
  }

  public boolean normFirst() {
    return normFirst;
  }

  /** {@code layer(src)}: no masks. */
  @Override
  public Tensor forward(Tensor src) {
    return forward(src, null, null);
  }

  /** {@code layer(src, src_mask, src_key_padding_mask)}; either mask may be null. */
  public Tensor forward(Tensor src, AttentionMask srcMask, AttentionMask srcKeyPaddingMask) {
    Tensor x = src;
    if (normFirst) {
      x = x.add(selfAttentionBlock(norm1.forward(x), srcMask, srcKeyPaddingMask));
      return x.add(feedForwardBlock(norm2.forward(x)));
    }
    x = norm1.forward(x.add(selfAttentionBlock(x, srcMask, srcKeyPaddingMask)));
    return norm2.forward(x.add(feedForwardBlock(x)));
  }

  /** {@code layer(src)} written into {@code out}: {@link #forward(Tensor, AttentionMask, AttentionMask, Tensor)} without masks. */
  @Override
  public Tensor forward(Tensor src, Tensor out) {
    return forward(src, null, null, out);
  }

  /**
   * {@code layer(src, src_mask, src_key_padding_mask)} written into {@code out} (shaped as
   * {@code src}, contiguous, not sharing its storage) and returned: the inference path.
   * Allocation-free once warm in eval mode: self-attention through {@link
   * MultiheadAttention#forwardInto}, each residual added inside its LayerNorm's pass ({@link
   * LayerNorm#forwardResidual}; post-norm) or into a buffer (norm first), the feed-forward
   * block's ReLU or GELU in linear1's GEMM, into buffers this layer keeps for the last input's shape.
   * One thread at a time on one instance. In training with dropout, or for an input of
   * another layout, it runs {@link #forward(Tensor, AttentionMask, AttentionMask)} and copies.
   */
  public Tensor forward(Tensor src, AttentionMask srcMask, AttentionMask srcKeyPaddingMask,
      Tensor out) {
    if (isTraining() && dropoutP > 0 || !src.isContiguous() || !out.isContiguous()
        || out.dim() != src.dim() || out.sharesStorageWith(src) || src.dim() < 2
        || src.size(-1) != dModel || out.numel() != src.numel()) {
      try (GradMode.Scope scope = GradMode.noGrad()) {
        return forward(src, srcMask, srcKeyPaddingMask).copyInto(out);
      }
    }
    enterForward(); // nothing below records: every step is an into form
    try {
      TransformerParts.Buffers b = buffers(src);
      if (normFirst) {
        norm1.forward(src, b.normed);
        selfAttn.forwardInto(b.normed, b.normed, b.normed, srcKeyPaddingMask, srcMask, b.attended);
        src.addInto(b.attended, b.hidden);
        norm2.forward(b.hidden, b.normed);
        feedForwardInto(b.normed, b);
        return b.hidden.addInto(b.attended, out);
      }
      selfAttn.forwardInto(src, src, src, srcKeyPaddingMask, srcMask, b.attended);
      norm1.forwardResidual(src, b.attended, b.hidden);
      feedForwardInto(b.hidden, b);
      return norm2.forwardResidual(b.hidden, b.attended, out);
    } finally {
      exitForward();
    }
  }

  /** {@code linear2(act(linear1(x)))} into {@code b.attended} (the attention's result is used up). */
  private void feedForwardInto(Tensor x, TransformerParts.Buffers b) {
    TransformerParts.feedForwardInto(x, linear1, activation, linear2, b.wide, b.attended);
  }

  /** The buffers of {@link #forward(Tensor, AttentionMask, AttentionMask, Tensor)}. */
  private TransformerParts.Buffers buffers;

  private TransformerParts.Buffers buffers(Tensor src) {
    buffers = TransformerParts.Buffers.fitting(buffers, src, dimFeedforward);
    return buffers;
  }

  private Tensor selfAttentionBlock(Tensor x, AttentionMask mask, AttentionMask keyPadding) {
    return dropout1.forward(selfAttn.forward(x, x, x, keyPadding, false, mask, true).output());
  }

  private Tensor feedForwardBlock(Tensor x) {
    return TransformerParts.feedForward(x, linear1, activation, dropout, linear2, dropout2);
  }

  // covariant returns, so that calls chain

  @Override
  public TransformerEncoderLayer train() {
    return train(true);
  }

  @Override
  public TransformerEncoderLayer train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public TransformerEncoderLayer eval() {
    return train(false);
  }
}
