package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Tensor;

/**
 * A stack of {@code num_layers} copies of an encoder layer, then an optional norm ({@code
 * nn.TransformerEncoder}). The copies (children {@code layers.0}, {@code layers.1}, ...)
 * start with the given layer's values, as PyTorch's deep copies do; the given layer itself
 * is not part of the encoder.
 *
 * <p>PyTorch 1.13+ may run an eval-mode, batch-first encoder with a {@code
 * src_key_padding_mask} on nested tensors, which returns 0 at the padded positions; this
 * encoder always computes them (the unpadded positions agree).
 */
public final class TransformerEncoder extends Module {
  public final ModuleList<TransformerEncoderLayer> layers;
  /** The final norm, or null. */
  public final Module norm;

  /** {@code nn.TransformerEncoder(encoder_layer, num_layers)}. */
  public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers) {
    this(encoderLayer, numLayers, null);
  }

  /** {@code nn.TransformerEncoder(encoder_layer, num_layers, norm)}; {@code norm} may be null. */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, Module norm) {
    TransformerParts.checkPositive("TransformerEncoder", "num_layers", numLayers);
    ModuleList<TransformerEncoderLayer> list = new ModuleList<>();
    for (int i = 0; i < numLayers; i++) {
      list.append(encoderLayer.copy());
    }
    this.layers = addModule("layers", list);
    this.norm = norm == null ? null : addModule("norm", norm);
  }

  /** The number of layers. */
  public int numLayers() {
    return layers.size();
  }

  /** Layer {@code i}. */
  public TransformerEncoderLayer layer(int i) {
    return layers.get(i);
  }

  @Override
  public Tensor forward(Tensor src) {
    return forward(src, null, null);
  }

  /** {@code encoder(src, mask, src_key_padding_mask)}; either mask may be null. */
  public Tensor forward(Tensor src, AttentionMask mask, AttentionMask srcKeyPaddingMask) {
    Tensor x = src;
    for (Module layer : layers) {
      x = ((TransformerEncoderLayer) layer).forward(x, mask, srcKeyPaddingMask);
    }
    return norm == null ? x : norm.forward(x);
  }

  /** {@code encoder(src)} written into {@code out}, as {@link #forward(Tensor, AttentionMask, AttentionMask, Tensor)}. */
  @Override
  public Tensor forward(Tensor src, Tensor out) {
    return forward(src, null, null, out);
  }

  /**
   * {@code encoder(src, mask, src_key_padding_mask)} written into {@code out} (shaped as
   * {@code src}, contiguous, not sharing its storage) and returned: each layer's
   * allocation-free forward ({@link TransformerEncoderLayer#forward(Tensor, AttentionMask,
   * AttentionMask, Tensor)}) between two buffers this encoder keeps, then the norm's. One
   * thread at a time on one instance.
   */
  public Tensor forward(Tensor src, AttentionMask mask, AttentionMask srcKeyPaddingMask,
      Tensor out) {
    if (!src.isContiguous() || !out.isContiguous() || out.sharesStorageWith(src)
        || out.dim() != src.dim() || out.numel() != src.numel()) {
      try (GradMode.Scope scope = GradMode.noGrad()) {
        return forward(src, mask, srcKeyPaddingMask).copyInto(out);
      }
    }
    enterForward();
    try {
      if (between == null || !between[0].sameShape(src)) {
        between = new Tensor[] {Tensor.zeros(src.shape()), Tensor.zeros(src.shape())};
      }
      Tensor x = src;
      for (int i = 0; i < layers.size(); i++) {
        Tensor dest = i == layers.size() - 1 && norm == null ? out : between[i % 2];
        x = layers.get(i).forward(x, mask, srcKeyPaddingMask, dest);
      }
      return norm == null ? x : norm.forward(x, out);
    } finally {
      exitForward();
    }
  }

  /** The two tensors the layers of {@link #forward(Tensor, Tensor)} write in turn. */
  private Tensor[] between;

  // covariant returns, so that calls chain

  @Override
  public TransformerEncoder train() {
    return train(true);
  }

  @Override
  public TransformerEncoder train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public TransformerEncoder eval() {
    return train(false);
  }
}
