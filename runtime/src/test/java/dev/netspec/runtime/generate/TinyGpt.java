package dev.netspec.runtime.generate;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.nn.Embedding;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.GELU;
import dev.netspec.runtime.nn.KVCache;
import dev.netspec.runtime.nn.LayerNorm;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.ModuleList;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;

/**
 * nanoGPT's GPT, written by hand from runtime layers with nanoGPT's state-dict keys ({@code
 * transformer.wte}, {@code transformer.h.0.attn.c_attn}, ..., {@code lm_head}), the decoder
 * that tools/fixtures/generate_fixtures.py builds in PyTorch. Two forwards:
 *
 * <ul>
 *   <li>{@link #forward(Tensor)}: ids {@code (batch, t)} to logits {@code (batch, t, vocab)}
 *       over the whole sequence, with {@code scaled_dot_product_attention(is_causal=True)} and
 *       no state, as PyTorch computes it;
 *   <li>{@link #forward(Tensor, int)}: the new tokens only, over a {@link KVCache}, every
 *       intermediate in buffers kept per {@code (batch, n)}: a warm decode step allocates
 *       nothing.
 * </ul>
 */
final class TinyGpt extends Module implements CausalLM {
  final int vocab;
  final int blockSize;
  final int layers;
  final int heads;
  final int embd;
  final Embedding wte;
  final Embedding wpe;
  final ModuleList<Block> h = new ModuleList<>();
  final LayerNorm lnF;
  final Linear lmHead;
  private KVCache cache;
  private Buffers buffers;

  TinyGpt(int vocab, int blockSize, int layers, int heads, int embd) {
    this.vocab = vocab;
    this.blockSize = blockSize;
    this.layers = layers;
    this.heads = heads;
    this.embd = embd;
    Transformer t = addModule("transformer", new Transformer());
    wte = t.addModule("wte", new Embedding(vocab, embd));
    wpe = t.addModule("wpe", new Embedding(blockSize, embd));
    t.addModule("h", h);
    for (int i = 0; i < layers; i++) {
      h.append(new Block(embd, heads));
    }
    lnF = t.addModule("ln_f", new LayerNorm(embd));
    lmHead = addModule("lm_head", new Linear(embd, vocab, false));
  }

  /** {@code transformer}: nanoGPT's ModuleDict, a container only. */
  static final class Transformer extends Module {
    @Override
    public Tensor forward(Tensor x) {
      throw new UnsupportedOperationException("a container");
    }
  }

  /** {@code transformer.h.N}: pre-norm attention and MLP with residuals. */
  static final class Block extends Module {
    final LayerNorm ln1;
    final Linear cAttn;
    final Linear attnProj;
    final LayerNorm ln2;
    final Linear cFc;
    final GELU gelu = new GELU();
    final Linear mlpProj;
    final int heads;

    Block(int embd, int heads) {
      this.heads = heads;
      ln1 = addModule("ln_1", new LayerNorm(embd));
      Module attn = addModule("attn", new Transformer());
      cAttn = attn.addModule("c_attn", new Linear(embd, 3 * embd));
      attnProj = attn.addModule("c_proj", new Linear(embd, embd));
      ln2 = addModule("ln_2", new LayerNorm(embd));
      Module mlp = addModule("mlp", new Transformer());
      cFc = mlp.addModule("c_fc", new Linear(embd, 4 * embd));
      mlp.addModule("gelu", gelu);
      mlpProj = mlp.addModule("c_proj", new Linear(4 * embd, embd));
    }

    /** The whole sequence {@code (B, T, C)}, as nanoGPT's forward. */
    @Override
    public Tensor forward(Tensor x) {
      int b = x.size(0);
      int t = x.size(1);
      int c = x.size(2);
      int hd = c / heads;
      Tensor qkv = cAttn.forward(ln1.forward(x)); // (B, T, 3C)
      Tensor q = qkv.narrow(2, 0, c).reshape(b, t, heads, hd).transpose(1, 2); // (B, H, T, hd)
      Tensor k = qkv.narrow(2, c, c).reshape(b, t, heads, hd).transpose(1, 2);
      Tensor v = qkv.narrow(2, 2 * c, c).reshape(b, t, heads, hd).transpose(1, 2);
      Tensor y = Functional.scaledDotProductAttention(q, k, v, null, true) // (B, H, T, hd)
          .transpose(1, 2).contiguous().reshape(b, t, c);
      x = x.add(attnProj.forward(y));
      return x.add(mlpProj.forward(gelu.forward(cFc.forward(ln2.forward(x)))));
    }

    /** The new tokens {@code x (B, n, C)} at {@code position}, in place, over the cache. */
    void forwardCached(Tensor x, KVCache cache, int layer, int position, Buffers s) {
      ln1.forward(x, s.ln);
      cAttn.forwardInto(s.ln, Activation.NONE, s.qkv); // (B, n, 3C)
      cache.attendInto(layer, position, s.qkv, s.att); // (B, n, C)
      attnProj.forwardInto(s.att, Activation.NONE, s.proj);
      x.addInto(s.proj, x);
      ln2.forward(x, s.ln);
      cFc.forwardInto(s.ln, Activation.NONE, s.hidden); // (B, n, 4C)
      s.hidden.geluInto(s.hidden);
      mlpProj.forwardInto(s.hidden, Activation.NONE, s.proj);
      x.addInto(s.proj, x);
    }
  }

  /** The intermediates of a cached forward on {@code (batch, n)} new tokens. */
  static final class Buffers {
    final int batch;
    final int n;
    final Tensor positions; // (n) int64
    final Tensor tok; // (B, n, C)
    final Tensor pos; // (n, C)
    final Tensor x; // (B, n, C): the residual stream
    final Tensor ln; // (B, n, C)
    final Tensor qkv; // (B, n, 3C)
    final Tensor att; // (B, n, C)
    final Tensor proj; // (B, n, C)
    final Tensor hidden; // (B, n, 4C)
    final Tensor logits; // (B, n, vocab)

    Buffers(int batch, int n, int embd, int vocab) {
      this.batch = batch;
      this.n = n;
      positions = Tensor.zeros(DType.INT64, n);
      tok = Tensor.zeros(batch, n, embd);
      pos = Tensor.zeros(n, embd);
      x = Tensor.zeros(batch, n, embd);
      ln = Tensor.zeros(batch, n, embd);
      qkv = Tensor.zeros(batch, n, 3 * embd);
      att = Tensor.zeros(batch, n, embd);
      proj = Tensor.zeros(batch, n, embd);
      hidden = Tensor.zeros(batch, n, 4 * embd);
      logits = Tensor.zeros(batch, n, vocab);
    }
  }

  /** nanoGPT's forward: {@code ids (B, T)} to {@code logits (B, T, vocab)}, no cache. */
  @Override
  public Tensor forward(Tensor ids) {
    int t = ids.size(1);
    Tensor x = wte.forward(ids).add(wpe.forward(Tensor.arange(t).to(DType.INT64)));
    for (Block block : h) {
      x = block.forward(x);
    }
    return lmHead.forward(lnF.forward(x));
  }

  @Override
  public Tensor forward(Tensor ids, int position) {
    int batch = ids.size(0);
    int n = ids.size(1);
    if (cache == null || cache.batch() != batch) {
      cache = new KVCache(layers, batch, heads, blockSize, embd / heads);
    }
    Buffers s = buffers;
    if (s == null || s.batch != batch || s.n != n) {
      s = buffers = new Buffers(batch, n, embd, vocab);
    }
    long[] p = s.positions.longArray();
    for (int i = 0; i < n; i++) {
      p[i] = position + i;
    }
    s.positions.bumpVersion();
    wte.forward(ids, s.tok);
    wpe.forward(s.positions, s.pos);
    s.tok.addInto(s.pos, s.x); // (B, n, C) + (n, C)
    for (int i = 0; i < layers; i++) {
      h.get(i).forwardCached(s.x, cache, i, position, s);
    }
    lnF.forward(s.x, s.ln);
    return lmHead.forwardInto(s.ln, Activation.NONE, s.logits);
  }

  @Override
  public void resetCache() {
    if (cache != null) {
      cache.reset();
    }
  }

  @Override
  public int maxContext() {
    return blockSize;
  }

  KVCache cache() {
    return cache;
  }
}
