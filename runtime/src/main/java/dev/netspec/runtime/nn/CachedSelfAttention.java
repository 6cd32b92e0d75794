package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.AttentionGrad;
import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Causal self-attention that remembers the keys and values of earlier calls: the spec's
 * {@code kv_cache} layer. It takes the packed projection {@code qkv (batch, n, 3 * embed_dim)}
 * (queries, keys and values side by side, as nanoGPT's {@code c_attn} gives them) of {@code n}
 * new tokens at positions {@code [position, position + n)} and returns their attention output
 * {@code (batch, n, embed_dim)}, heads side by side, ready for the output projection. It is
 * nanoGPT's
 *
 * <pre>{@code
 * q, k, v = qkv.split(n_embd, dim=2)      # each viewed (B, nh, T, hs)
 * k = torch.cat([past_k, k], dim=2); v = torch.cat([past_v, v], dim=2)
 * y = F.scaled_dot_product_attention(q, k, v, is_causal=True)   # offset by the past
 * y = y.transpose(1, 2).contiguous().view(B, T, C)
 * }</pre>
 *
 * <p>over a {@link KVCache} of {@code max_len} positions, allocated at the first call for a
 * batch size: a call on {@code n} tokens of a context of {@code t} costs {@code n * t} dot
 * products per head. The position is set by the model that owns the layer ({@link #seek},
 * from a block's {@code position:}); it starts at 0, where the layer is plain causal
 * self-attention over its input. Parameters: none; state-dict keys: none.
 */
public final class CachedSelfAttention extends Module {
  private final int embedDim;
  private final int numHeads;
  private final int maxLen;
  private KVCache cache; // allocated for the batch of the first call
  private int position;
  /** The calls that recorded, in position order: the tokens they cached have a graph. */
  private final List<Segment> recorded = new ArrayList<>();

  /** {@code length} tokens from {@code start} whose keys and values are columns of {@code qkv}. */
  private record Segment(int start, int length, Tensor qkv) {}

  /** {@code embed_dim} split into {@code num_heads} heads, up to {@code max_len} tokens. */
  public CachedSelfAttention(int embedDim, int numHeads, int maxLen) {
    if (embedDim <= 0 || numHeads <= 0 || maxLen <= 0 || embedDim % numHeads != 0) {
      throw new IllegalArgumentException("CachedSelfAttention: embed_dim (" + embedDim
          + ") must be a positive multiple of num_heads (" + numHeads + ") and max_len ("
          + maxLen + ") positive");
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.maxLen = maxLen;
  }

  /** {@code max_len}: the most tokens a sequence may reach. */
  public int maxLen() {
    return maxLen;
  }

  /** The position of the next call's first token. */
  public int position() {
    return position;
  }

  /** Sets the position of the next call's first token; tokens from there on are forgotten. */
  public void seek(int position) {
    if (position < 0 || position >= maxLen) {
      throw new IllegalArgumentException("CachedSelfAttention: position " + position
          + " is outside [0, " + maxLen + ") (max_len " + maxLen + ")");
    }
    this.position = position;
  }

  /** Forgets every token: the next call starts at position 0. */
  public void reset() {
    position = 0;
    recorded.clear();
    if (cache != null) {
      cache.reset();
    }
  }

  /**
   * The attention of {@code qkv}'s tokens over the cache and themselves, recorded for a
   * backward pass while recording is on and {@code qkv} or a cached token requires a
   * gradient. As PyTorch's {@code torch.cat([past_k, k])} over a cache that keeps its graph,
   * a call from a later position differentiates the cached keys and values too: those that
   * earlier recorded calls cached pass their gradients back to those calls' {@code qkv}
   * (so a backward through a decode step reaches the prompt's forward), those cached without
   * recording are constants.
   */
  @Override
  public Tensor forward(Tensor qkv) {
    Tensor y = cache(qkv).attend(0, position, qkv);
    forgetFrom(position);
    Tensor out = position == 0 ? AttentionGrad.recordCausalPacked(qkv, numHeads, y)
        : recordAfterPast(qkv, y);
    if (Autograd.isRecording(qkv)) {
      recorded.add(new Segment(position, qkv.size(1), qkv));
    }
    return out;
  }

  /** Allocation-free once the cache exists, for contiguous tensors; never records. */
  @Override
  public Tensor forward(Tensor qkv, Tensor out) {
    Tensor y = cache(qkv).attendInto(0, position, qkv, out);
    forgetFrom(position);
    return y;
  }

  /** Drops what the recorded calls cached from {@code start} on: the cache holds new tokens there. */
  private void forgetFrom(int start) {
    for (int i = recorded.size() - 1; i >= 0; i--) {
      Segment s = recorded.get(i);
      if (s.start() >= start) {
        recorded.remove(i);
      } else if (s.start() + s.length() > start) {
        recorded.set(i, new Segment(s.start(), start - s.start(), s.qkv()));
      }
    }
  }

  /**
   * Records {@code y}, the attention of the tokens of {@code qkv} at {@code [position,
   * position + n)} over the keys and values of {@code [0, position + n)}: the cached ones
   * (each recorded call's columns of its {@code qkv}, the rest constants read from the cache)
   * and the new ones, under a causal mask offset by {@code position}; unrecorded when nothing
   * requires a gradient.
   */
  private Tensor recordAfterPast(Tensor qkv, Tensor y) {
    if (!GradMode.isEnabled() || !Autograd.isRecording(qkv) && recorded.isEmpty()) {
      return y;
    }
    int n = qkv.size(1);
    int total = position + n;
    List<Tensor> keys = new ArrayList<>();
    List<Tensor> values = new ArrayList<>();
    int at = 0;
    for (Segment s : recorded) {
      if (s.start() > at) {
        constants(at, s.start() - at, keys, values);
      }
      keys.add(s.qkv().narrow(1, 0, s.length()).narrow(2, embedDim, embedDim));
      values.add(s.qkv().narrow(1, 0, s.length()).narrow(2, 2 * embedDim, embedDim));
      at = s.start() + s.length();
    }
    if (at < position) {
      constants(at, position - at, keys, values);
    }
    keys.add(qkv.narrow(2, embedDim, embedDim));
    values.add(qkv.narrow(2, 2 * embedDim, embedDim));
    float[] future = new float[n * total];
    for (int i = 0; i < n; i++) {
      Arrays.fill(future, i * total + position + i + 1, (i + 1) * total, Float.NEGATIVE_INFINITY);
    }
    Tensor attn = AttentionGrad.recordMultihead(
        new AttentionGrad.Heads(qkv.size(0), numHeads, embedDim / numHeads, false), qkv, 0,
        Tensor.concat(keys, 1), 0, Tensor.concat(values, 1), 0,
        Tensor.fromArray(future, n, total), null, y, null)[0];
    return Autograd.recordUnary("ViewBackward0", attn, attn.detach(), g -> g);
  }

  /** The cached keys and values of {@code [start, start + length)} as {@code (batch, length, E)} constants. */
  private void constants(int start, int length, List<Tensor> keys, List<Tensor> values) {
    int b = cache.batch();
    try (GradMode.Scope scope = GradMode.noGrad()) {
      keys.add(cache.keys(0).narrow(2, start, length).permute(0, 2, 1, 3).contiguous()
          .reshape(b, length, embedDim));
      values.add(cache.values(0).narrow(2, start, length).permute(0, 2, 1, 3).contiguous()
          .reshape(b, length, embedDim));
    }
  }

  private KVCache cache(Tensor qkv) {
    if (qkv.dim() != 3 || qkv.size(2) != 3 * embedDim) {
      throw new IllegalArgumentException("CachedSelfAttention: expected qkv (batch, n, 3 * "
          + embedDim + "), got " + java.util.Arrays.toString(qkv.shape()));
    }
    if (cache == null || cache.batch() != qkv.size(0)) {
      if (position != 0) {
        throw new IllegalArgumentException("CachedSelfAttention: a batch of " + qkv.size(0)
            + " at position " + position + ", but the cache holds no tokens of that batch;"
            + " start at position 0");
      }
      cache = new KVCache(1, qkv.size(0), numHeads, maxLen, embedDim / numHeads);
    }
    return cache;
  }

  /** Every {@code CachedSelfAttention} in {@code root}'s tree, in {@link #modules()} order. */
  public static List<CachedSelfAttention> in(Module root) {
    List<CachedSelfAttention> out = new ArrayList<>();
    for (Module m : root.modules()) {
      if (m instanceof CachedSelfAttention c) {
        out.add(c);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException(root.getClass().getSimpleName() + " decodes from a"
          + " position but holds no kv_cache layer to remember the earlier tokens");
    }
    return out;
  }

  /** {@link #seek} on each of {@code caches}: what a block's {@code position:} does per call. */
  public static void seek(List<CachedSelfAttention> caches, int position) {
    for (int i = 0; i < caches.size(); i++) {
      caches.get(i).seek(position);
    }
  }

  /** {@link #reset} on each of {@code caches}. */
  public static void reset(List<CachedSelfAttention> caches) {
    for (int i = 0; i < caches.size(); i++) {
      caches.get(i).reset();
    }
  }

  /** The least {@code max_len} of {@code caches}: the model's context. */
  public static int maxContext(List<CachedSelfAttention> caches) {
    int min = Integer.MAX_VALUE;
    for (int i = 0; i < caches.size(); i++) {
      min = Math.min(min, caches.get(i).maxLen);
    }
    return min;
  }

  @Override
  public String extraRepr() {
    return "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", max_len=" + maxLen;
  }

  // covariant returns, so that calls chain

  @Override
  public CachedSelfAttention train() {
    return train(true);
  }

  @Override
  public CachedSelfAttention train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public CachedSelfAttention eval() {
    return train(false);
  }
}
