package dev.netspec.runtime.nn;

import dev.netspec.runtime.kernels.Attention;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * The keys and values a causal decoder keeps between calls, so that generating one token
 * costs time linear in the context instead of recomputing the whole prefix. Each of the
 * {@code numLayers} attention layers has a key and a value buffer of {@code (batch, heads,
 * max_len, head_dim)}, allocated once; the first {@link #length()} positions hold the tokens
 * seen so far.
 *
 * <p>{@link #attend} is causal self-attention of {@code n} new tokens at positions {@code
 * [position, position + n)}: it writes their keys and values at those positions of the
 * layer's buffers, then runs the fused {@link Attention} kernel over the keys {@code [0,
 * position + n)}, new query {@code i} seeing the keys {@code j <= position + i} (the causal
 * mask offset by the cached tokens). A call on {@code n} tokens of a context of {@code t}
 * costs {@code n * t} dot products per head, and a warm call with contiguous operands
 * allocates nothing.
 *
 * <pre>{@code
 * KVCache cache = new KVCache(12, 1, 12, 1024, 64);      // GPT-2 small, batch 1
 * // in layer i's forward, x (batch, n, 768) at position p:
 * Tensor qkv = cAttn.forward(x);                         // (batch, n, 3 * 768): q | k | v
 * Tensor y = cache.attend(i, p, qkv);                    // (batch, n, 768)
 * }</pre>
 *
 * <p>Queries, keys and values come as the projections produce them, the heads side by side:
 * {@code (batch, n, heads * head_dim)}, or packed {@code (batch, n, 3 * heads * head_dim)}
 * (nanoGPT's {@code c_attn}, {@code nn.MultiheadAttention}'s {@code in_proj}); the result is
 * laid out the same way, ready for the output projection. A position may go back (to decode
 * again from an earlier token) but not skip ahead of what a layer holds. Not for concurrent
 * use: one cache per sequence batch being decoded.
 */
public final class KVCache {
  private final int numLayers;
  private final int batch;
  private final int numHeads;
  private final int maxLength;
  private final int headDim;
  private final Tensor[] keys; // per layer (batch, heads, max_len, head_dim)
  private final Tensor[] values; // per layer (batch, heads, max_len, head_dim)
  private final int[] lengths; // per layer: the tokens it holds
  private final Attention[] plans; // per layer: the kernel plan, reused

  /**
   * Buffers for {@code numLayers} layers of {@code numHeads} heads of {@code headDim}, for
   * {@code batch} sequences of up to {@code maxLength} tokens ({@code 2 * numLayers * batch *
   * numHeads * maxLength * headDim} floats, allocated now).
   */
  public KVCache(int numLayers, int batch, int numHeads, int maxLength, int headDim) {
    if (numLayers <= 0 || batch <= 0 || numHeads <= 0 || maxLength <= 0 || headDim <= 0) {
      throw new IllegalArgumentException("KVCache: every size must be greater than 0, got"
          + " num_layers=" + numLayers + ", batch=" + batch + ", num_heads=" + numHeads
          + ", max_len=" + maxLength + ", head_dim=" + headDim);
    }
    long floats = 2L * numLayers * batch * numHeads * maxLength * headDim;
    if ((long) batch * numHeads * maxLength * headDim > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("KVCache: one layer's keys (" + batch + " x " + numHeads
          + " x " + maxLength + " x " + headDim + " floats) exceed a Java array; total "
          + floats + " floats");
    }
    this.numLayers = numLayers;
    this.batch = batch;
    this.numHeads = numHeads;
    this.maxLength = maxLength;
    this.headDim = headDim;
    this.keys = new Tensor[numLayers];
    this.values = new Tensor[numLayers];
    this.plans = new Attention[numLayers];
    this.lengths = new int[numLayers];
    for (int i = 0; i < numLayers; i++) {
      keys[i] = Tensor.zeros(batch, numHeads, maxLength, headDim);
      values[i] = Tensor.zeros(batch, numHeads, maxLength, headDim);
      plans[i] = new Attention();
    }
  }

  public int numLayers() {
    return numLayers;
  }

  public int batch() {
    return batch;
  }

  public int numHeads() {
    return numHeads;
  }

  /** {@code max_len}: the most tokens a sequence may reach. */
  public int maxLength() {
    return maxLength;
  }

  public int headDim() {
    return headDim;
  }

  /** The tokens every layer holds: the position of the next token. */
  public int length() {
    int min = lengths[0];
    for (int l : lengths) {
      min = Math.min(min, l);
    }
    return min;
  }

  /** Forgets every token (the buffers are overwritten, not cleared): the next position is 0. */
  public void reset() {
    Arrays.fill(lengths, 0);
  }

  /** Layer {@code layer}'s key buffer, {@code (batch, heads, max_len, head_dim)}; positions past {@link #length()} are stale. */
  public Tensor keys(int layer) {
    return keys[checkLayer(layer)];
  }

  /** Layer {@code layer}'s value buffer, {@code (batch, heads, max_len, head_dim)}. */
  public Tensor values(int layer) {
    return values[checkLayer(layer)];
  }

  /**
   * Causal self-attention of the tokens at {@code [position, position + n)} over the cache,
   * from the packed projection {@code qkv (batch, n, 3 * heads * head_dim)} (query, key, value
   * side by side); returns a new {@code (batch, n, heads * head_dim)}.
   */
  public Tensor attend(int layer, int position, Tensor qkv) {
    Tensor out = Tensor.zeros(batch, checkRows("qkv", qkv, 3), numHeads * headDim);
    return attendInto(layer, position, qkv, out);
  }

  /** {@link #attend(int, int, Tensor)} written into {@code out}: allocation-free when both are contiguous. */
  public Tensor attendInto(int layer, int position, Tensor qkv, Tensor out) {
    int w = numHeads * headDim;
    int n = checkRows("qkv", qkv, 3);
    Tensor p = dense(qkv);
    return run(layer, position, n, p, 0, p, w, p, 2 * w, out);
  }

  /**
   * Causal self-attention of the tokens at {@code [position, position + n)} from separate
   * projections {@code q}, {@code k}, {@code v}, each {@code (batch, n, heads * head_dim)};
   * returns a new {@code (batch, n, heads * head_dim)}.
   */
  public Tensor attend(int layer, int position, Tensor q, Tensor k, Tensor v) {
    Tensor out = Tensor.zeros(batch, checkRows("q", q, 1), numHeads * headDim);
    return attendInto(layer, position, q, k, v, out);
  }

  /** {@link #attend(int, int, Tensor, Tensor, Tensor)} written into {@code out}: allocation-free when all are contiguous. */
  public Tensor attendInto(int layer, int position, Tensor q, Tensor k, Tensor v, Tensor out) {
    int n = checkRows("q", q, 1);
    if (checkRows("k", k, 1) != n || checkRows("v", v, 1) != n) {
      throw new IllegalArgumentException("KVCache: q, k and v must hold the same tokens, got"
          + " shapes " + Arrays.toString(q.shape()) + ", " + Arrays.toString(k.shape()) + ", "
          + Arrays.toString(v.shape()));
    }
    return run(layer, position, n, dense(q), 0, dense(k), 0, dense(v), 0, out);
  }

  /** Stores the new keys and values, then attends: the body of every {@code attend}. */
  private Tensor run(int layer, int position, int n, Tensor q, int qCol, Tensor k, int kCol,
      Tensor v, int vCol, Tensor out) {
    checkLayer(layer);
    int w = numHeads * headDim;
    if (out.dim() != 3 || out.size(0) != batch || out.size(1) != n || out.size(2) != w
        || !out.isContiguous()) {
      throw new IllegalArgumentException("KVCache: out must be a contiguous (batch, n, heads *"
          + " head_dim) = " + Arrays.toString(new int[] {batch, n, w}) + ", got "
          + Arrays.toString(out.shape()) + (out.isContiguous() ? "" : " (not contiguous)"));
    }
    if (out.sharesStorageWith(q) || out.sharesStorageWith(k) || out.sharesStorageWith(v)) {
      throw new IllegalArgumentException("KVCache: out must not share storage with q, k or v");
    }
    if (position < 0 || position > lengths[layer]) {
      throw new IllegalArgumentException("KVCache: position " + position + " of layer " + layer
          + " must be in [0, " + lengths[layer] + "]: the layer holds " + lengths[layer]
          + " tokens, and positions may not skip any");
    }
    if (position + n > maxLength) {
      throw new IllegalStateException("KVCache: tokens [" + position + ", " + (position + n)
          + ") exceed max_len " + maxLength + "; reset() the cache or make a longer one");
    }
    store(k, kCol, keys[layer], position, n);
    store(v, vCol, values[layer], position, n);
    lengths[layer] = position + n;
    int s = position + n;
    int qw = q.size(2);
    int cacheBatch = numHeads * maxLength * headDim;
    int cacheHead = maxLength * headDim;
    float[] ks = keys[layer].array();
    float[] vs = values[layer].array();
    out.bumpVersion();
    plans[layer].dims(batch, numHeads, n, s, headDim, headDim).causal(true, position)
        .query(q.array(), q.arrayOffset() + qCol, n * qw, headDim, qw)
        .key(ks, 0, cacheBatch, cacheHead, headDim)
        .value(vs, 0, cacheBatch, cacheHead, headDim)
        .output(out.array(), out.arrayOffset(), n * w, headDim, w)
        .run();
    return out;
  }

  /** Copies the heads of {@code src (batch, n, width)} from column {@code col} into rows {@code [position, position + n)} of {@code cache}. */
  private void store(Tensor src, int col, Tensor cache, int position, int n) {
    float[] from = src.array();
    float[] to = cache.array();
    int w = src.size(2);
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < numHeads; h++) {
        int dst = ((b * numHeads + h) * maxLength + position) * headDim;
        int at = src.arrayOffset() + b * n * w + col + h * headDim;
        for (int i = 0; i < n; i++) {
          System.arraycopy(from, at + i * w, to, dst + i * headDim, headDim);
        }
      }
    }
    cache.bumpVersion();
  }

  /** The token count {@code n} of {@code t (batch, n, parts * heads * head_dim)}. */
  private int checkRows(String name, Tensor t, int parts) {
    int w = parts * numHeads * headDim;
    if (t.dim() != 3 || t.size(0) != batch || t.size(2) != w) {
      throw new IllegalArgumentException("KVCache: " + name + " must be (batch, n, "
          + (parts == 1 ? "" : parts + " * ") + "heads * head_dim) = (" + batch + ", n, " + w
          + "), got " + Arrays.toString(t.shape()));
    }
    t.requireFloat("KVCache.attend");
    return t.size(1);
  }

  private int checkLayer(int layer) {
    if (layer < 0 || layer >= numLayers) {
      throw new IndexOutOfBoundsException("KVCache: layer " + layer + " is out of range [0, "
          + numLayers + ")");
    }
    return layer;
  }

  private static Tensor dense(Tensor t) {
    return t.isContiguous() ? t : t.contiguous();
  }

  @Override
  public String toString() {
    return "KVCache(num_layers=" + numLayers + ", batch=" + batch + ", num_heads=" + numHeads
        + ", max_len=" + maxLength + ", head_dim=" + headDim + ", length=" + length() + ")";
  }
}
