package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.AttentionGrad;
import dev.netspec.runtime.autograd.Autograd;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.autograd.ReductionGrad;
import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Attention;
import dev.netspec.runtime.kernels.BinaryOp;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Multi-head attention ({@code nn.MultiheadAttention}): project the query, key and value,
 * attend per head with the fused {@link Attention} kernel, concatenate the heads and project
 * them out. Parameters as PyTorch names and lays them out: {@code in_proj_weight [3E, E]}
 * (or {@code q_proj_weight [E, E]}, {@code k_proj_weight [E, kdim]}, {@code v_proj_weight
 * [E, vdim]} when {@code kdim} or {@code vdim} differ from {@code embed_dim}), {@code
 * in_proj_bias [3E]} and the child {@code out_proj}. PyTorch's init: {@code xavier_uniform_}
 * on the input projections, zeros for both biases.
 *
 * <p>Inputs are {@code (L, N, E)}, or {@code (N, L, E)} with {@code batch_first}, or
 * unbatched {@code (L, E)}. The heads are read straight out of the projection's output
 * (strided), so nothing is transposed or copied. Masks follow PyTorch: {@code attn_mask} of
 * {@code (L, S)} or {@code (N * num_heads, L, S)}, {@code key_padding_mask} of {@code (N, S)}
 * (or {@code (S)} unbatched); a float mask is added to the scores, a boolean one ({@link
 * AttentionMask#ofBool}) ignores the keys where it is True.
 *
 * <p>In training with {@code dropout > 0} the attention weights are dropped out with this
 * layer's seeded stream {@code <name>.mask} before they weigh the values, as PyTorch does.
 * The forward allocates its results and is safe to share between threads, like
 * {@link Linear}; {@link #forwardInto} (and {@code forward(x, out)}) writes into buffers of
 * this instance, one thread at a time, and allocates nothing once warm.
 */
public final class MultiheadAttention extends Module {
  /** {@code (output, weights)}: {@code weights} is null unless asked for. */
  public record Output(Tensor output, Tensor weights) {}

  /** The packed input projection {@code [3E, E]}, or null when kdim or vdim differ. */
  public final Parameter inProjWeight;
  /** The query projection {@code [E, E]} when kdim or vdim differ, else null. */
  public final Parameter qProjWeight;
  /** The key projection {@code [E, kdim]} when kdim or vdim differ, else null. */
  public final Parameter kProjWeight;
  /** The value projection {@code [E, vdim]} when kdim or vdim differ, else null. */
  public final Parameter vProjWeight;
  /** The input projection's bias {@code [3E]}, or null without bias. */
  public final Parameter inProjBias;
  /** The output projection {@code E -> E} ({@code out_proj}). */
  public final NonDynamicallyQuantizableLinear outProj;

  private final int embedDim;
  private final int numHeads;
  private final int headDim;
  private final int kdim;
  private final int vdim;
  private final double dropout;
  private final boolean batchFirst;
  // Shared with replicas (shareDerived), which use the original's split too.
  private PackedWeight packedQkv = new PackedWeight();
  private PackedWeight packedQ = new PackedWeight();
  private PackedWeight packedK = new PackedWeight();
  private PackedWeight packedV = new PackedWeight();
  private Generator masks = ParameterSeeds.standalone().generator("mask");
  /** Row blocks of the packed weight and bias, kept so the packed caches see one tensor. */
  private volatile Projections split;
  /** {@link #forwardInto}'s buffers, sized for the last inputs' shapes (one thread at a time). */
  private IntoBuffers into;

  /** {@code nn.MultiheadAttention(embed_dim, num_heads)}: no dropout, biases, sequence first. */
  public MultiheadAttention(int embedDim, int numHeads) {
    this(embedDim, numHeads, 0.0, true, false, false, null, null, false);
  }

  /** {@code nn.MultiheadAttention(embed_dim, num_heads, dropout, bias, batch_first=...)}. */
  public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias,
      boolean batchFirst) {
    this(embedDim, numHeads, dropout, bias, false, false, null, null, batchFirst);
  }

  /**
   * {@code nn.MultiheadAttention(embed_dim, num_heads, dropout, bias, add_bias_kv,
   * add_zero_attn, kdim, vdim, batch_first)}; {@code kdim} and {@code vdim} null mean
   * {@code embed_dim}. {@code add_bias_kv} and {@code add_zero_attn} are not supported.
   */
  @SuppressWarnings("this-escape") // registration only touches Module's registries
  public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias,
      boolean addBiasKv, boolean addZeroAttn, Integer kdim, Integer vdim, boolean batchFirst) {
    if (embedDim <= 0 || numHeads <= 0) {
      throw new IllegalArgumentException("MultiheadAttention: embed_dim and num_heads must be"
          + " greater than 0, got embed_dim=" + embedDim + " and num_heads=" + numHeads);
    }
    if (embedDim % numHeads != 0) {
      throw new IllegalArgumentException("MultiheadAttention: embed_dim must be divisible by"
          + " num_heads, got embed_dim=" + embedDim + " and num_heads=" + numHeads);
    }
    if (!(dropout >= 0 && dropout <= 1)) {
      throw new IllegalArgumentException(
          "dropout probability has to be between 0 and 1, but got " + PyFormat.floatRepr(dropout));
    }
    if (addBiasKv || addZeroAttn) {
      throw new UnsupportedOperationException("MultiheadAttention: "
          + (addBiasKv ? "add_bias_kv" : "add_zero_attn") + "=True is not supported");
    }
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.kdim = kdim == null ? embedDim : checkDim("kdim", kdim);
    this.vdim = vdim == null ? embedDim : checkDim("vdim", vdim);
    this.dropout = dropout;
    this.batchFirst = batchFirst;
    boolean packed = this.kdim == embedDim && this.vdim == embedDim;
    this.qProjWeight = packed ? null
        : registerParameter("q_proj_weight", new Parameter(Tensor.zeros(embedDim, embedDim)));
    this.kProjWeight = packed ? null
        : registerParameter("k_proj_weight", new Parameter(Tensor.zeros(embedDim, this.kdim)));
    this.vProjWeight = packed ? null
        : registerParameter("v_proj_weight", new Parameter(Tensor.zeros(embedDim, this.vdim)));
    this.inProjWeight = !packed ? null
        : registerParameter("in_proj_weight", new Parameter(Tensor.zeros(3 * embedDim, embedDim)));
    this.inProjBias = !bias ? null
        : registerParameter("in_proj_bias", new Parameter(Tensor.zeros(3 * embedDim)));
    this.outProj = addModule("out_proj",
        new NonDynamicallyQuantizableLinear(embedDim, embedDim, bias));
    initProjections(ParameterSeeds.standalone());
  }

  private static int checkDim(String name, int d) {
    if (d <= 0) {
      throw new IllegalArgumentException(
          "MultiheadAttention: " + name + " must be greater than 0, got " + d);
    }
    return d;
  }

  /** PyTorch's {@code _reset_parameters}, after out_proj's own Linear init. */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    initProjections(seeds);
    masks = seeds.generator("mask");
  }

  @Override
  protected Map<String, Generator> localGenerators() {
    return Map.of("mask", masks);
  }

  private void initProjections(ParameterSeeds seeds) {
    for (String name : new String[] {"in_proj_weight", "q_proj_weight", "k_proj_weight",
        "v_proj_weight"}) {
      Parameter p = namedParameters().get(name);
      if (p != null) {
        Init.xavierUniform_(p.data(), seeds.generator(name));
      }
    }
    if (inProjBias != null) {
      Init.zeros_(inProjBias.data());
      Init.zeros_(outProj.bias.data());
    }
  }

  public int embedDim() {
    return embedDim;
  }

  public int numHeads() {
    return numHeads;
  }

  /** {@code embed_dim / num_heads}. */
  public int headDim() {
    return headDim;
  }

  public int kdim() {
    return kdim;
  }

  public int vdim() {
    return vdim;
  }

  /** The dropout probability on the attention weights (training only). */
  public double dropout() {
    return dropout;
  }

  public boolean batchFirst() {
    return batchFirst;
  }

  /** Self-attention {@code x -> attn(x, x, x)}, without masks or weights. */
  @Override
  public Tensor forward(Tensor x) {
    return forward(x, x, x, null, false, null, true).output();
  }

  /**
   * Self-attention {@code x -> attn(x, x, x)} written into {@code out}: {@link #forwardInto}
   * without masks, allocation-free once warm.
   */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    return forwardInto(x, x, x, null, null, out);
  }

  /** {@code mha(query, key, value)}: no masks, weights averaged over the heads (PyTorch's defaults). */
  public Output forward(Tensor query, Tensor key, Tensor value) {
    return forward(query, key, value, null, true, null, true);
  }

  /**
   * {@code mha(query, key, value, key_padding_mask, need_weights, attn_mask,
   * average_attn_weights)}. Returns the output, shaped as {@code query} with {@code E}
   * features, and, if {@code needWeights}, the attention weights {@code (N, L, S)} averaged
   * over the heads or {@code (N, num_heads, L, S)} (without {@code N} when unbatched).
   */
  public Output forward(Tensor query, Tensor key, Tensor value, AttentionMask keyPaddingMask,
      boolean needWeights, AttentionMask attnMask, boolean averageAttnWeights) {
    boolean unbatched = query.dim() == 2;
    checkInputs(query, key, value, unbatched);
    int n = unbatched ? 1 : query.size(batchFirst ? 0 : 1);
    int l = query.size(unbatched || batchFirst ? -2 : 0);
    int s = key.size(unbatched || batchFirst ? -2 : 0);
    boolean seqFirst = !unbatched && !batchFirst;
    boolean record = records(query, key, value);

    // projections: (..., 3E) for self-attention with the packed weight, else three (..., E)
    Tensor q;
    Tensor k;
    Tensor v;
    int qCol = 0;
    int kCol = 0;
    int vCol = 0;
    Tensor bias = inProjBias == null ? null : inProjBias.data();
    if (inProjWeight != null && query == key && key == value) {
      q = k = v = Functional.linear(query, inProjWeight.data(), bias, packedQkv);
      kCol = embedDim;
      vCol = 2 * embedDim;
    } else if (record) { // each weight a recorded slice of the packed one, not cached
      Projections p = slices();
      q = Functional.linear(query, p.wq, p.bq);
      k = Functional.linear(key, p.wk, p.bk);
      v = Functional.linear(value, p.wv, p.bv);
    } else {
      Projections p = projections();
      q = Functional.linear(query, p.wq, p.bq, packedQ);
      k = Functional.linear(key, p.wk, p.bk, packedK);
      v = Functional.linear(value, p.wv, p.bv, packedV);
    }
    int[] attnShape = query.shape(); // the heads side by side, laid out as the query
    attnShape[attnShape.length - 1] = embedDim;
    Tensor attn = Tensor.zeros(attnShape);
    Attention att = new Attention().dims(n, numHeads, l, s, headDim, headDim);
    operand(att::query, q, qCol, n, l, seqFirst);
    operand(att::key, k, kCol, n, s, seqFirst);
    operand(att::value, v, vCol, n, s, seqFirst);
    operand(att::output, attn, 0, n, l, seqFirst);
    setMasks(att, keyPaddingMask, attnMask, n, l, s, unbatched);
    boolean drop = isTraining() && dropout > 0;
    Tensor weights = null;
    if (needWeights || drop) {
      weights = Tensor.zeros(n, numHeads, l, s);
      att.probabilities(weights.array(), 0, numHeads * l * s, l * s, s);
    }
    att.run();
    Tensor dropMask = null;
    if (drop) {
      dropMask = Functional.dropoutMask(weights.shape(), (float) dropout, masks);
      weights = Functional.dropout(weights, dropMask);
      weighValues(weights, v, vCol, attn, n, l, s, seqFirst);
    }
    if (record) {
      Tensor[] r = AttentionGrad.recordMultihead(
          new AttentionGrad.Heads(n, numHeads, headDim, seqFirst), q, qCol, k, kCol, v, vCol,
          additiveMask(keyPaddingMask, attnMask, n, l, s), dropMask, attn,
          needWeights ? weights : null);
      attn = r[0];
      weights = r[1];
    }
    Tensor out = outProj.forward(attn);
    if (record && !seqFirst) { // PyTorch transposes or squeezes the (L, N, E) it computed
      out = Autograd.recordUnary(unbatched ? "SqueezeBackward1" : "TransposeBackward0", out,
          out.detach(), g -> g);
    }
    if (!needWeights) {
      return new Output(out, null);
    }
    if (averageAttnWeights) {
      Tensor perHead = weights;
      int[] shape = perHead.shape();
      try (GradMode.Scope scope = GradMode.noGrad()) {
        weights = perHead.mean(1, false);
      }
      weights = Autograd.recordUnary("DivBackward0", perHead, weights,
          g -> ReductionGrad.mean(g, shape, 1, false));
    } else {
      weights = Autograd.recordUnary("ViewBackward0", weights, weights.detach(), g -> g);
    }
    if (!unbatched) {
      return new Output(out, weights);
    }
    int[] shape = weights.shape();
    Tensor squeezed;
    try (GradMode.Scope scope = GradMode.noGrad()) {
      squeezed = weights.squeeze(0);
    }
    return new Output(out, Autograd.recordUnary("SqueezeBackward1", weights, squeezed,
        g -> g.reshape(shape)));
  }

  /**
   * {@code mha(query, key, value, key_padding_mask, need_weights=False, attn_mask)[0]} written
   * into {@code out} (shaped as {@code query}, contiguous, sharing no storage with an input)
   * and returned: the inference path of a block that does not want the weights. Allocation-free
   * once warm, with either mask, both, or none (float or boolean, of the shapes {@link
   * #forward(Tensor, Tensor, Tensor, AttentionMask, boolean, AttentionMask, boolean)} takes,
   * contiguous): the projections, the heads and the two masks combined go into buffers this
   * layer keeps for the last inputs' sizes. One thread at a time on one instance (a second
   * thread's call throws {@link IllegalStateException}; give it a {@link #replica()}). Never
   * records for a backward pass; in training with {@code dropout > 0} it runs the allocating
   * forward (which drops out) and copies.
   */
  public Tensor forwardInto(Tensor query, Tensor key, Tensor value, AttentionMask keyPaddingMask,
      AttentionMask attnMask, Tensor out) {
    boolean unbatched = query.dim() == 2;
    checkInputs(query, key, value, unbatched);
    if (!fitsInto(query, key, value, out)) {
      try (GradMode.Scope scope = GradMode.noGrad()) {
        return forward(query, key, value, keyPaddingMask, false, attnMask, true).output()
            .copyInto(out);
      }
    }
    return into(query, key, value, keyPaddingMask, attnMask, out, null, false);
  }

  /**
   * {@code mha(query, key, value, key_padding_mask, need_weights=True, attn_mask,
   * average_attn_weights)} written into {@code out}'s two tensors (the output as in {@link
   * #forwardInto(Tensor, Tensor, Tensor, AttentionMask, AttentionMask, Tensor)}, the weights
   * contiguous, shaped as {@link #forward(Tensor, Tensor, Tensor, AttentionMask, boolean,
   * AttentionMask, boolean)} returns them) and returned: the inference path of a block that
   * wants the weights. Allocation-free once warm, on the same terms; the per-head weights
   * are averaged in a buffer this layer keeps, adding the heads in order as {@code mean}
   * does.
   */
  public Output forwardInto(Tensor query, Tensor key, Tensor value, AttentionMask keyPaddingMask,
      AttentionMask attnMask, boolean averageAttnWeights, Output out) {
    if (out.output() == null || out.weights() == null) {
      throw new IllegalArgumentException("MultiheadAttention.forwardInto: the Output to write"
          + " into has no " + (out.output() == null ? "output" : "weights") + " tensor: give"
          + " both (or call forwardInto(query, key, value, keyPaddingMask, attnMask, out) for"
          + " the output alone, need_weights=False)");
    }
    boolean unbatched = query.dim() == 2;
    checkInputs(query, key, value, unbatched);
    Tensor w = out.weights();
    int n = unbatched ? 1 : query.size(batchFirst ? 0 : 1);
    int l = query.size(unbatched || batchFirst ? -2 : 0);
    int s = key.size(unbatched || batchFirst ? -2 : 0);
    int lead = (unbatched ? 0 : 1) + (averageAttnWeights ? 0 : 1); // the batch, the heads
    boolean weightsFit = w != null && w.isContiguous() && w.dtype() == query.dtype()
        && w.dim() == lead + 2 && (unbatched || w.size(0) == n)
        && (averageAttnWeights || w.size(lead - 1) == numHeads) && w.size(lead) == l
        && w.size(lead + 1) == s && !w.sharesStorageWith(out.output());
    if (!fitsInto(query, key, value, out.output()) || !weightsFit) {
      try (GradMode.Scope scope = GradMode.noGrad()) {
        Output r = forward(query, key, value, keyPaddingMask, true, attnMask, averageAttnWeights);
        r.output().copyInto(out.output());
        r.weights().copyInto(w);
        return out;
      }
    }
    into(query, key, value, keyPaddingMask, attnMask, out.output(), w, averageAttnWeights);
    return out;
  }

  /** Whether {@link #into} may write into {@code out}: eval mode (or no dropout), and a fresh contiguous output. */
  private boolean fitsInto(Tensor query, Tensor key, Tensor value, Tensor out) {
    return !(isTraining() && dropout > 0) && out.isContiguous() && out.dim() == query.dim()
        && out.sameShape(query) && !out.sharesStorageWith(query) && !out.sharesStorageWith(key)
        && !out.sharesStorageWith(value);
  }

  /**
   * The allocation-free forward into {@code out}, with the attention weights into {@code
   * weights} (per head, or averaged over them) when it is not null.
   */
  private Tensor into(Tensor query, Tensor key, Tensor value, AttentionMask keyPaddingMask,
      AttentionMask attnMask, Tensor out, Tensor weights, boolean average) {
    boolean unbatched = query.dim() == 2;
    enterForward(); // nothing below records: the into forms of the projections never do
    try {
      int n = unbatched ? 1 : query.size(batchFirst ? 0 : 1);
      int l = query.size(unbatched || batchFirst ? -2 : 0);
      int s = key.size(unbatched || batchFirst ? -2 : 0);
      boolean seqFirst = !unbatched && !batchFirst;
      boolean self = inProjWeight != null && query == key && key == value;
      IntoBuffers b = buffers(query, key, value, self);
      Tensor bias = inProjBias == null ? null : inProjBias.data();
      Tensor q;
      Tensor k;
      Tensor v;
      int kCol = 0;
      int vCol = 0;
      if (self) {
        q = k = v = Functional.linearInto(query, inProjWeight.data(), bias, Activation.NONE,
            packedQkv, b.q);
        kCol = embedDim;
        vCol = 2 * embedDim;
      } else {
        Projections p = projections();
        q = Functional.linearInto(query, p.wq, p.bq, Activation.NONE, packedQ, b.q);
        k = Functional.linearInto(key, p.wk, p.bk, Activation.NONE, packedK, b.k);
        v = Functional.linearInto(value, p.wv, p.bv, Activation.NONE, packedV, b.v);
      }
      Attention att = b.plan.dims(n, numHeads, l, s, headDim, headDim).causal(false)
          .probabilities(null, 0, 0, 0, 0).logSumExp(null, 0, 0, 0);
      // as operand(...) does, without method references (objects made per call)
      Tensor h = b.heads;
      att.query(q.array(), q.arrayOffset(), batchStep(q, l, seqFirst), headDim, rowStep(q, n, seqFirst))
          .key(k.array(), k.arrayOffset() + kCol, batchStep(k, s, seqFirst), headDim, rowStep(k, n, seqFirst))
          .value(v.array(), v.arrayOffset() + vCol, batchStep(v, s, seqFirst), headDim, rowStep(v, n, seqFirst))
          .output(h.array(), h.arrayOffset(), batchStep(h, l, seqFirst), headDim, rowStep(h, n, seqFirst))
          .mask(null, 0, 0, 0, 0, Attention.MaskMode.ADD);
      pointMasks(att, keyPaddingMask, attnMask, n, l, s, unbatched, b);
      Tensor probs = weights == null ? null : average ? b.probabilities(n * numHeads * l * s) : weights;
      if (probs != null) { // (N, num_heads, L, S)
        att.probabilities(probs.array(), probs.arrayOffset(), numHeads * l * s, l * s, s);
        probs.bumpVersion();
      }
      b.heads.bumpVersion();
      att.run();
      if (weights != null && average) {
        averageHeads(probs, n, l * s, weights);
      }
      return outProj.forward(b.heads, out);
    } finally {
      exitForward();
    }
  }

  /** {@link #forwardInto}'s buffers for these inputs, made again only when a size changes. */
  private IntoBuffers buffers(Tensor query, Tensor key, Tensor value, boolean self) {
    IntoBuffers b = into;
    if (b == null || b.self != self || !b.fits(query, key, value)) {
      b = new IntoBuffers(query, key, value, self, embedDim);
      into = b;
    }
    return b;
  }

  /** The projections, the heads and a combined mask of one set of input sizes. */
  private static final class IntoBuffers {
    final boolean self;
    final int[] queryShape;
    final int[] keyShape;
    final int[] valueShape;
    final Tensor q;
    final Tensor k;
    final Tensor v;
    final Tensor heads;
    final Attention plan = new Attention();
    Tensor mask; // both masks as one additive mask, made on first need

    IntoBuffers(Tensor query, Tensor key, Tensor value, boolean self, int e) {
      this.self = self;
      this.queryShape = query.shape();
      this.keyShape = key.shape();
      this.valueShape = value.shape();
      this.q = Tensor.zeros(withLast(queryShape, self ? 3 * e : e));
      this.k = self ? q : Tensor.zeros(withLast(keyShape, e));
      this.v = self ? q : Tensor.zeros(withLast(valueShape, e));
      this.heads = Tensor.zeros(withLast(queryShape, e));
    }

    private static int[] withLast(int[] shape, int last) {
      int[] s = shape.clone();
      s[s.length - 1] = last;
      return s;
    }

    boolean fits(Tensor query, Tensor key, Tensor value) {
      return query.hasShape(queryShape) && key.hasShape(keyShape)
          && value.hasShape(valueShape);
    }

    Tensor probabilities; // the per-head weights when averaged, made on first need

    /** A buffer of {@code size} floats for the per-head weights. */
    Tensor probabilities(int size) {
      if (probabilities == null || probabilities.numel() != size) {
        probabilities = Tensor.zeros(size);
      }
      return probabilities;
    }

    /** A mask buffer of {@code size} floats. */
    Tensor mask(int size) {
      if (mask == null || mask.numel() != size) {
        mask = Tensor.zeros(size);
      }
      return mask;
    }
  }

  /**
   * Points {@link #forwardInto}'s kernel at the masks without allocating: one mask where it
   * lies (a boolean one read as "ignore where nonzero"), both added into a buffer.
   */
  private void pointMasks(Attention att, AttentionMask keyPadding, AttentionMask attnMask, int n,
      int l, int s, boolean unbatched, IntoBuffers b) {
    boolean threeDims = false;
    if (attnMask != null) {
      Tensor m = attnMask.values();
      threeDims = m.dim() == 3 && m.size(0) == n * numHeads && m.size(1) == l && m.size(2) == s;
      if (!(m.dim() == 2 && m.size(0) == l && m.size(1) == s) && !threeDims) {
        setMasks(att, keyPadding, attnMask, n, l, s, unbatched); // throws the shape error
      }
    }
    if (keyPadding != null) {
      Tensor m = keyPadding.values();
      boolean fits = unbatched ? m.dim() == 1 && m.size(0) == s
          : m.dim() == 2 && m.size(0) == n && m.size(1) == s;
      if (!fits) {
        setMasks(att, keyPadding, attnMask, n, l, s, unbatched); // throws the shape error
      }
    }
    if (attnMask != null && !attnMask.values().isContiguous()
        || keyPadding != null && !keyPadding.values().isContiguous()) {
      setMasks(att, keyPadding, attnMask, n, l, s, unbatched); // copies to contiguous masks
      return;
    }
    if (attnMask == null && keyPadding == null) {
      return;
    }
    if (keyPadding == null) {
      Tensor m = attnMask.values();
      att.mask(m.array(), m.arrayOffset(), threeDims ? numHeads * l * s : 0, threeDims ? l * s : 0,
          s, mode(attnMask));
      return;
    }
    if (attnMask == null) {
      Tensor m = keyPadding.values();
      att.mask(m.array(), m.arrayOffset(), s, 0, 0, mode(keyPadding));
      return;
    }
    // both: (N, L, S) for a 2-D attn_mask, else (N, num_heads, L, S), summed as additive floats
    int heads = threeDims ? numHeads : 1;
    Tensor sum = b.mask(n * heads * l * s);
    float[] out = sum.array();
    Tensor a = attnMask.values();
    Tensor p = keyPadding.values();
    for (int bi = 0; bi < n; bi++) {
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < l; i++) {
          int o = ((bi * heads + h) * l + i) * s;
          int ao = a.arrayOffset() + (threeDims ? ((bi * numHeads + h) * l + i) * s : i * s);
          int po = p.arrayOffset() + bi * s;
          for (int j = 0; j < s; j++) {
            out[o + j] = additive(attnMask, a.array()[ao + j])
                + additive(keyPadding, p.array()[po + j]);
          }
        }
      }
    }
    att.mask(out, 0, heads * l * s, threeDims ? l * s : 0, s, Attention.MaskMode.ADD);
  }

  /**
   * {@code weights = probs.mean(1)} for {@code probs (N, num_heads, L * S)}: the heads added
   * in order, then divided by their count, the floats of {@code Tensor.mean}.
   */
  private void averageHeads(Tensor probs, int n, int slice, Tensor weights) {
    float[] p = probs.array();
    float[] w = weights.array();
    int wo = weights.arrayOffset();
    for (int bi = 0; bi < n; bi++) {
      int o = wo + bi * slice;
      int from = probs.arrayOffset() + bi * numHeads * slice;
      System.arraycopy(p, from, w, o, slice);
      for (int h = 1; h < numHeads; h++) {
        Kernels.binary(BinaryOp.ADD, w, o, p, from + h * slice, w, o, slice);
      }
      Kernels.binaryScalar(BinaryOp.DIV, w, o, numHeads, w, o, slice);
    }
    weights.bumpVersion();
  }

  /** One value of a mask as added to the scores: a boolean True ({@code nonzero}) is -inf. */
  private static float additive(AttentionMask m, float value) {
    return !m.isBool() ? value : value != 0 ? Float.NEGATIVE_INFINITY : 0f;
  }

  /** Whether this forward records for a backward pass (an input or a parameter needs it). */
  private boolean records(Tensor query, Tensor key, Tensor value) {
    if (!GradMode.isEnabled()) {
      return false;
    }
    if (Autograd.isRecording(query, key, value)) {
      return true;
    }
    for (Parameter p : parameters()) {
      if (Autograd.isRecording(p.data())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The masks as one additive float mask broadcast to {@code (N, num_heads, L, S)}, for a
   * backward pass; null without masks.
   */
  private Tensor additiveMask(AttentionMask keyPadding, AttentionMask attnMask, int n, int l,
      int s) {
    Tensor m = null;
    if (attnMask != null) {
      Tensor a = attnMask.additive(false);
      m = a.dim() == 2 ? a : a.reshape(n, numHeads, l, s);
    }
    if (keyPadding != null) {
      Tensor pad = keyPadding.additive(false).reshape(n, 1, 1, s);
      m = m == null ? pad : m.add(pad);
    }
    return m == null ? null : m.contiguous();
  }

  /**
   * The query, key and value weights and biases as recorded slices of {@code in_proj_weight}
   * and {@code in_proj_bias}, so their gradients reach the packed parameters; the separate
   * weights when kdim or vdim differ.
   */
  private Projections slices() {
    Tensor w = inProjWeight != null ? inProjWeight.data() : null;
    Tensor b = inProjBias != null ? inProjBias.data() : null;
    int e = embedDim;
    return new Projections(w, b,
        w == null ? qProjWeight.data() : w.slice(0, 0, e),
        w == null ? kProjWeight.data() : w.slice(0, e, 2 * e),
        w == null ? vProjWeight.data() : w.slice(0, 2 * e, 3 * e),
        b == null ? null : b.slice(0, 0, e),
        b == null ? null : b.slice(0, e, 2 * e),
        b == null ? null : b.slice(0, 2 * e, 3 * e));
  }

  /** {@code attn = weights @ v} per (batch, head), after dropout changed the weights. */
  private void weighValues(Tensor weights, Tensor v, int vCol, Tensor attn, int n, int l, int s,
      boolean seqFirst) {
    int vw = v.size(-1);
    int aw = embedDim;
    for (int b = 0; b < n; b++) {
      for (int h = 0; h < numHeads; h++) {
        int vOff = vCol + h * headDim + (seqFirst ? b * vw : b * s * vw);
        int aOff = h * headDim + (seqFirst ? b * aw : b * l * aw);
        Kernels.gemm(l, headDim, s, weights.array(), (b * numHeads + h) * l * s, s,
            v.array(), v.arrayOffset() + vOff, seqFirst ? n * vw : vw, false, attn.array(), aOff,
            seqFirst ? n * aw : aw, null, 0, Activation.NONE);
      }
    }
  }

  /** A strided operand setter of {@link Attention}. */
  private interface Setter {
    void set(float[] a, int off, int batchStride, int headStride, int rowStride);
  }

  /**
   * Points {@code setter} at the heads of {@code t}: rows {@code (len, n)} when {@code
   * seqFirst}, else {@code (n, len)}; head {@code h} at column {@code col + h * headDim}.
   */
  private void operand(Setter setter, Tensor t, int col, int n, int len, boolean seqFirst) {
    setter.set(t.array(), t.arrayOffset() + col, batchStep(t, len, seqFirst), headDim,
        rowStep(t, n, seqFirst));
  }

  /** From one sequence of {@code t}'s rows to the next ({@code len} rows each). */
  private static int batchStep(Tensor t, int len, boolean seqFirst) {
    return seqFirst ? t.size(-1) : len * t.size(-1);
  }

  /** From one row (position) of a sequence of {@code t} to the next. */
  private static int rowStep(Tensor t, int n, boolean seqFirst) {
    return seqFirst ? n * t.size(-1) : t.size(-1);
  }

  /** Checks the masks' shapes and points the kernel at them (combined into one if both). */
  private void setMasks(Attention att, AttentionMask keyPadding, AttentionMask attnMask, int n,
      int l, int s, boolean unbatched) {
    if (attnMask != null) {
      int[] shape = attnMask.values().shape();
      boolean two = Arrays.equals(shape, new int[] {l, s});
      boolean three = Arrays.equals(shape, new int[] {n * numHeads, l, s});
      if (!two && !three) {
        throw new IllegalArgumentException("MultiheadAttention: attn_mask of shape "
            + Arrays.toString(shape) + " should be (L, S) = " + Arrays.toString(new int[] {l, s})
            + " or (N * num_heads, L, S) = " + Arrays.toString(new int[] {n * numHeads, l, s}));
      }
    }
    if (keyPadding != null) {
      int[] shape = keyPadding.values().shape();
      int[] expected = unbatched ? new int[] {s} : new int[] {n, s};
      if (!Arrays.equals(shape, expected)) {
        throw new IllegalArgumentException("MultiheadAttention: key_padding_mask of shape "
            + Arrays.toString(shape) + " should be " + (unbatched ? "(S) = " : "(N, S) = ")
            + Arrays.toString(expected));
      }
    }
    if (attnMask == null && keyPadding == null) {
      return;
    }
    if (keyPadding == null) {
      Tensor m = attnMask.values().contiguous();
      boolean two = m.dim() == 2;
      att.mask(m.array(), m.arrayOffset(), two ? 0 : numHeads * l * s, two ? 0 : l * s, s,
          mode(attnMask));
      return;
    }
    if (attnMask == null) {
      Tensor m = keyPadding.values().contiguous();
      att.mask(m.array(), m.arrayOffset(), s, 0, 0, mode(keyPadding));
      return;
    }
    // both: one additive mask, (N, L, S) for a 2-D attn_mask, else (N, num_heads, L, S)
    Tensor pad = keyPadding.additive(false).reshape(n, 1, 1, s);
    Tensor a = attnMask.additive(false);
    boolean two = a.dim() == 2;
    Tensor m = (two ? a.reshape(1, 1, l, s) : a.reshape(n, numHeads, l, s)).add(pad).contiguous();
    att.mask(m.array(), m.arrayOffset(), two ? l * s : numHeads * l * s, two ? 0 : l * s, s,
        Attention.MaskMode.ADD);
  }

  private static Attention.MaskMode mode(AttentionMask m) {
    return m.isBool() ? Attention.MaskMode.IGNORE_WHERE_NONZERO : Attention.MaskMode.ADD;
  }

  private void checkInputs(Tensor query, Tensor key, Tensor value, boolean unbatched) {
    int rank = unbatched ? 2 : 3;
    if (query.dim() != 2 && query.dim() != 3 || key.dim() != rank || value.dim() != rank) {
      throw new IllegalArgumentException("MultiheadAttention: query, key and value must all be"
          + " 3-D (batched) or 2-D (unbatched), got shapes " + Arrays.toString(query.shape())
          + ", " + Arrays.toString(key.shape()) + ", " + Arrays.toString(value.shape()));
    }
    if (query.size(-1) != embedDim || key.size(-1) != kdim || value.size(-1) != vdim) {
      throw new IllegalArgumentException("MultiheadAttention: expected query, key and value"
          + " features " + embedDim + ", " + kdim + ", " + vdim + ", got shapes "
          + Arrays.toString(query.shape()) + ", " + Arrays.toString(key.shape()) + ", "
          + Arrays.toString(value.shape()));
    }
    int nDim = batchFirst ? 0 : 1;
    int sDim = batchFirst ? 1 : 0;
    if (!unbatched && (key.size(nDim) != query.size(nDim) || value.size(nDim) != query.size(nDim))
        || key.size(unbatched ? 0 : sDim) != value.size(unbatched ? 0 : sDim)) {
      throw new IllegalArgumentException("MultiheadAttention: key and value must have the same"
          + " sequence length and the query's batch size, got shapes "
          + Arrays.toString(query.shape()) + ", " + Arrays.toString(key.shape()) + ", "
          + Arrays.toString(value.shape()) + (batchFirst ? " (batch_first)" : " (L, N, E)"));
    }
  }

  /**
   * A replica's layer uses the original's packed weights and the original's row views of
   * {@code in_proj_weight} (the packed caches are keyed by the tensors they pack).
   */
  @Override
  protected void shareDerived(Module original) {
    MultiheadAttention o = (MultiheadAttention) original;
    packedQkv = o.packedQkv;
    packedQ = o.packedQ;
    packedK = o.packedK;
    packedV = o.packedV;
    split = o.projections();
  }

  /** The query, key and value weights and biases, views of the packed ones when packed. */
  private record Projections(Tensor weight, Tensor bias, Tensor wq, Tensor wk, Tensor wv,
      Tensor bq, Tensor bk, Tensor bv) {}

  /**
   * The separate projections. Views of {@code in_proj_weight} and {@code in_proj_bias} are
   * made once per tensor (not per call), so each packed-weight cache sees the same tensor.
   */
  private Projections projections() {
    Tensor w = inProjWeight != null ? inProjWeight.data() : null;
    Tensor b = inProjBias != null ? inProjBias.data() : null;
    Projections p = split;
    if (p == null || p.weight != w || p.bias != b) {
      int e = embedDim;
      p = new Projections(w, b,
          w == null ? null : w.narrow(0, 0, e),
          w == null ? null : w.narrow(0, e, e),
          w == null ? null : w.narrow(0, 2 * e, e),
          b == null ? null : b.narrow(0, 0, e),
          b == null ? null : b.narrow(0, e, e),
          b == null ? null : b.narrow(0, 2 * e, e));
      split = p;
    }
    if (w != null) {
      return p;
    }
    return new Projections(null, b, qProjWeight.data(), kProjWeight.data(), vProjWeight.data(),
        p.bq, p.bk, p.bv);
  }

  // covariant returns, so that calls chain

  @Override
  public MultiheadAttention train() {
    return train(true);
  }

  @Override
  public MultiheadAttention train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public MultiheadAttention eval() {
    return train(false);
  }
}
