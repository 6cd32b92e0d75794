package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Tensor;

/**
 * One Transformer decoder layer ({@code nn.TransformerDecoderLayer}): self-attention over the
 * target, attention from the target to the encoder's output ({@code memory}), and a
 * feed-forward block, each with a residual connection and a LayerNorm after it (or before,
 * with {@code norm_first}). Children as PyTorch names them: {@code self_attn}, {@code
 * multihead_attn}, {@code linear1}, {@code dropout}, {@code linear2}, {@code norm1}, {@code
 * norm2}, {@code norm3}, {@code dropout1}, {@code dropout2}, {@code dropout3}.
 */
public final class TransformerDecoderLayer extends Module {
  public final MultiheadAttention selfAttn;
  public final MultiheadAttention multiheadAttn;
  public final Linear linear1;
  public final Dropout dropout;
  public final Linear linear2;
  public final LayerNorm norm1;
  public final LayerNorm norm2;
  public final LayerNorm norm3;
  public final Dropout dropout1;
  public final Dropout dropout2;
  public final Dropout dropout3;
  private final String activation;
  private final boolean normFirst;
  private final double dropoutP;
  private final int dModel;
  private final int dimFeedforward;
  /** The buffers of the allocation-free forward, for the last target's shape. */
  private TransformerParts.Buffers buffers;

  /** {@code nn.TransformerDecoderLayer(d_model, nhead)}: PyTorch's defaults. */
  public TransformerDecoderLayer(int dModel, int nhead) {
    this(dModel, nhead, 2048, 0.1, "relu", 1e-5, false, false);
  }

  /**
   * {@code nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
   * layer_norm_eps, batch_first, norm_first)}; {@code activation} is {@code "relu"} or
   * {@code "gelu"}.
   */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward, double dropout,
      String activation, double layerNormEps, boolean batchFirst, boolean normFirst) {
    String name = "TransformerDecoderLayer";
    TransformerParts.checkPositive(name, "d_model", dModel);
    TransformerParts.checkPositive(name, "dim_feedforward", dimFeedforward);
    this.activation = TransformerParts.checkActivation(name, activation);
    this.normFirst = normFirst;
    this.dropoutP = dropout;
    this.dModel = dModel;
    this.dimFeedforward = dimFeedforward;
    this.selfAttn = addModule("self_attn",
        new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
    this.multiheadAttn = addModule("multihead_attn",
        new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
    this.linear1 = addModule("linear1", new Linear(dModel, dimFeedforward));
    this.dropout = addModule("dropout", new Dropout(dropout));
    this.linear2 = addModule("linear2", new Linear(dimFeedforward, dModel));
    int[] shape = {dModel};
    this.norm1 = addModule("norm1", new LayerNorm(shape, layerNormEps, true));
    this.norm2 = addModule("norm2", new LayerNorm(shape, layerNormEps, true));
    this.norm3 = addModule("norm3", new LayerNorm(shape, layerNormEps, true));
    this.dropout1 = addModule("dropout1", new Dropout(dropout));
    this.dropout2 = addModule("dropout2", new Dropout(dropout));
    this.dropout3 = addModule("dropout3", new Dropout(dropout));
  }

  /** {@code "relu"} or {@code "gelu"}. */
  public String activation() {
    return activation;
  }

  public boolean normFirst() {
    return normFirst;
  }

  /** A decoder layer needs the target and the memory: call {@link #forward(Tensor, Tensor)}. */
  @Override
  public Tensor forward(Tensor tgt) {
    throw new UnsupportedOperationException(
        "TransformerDecoderLayer needs tgt and memory: call forward(tgt, memory)");
  }

  /** {@code layer(tgt, memory)}: no masks. */
  public Tensor forward(Tensor tgt, Tensor memory) {
    return forward(tgt, memory, null, null, null, null);
  }

  /**
   * {@code layer(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
   * memory_key_padding_mask)}; any mask may be null.
   */
  public Tensor forward(Tensor tgt, Tensor memory, AttentionMask tgtMask,
      AttentionMask memoryMask, AttentionMask tgtKeyPaddingMask,
      AttentionMask memoryKeyPaddingMask) {
    Tensor x = tgt;
    if (normFirst) {
      x = x.add(selfAttentionBlock(norm1.forward(x), tgtMask, tgtKeyPaddingMask));
      x = x.add(crossAttentionBlock(norm2.forward(x), memory, memoryMask, memoryKeyPaddingMask));
      return x.add(feedForwardBlock(norm3.forward(x)));
    }
    x = norm1.forward(x.add(selfAttentionBlock(x, tgtMask, tgtKeyPaddingMask)));
    x = norm2.forward(x.add(crossAttentionBlock(x, memory, memoryMask, memoryKeyPaddingMask)));
    return norm3.forward(x.add(feedForwardBlock(x)));
  }

  /** {@code layer(tgt, memory)} written into {@code out}, as {@link #forward(Tensor, Tensor, AttentionMask, AttentionMask, AttentionMask, AttentionMask, Tensor)}. */
  public Tensor forward(Tensor tgt, Tensor memory, Tensor out) {
    return forward(tgt, memory, null, null, null, null, out);
  }

  /**
   * {@code layer(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
   * memory_key_padding_mask)} written into {@code out} (shaped as {@code tgt}, contiguous, not
   * sharing its storage or the memory's) and returned: the inference path. Allocation-free
   * once warm in eval mode: both attentions through {@link MultiheadAttention#forwardInto},
   * each residual added inside its LayerNorm's pass (post-norm) or into a buffer (norm first),
   * the feed-forward's activation in linear1's GEMM, into buffers this layer keeps for the last
   * target's shape; the same floats as the allocating forward. One thread at a time on one
   * instance. In training with dropout, or for operands of another layout, it runs the
   * allocating forward and copies.
   */
  public Tensor forward(Tensor tgt, Tensor memory, AttentionMask tgtMask, AttentionMask memoryMask,
      AttentionMask tgtKeyPaddingMask, AttentionMask memoryKeyPaddingMask, Tensor out) {
    if (isTraining() && dropoutP > 0 || !tgt.isContiguous() || !out.isContiguous()
        || out.dim() != tgt.dim() || !out.sameShape(tgt) || out.sharesStorageWith(tgt)
        || out.sharesStorageWith(memory) || tgt.dim() < 2 || tgt.size(-1) != dModel) {
      try (GradMode.Scope scope = GradMode.noGrad()) {
        return forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask)
            .copyInto(out);
      }
    }
    enterForward(); // nothing below records: every step is an into form
    try {
      TransformerParts.Buffers b = TransformerParts.Buffers.fitting(buffers, tgt, dimFeedforward);
      buffers = b;
      if (normFirst) {
        norm1.forward(tgt, b.normed);
        selfAttn.forwardInto(b.normed, b.normed, b.normed, tgtKeyPaddingMask, tgtMask, b.attended);
        tgt.addInto(b.attended, b.hidden);
        norm2.forward(b.hidden, b.normed);
        multiheadAttn.forwardInto(b.normed, memory, memory, memoryKeyPaddingMask, memoryMask,
            b.attended);
        b.hidden.addInto(b.attended, b.hidden);
        norm3.forward(b.hidden, b.normed);
        TransformerParts.feedForwardInto(b.normed, linear1, activation, linear2, b.wide, b.attended);
        return b.hidden.addInto(b.attended, out);
      }
      selfAttn.forwardInto(tgt, tgt, tgt, tgtKeyPaddingMask, tgtMask, b.attended);
      norm1.forwardResidual(tgt, b.attended, b.hidden);
      multiheadAttn.forwardInto(b.hidden, memory, memory, memoryKeyPaddingMask, memoryMask,
          b.attended);
      norm2.forwardResidual(b.hidden, b.attended, b.normed);
      TransformerParts.feedForwardInto(b.normed, linear1, activation, linear2, b.wide, b.attended);
      return norm3.forwardResidual(b.normed, b.attended, out);
    } finally {
      exitForward();
    }
  }

  private Tensor selfAttentionBlock(Tensor x, AttentionMask mask, AttentionMask keyPadding) {
    return dropout1.forward(selfAttn.forward(x, x, x, keyPadding, false, mask, true).output());
  }

  private Tensor crossAttentionBlock(Tensor x, Tensor memory, AttentionMask mask,
      AttentionMask keyPadding) {
    return dropout2.forward(
        multiheadAttn.forward(x, memory, memory, keyPadding, false, mask, true).output());
  }

  private Tensor feedForwardBlock(Tensor x) {
    return TransformerParts.feedForward(x, linear1, activation, dropout, linear2, dropout3);
  }

  // covariant returns, so that calls chain

  @Override
  public TransformerDecoderLayer train() {
    return train(true);
  }

  @Override
  public TransformerDecoderLayer train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public TransformerDecoderLayer eval() {
    return train(false);
  }
}
