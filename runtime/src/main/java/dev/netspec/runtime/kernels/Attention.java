package dev.netspec.runtime.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * Fused scaled dot-product attention over a grid of {@code (batch, head)} slices:
 * {@code out = softmax(q k^T * scale + mask) v} for each slice, with {@code q} of {@code (L,
 * E)}, {@code k} of {@code (S, E)}, {@code v} of {@code (S, Ev)} and {@code out} of {@code (L,
 * Ev)}. Every operand is a strided view into a {@code float[]}: slice {@code (b, h)} row
 * {@code i} starts at {@code off + b * batchStride + h * headStride + i * rowStride} and its
 * columns are dense, so the heads of a packed {@code (rows, 3 * E)} projection are read where
 * they lie, without a transpose.
 *
 * <p>Tiles of {@value #ROWS} query rows run the online softmax of FlashAttention over blocks
 * of {@value #BLOCK} keys: the tile's block of scores is one small GEMM (the only scores
 * held at a time), then per row its max, one rescale of the running output row and the
 * probabilities, then {@code out += p_block v_block} is a second GEMM. With {@link #probabilities} set it
 * instead writes each whole row of probabilities there (as {@code need_weights} asks) and
 * builds the output from them. Built from the backend's {@code gemm}, {@code dot}, {@code
 * axpy}, {@code max} and {@code expSum} (the softmax's numerators, {@link Gates#exp}), so the
 * Vector API and scalar backends share this one algorithm. Where only the output is asked
 * for, with an added mask or none, a backend may run a slice in a kernel of its own ({@link
 * Backend#attentionSlice}): the Vector API's {@link VectorAttention} does for BERT's shapes
 * and GPT-2's causal prefill, in registers, and this algorithm on the scalar backend is its
 * twin.
 *
 * <p>PyTorch's edge cases: a row whose keys are all masked gives NaN (softmax of only
 * {@code -inf}); no keys at all ({@code S = 0}) gives zeros. Causal masking is PyTorch 2's
 * {@code is_causal}: query {@code i} sees keys {@code j <= i} (top-left aligned); with an
 * offset, {@code j <= i + offset}, which is how {@code L} new tokens at position {@code
 * offset} attend to a KV cache of {@code S = offset + L} keys (bottom-right aligned).
 *
 * <p>An instance is a reusable plan: set the dims and operands, then {@link #run()}. Once
 * warm, a run allocates nothing. Not for concurrent use; one per layer.
 */
public final class Attention {
  /** How a mask's values act on the scores. */
  public enum MaskMode {
    /** Float mask: added to the scores ({@code -inf} removes a key). */
    ADD,
    /** Boolean mask stored as floats, PyTorch 2's SDPA rule: nonzero means "attend". */
    ATTEND_WHERE_NONZERO,
    /** Boolean mask stored as floats, {@code nn.MultiheadAttention}'s rule: nonzero means "ignore". */
    IGNORE_WHERE_NONZERO
  }

  /**
   * Keys per block of scores in the online softmax: BERT's and GPT-2 prefill's 128 keys are one
   * block (a tile's scores, 64 x 128 floats, 32 KiB), so each row is scaled, masked, maxed and
   * exponentiated in one pass and never rescaled, and each tile makes 2 GEMM calls instead of
   * 4 (64 keys until session 14).
   */
  static final int BLOCK = 128;

  /** A block of scores per thread (the calling thread and the kernel pool's workers). */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Query rows per tile: a tile's scores against a block of keys are one small GEMM. */
  static final int ROWS = 64;

  /** One thread's tile buffers; grown once for a wider value, then reused. */
  private static final class Scratch {
    final float[] scores = new float[ROWS * BLOCK]; // (rows, keys) of one tile and block
    final float[] max = new float[ROWS]; // the running max of each row
    final float[] sum = new float[ROWS]; // the running softmax sum of each row
    float[] pv = new float[0]; // (rows, ev): the block's probabilities times its values

    float[] pv(int size) {
      if (pv.length < size) {
        pv = new float[size];
      }
      return pv;
    }
  }

  private final Backend backend;
  private final Parallel.Range body = this::runSlices;
  private final Operand q = new Operand("q");
  private final Operand k = new Operand("k");
  private final Operand v = new Operand("v");
  private final Operand out = new Operand("out");
  private final Operand mask = new Operand("mask");
  private final Operand probs = new Operand("probabilities");
  private final Operand lse = new Operand("logSumExp");
  private MaskMode maskMode = MaskMode.ADD;
  private int batch;
  private int heads;
  private int l;
  private int s;
  private int e;
  private int ev;
  private boolean causal;
  private int causalOffset;
  private float scale;

  /** A plan on the JVM's kernel backend. */
  public Attention() {
    this(Kernels.backendImpl());
  }

  /** A plan on one backend (tests compare the vector kernels with their scalar twins). */
  Attention(Backend backend) {
    this.backend = backend;
  }

  /**
   * The grid and the sizes: {@code batch x heads} slices of {@code l} queries and {@code s}
   * keys, query/key width {@code e}, value width {@code ev}. Resets the scale to {@code 1 /
   * sqrt(e)}.
   */
  public Attention dims(int batch, int heads, int l, int s, int e, int ev) {
    if (batch < 0 || heads < 0 || l < 0 || s < 0 || e < 0 || ev < 0) {
      throw new IllegalArgumentException("attention: sizes must not be negative: batch=" + batch
          + ", heads=" + heads + ", L=" + l + ", S=" + s + ", E=" + e + ", Ev=" + ev);
    }
    this.batch = batch;
    this.heads = heads;
    this.l = l;
    this.s = s;
    this.e = e;
    this.ev = ev;
    this.scale = (float) (1 / Math.sqrt(e));
    return this;
  }

  /** The factor on {@code q k^T}; {@link #dims} sets {@code 1 / sqrt(e)}. */
  public Attention scale(float scale) {
    this.scale = scale;
    return this;
  }

  /** Whether query {@code i} sees only keys {@code j <= i}. */
  public Attention causal(boolean causal) {
    return causal(causal, 0);
  }

  /**
   * Whether query {@code i} sees only keys {@code j <= i + offset}: the queries are the tokens
   * at positions {@code offset, offset + 1, ...} of a sequence whose keys start at position 0
   * (incremental decoding over a KV cache).
   */
  public Attention causal(boolean causal, int offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("attention: causal offset must not be negative, got "
          + offset);
    }
    this.causal = causal;
    this.causalOffset = offset;
    return this;
  }

  /** The queries: {@code (l, e)} per slice. */
  public Attention query(float[] a, int off, int batchStride, int headStride, int rowStride) {
    q.set(a, off, batchStride, headStride, rowStride);
    return this;
  }

  /** The keys: {@code (s, e)} per slice. */
  public Attention key(float[] a, int off, int batchStride, int headStride, int rowStride) {
    k.set(a, off, batchStride, headStride, rowStride);
    return this;
  }

  /** The values: {@code (s, ev)} per slice. */
  public Attention value(float[] a, int off, int batchStride, int headStride, int rowStride) {
    v.set(a, off, batchStride, headStride, rowStride);
    return this;
  }

  /** Where the result goes: {@code (l, ev)} per slice, overwritten. */
  public Attention output(float[] a, int off, int batchStride, int headStride, int rowStride) {
    out.set(a, off, batchStride, headStride, rowStride);
    return this;
  }

  /**
   * A mask of {@code (l, s)} per slice (strides of 0 broadcast it), read as {@code mode}
   * says; {@code a == null} removes it.
   */
  public Attention mask(float[] a, int off, int batchStride, int headStride, int rowStride,
      MaskMode mode) {
    mask.set(a, off, batchStride, headStride, rowStride);
    maskMode = Objects.requireNonNull(mode, "mode");
    return this;
  }

  /**
   * Where to write the softmax probabilities, {@code (l, s)} per slice (the attention weights
   * a backward pass needs); {@code a == null} for none, which lets the kernel hold only one
   * block of scores per row.
   */
  public Attention probabilities(float[] a, int off, int batchStride, int headStride,
      int rowStride) {
    probs.set(a, off, batchStride, headStride, rowStride);
    return this;
  }

  /**
   * Where to write {@code log(sum(exp(scores)))} per query row, {@code (l)} per slice with
   * row stride 1 (what FlashAttention's backward keeps instead of the probabilities); {@code
   * a == null} for none.
   */
  public Attention logSumExp(float[] a, int off, int batchStride, int headStride) {
    lse.set(a, off, batchStride, headStride, 1);
    return this;
  }

  /** Computes every slice (split across the kernel threads when there are several). */
  public void run() {
    q.check(batch, heads, l, e);
    k.check(batch, heads, s, e);
    v.check(batch, heads, s, ev);
    out.check(batch, heads, l, ev);
    if (mask.a != null) {
      mask.check(batch, heads, l, s);
    }
    if (probs.a != null) {
      probs.check(batch, heads, l, s);
    }
    if (lse.a != null) {
      lse.check(batch, heads, 1, l);
    }
    int slices = batch * heads;
    if (slices == 0 || l == 0) {
      return;
    }
    if (slices == 1 || (long) slices * l * s * (e + ev) < 1 << 16) {
      runSlices(0, slices);
    } else {
      Parallel.forRanges(slices, body);
    }
  }

  private void runSlices(int from, int to) {
    Scratch scratch = SCRATCH.get();
    // Only the output asked for, an added mask or none: the backend's own kernel where it
    // has one for these sizes (VectorAttention: BERT's heads, GPT-2's prefill).
    boolean own = probs.a == null && lse.a == null
        && (mask.a == null || maskMode == MaskMode.ADD);
    for (int t = from; t < to; t++) {
      int b = t / heads;
      int h = t % heads;
      if (own && backend.attentionSlice(l, s, e, ev, scale, causal ? causalOffset : -1, q.a,
          q.at(b, h, 0), q.rowStride, k.a, k.at(b, h, 0), k.rowStride, v.a, v.at(b, h, 0),
          v.rowStride, mask.a, mask.a == null ? 0 : mask.at(b, h, 0), mask.rowStride, out.a,
          out.at(b, h, 0), out.rowStride)) {
        continue;
      }
      if (probs.a == null) {
        for (int i0 = 0; i0 < l; i0 += ROWS) {
          flashTile(b, h, i0, Math.min(ROWS, l - i0), scratch);
        }
      } else {
        for (int i = 0; i < l; i++) {
          fullRow(b, h, i);
        }
      }
    }
  }

  /** The keys query {@code i} may see: {@code [0, keyEnd)}. */
  private int keyEnd(int i) {
    return causal ? Math.min(s, i + causalOffset + 1) : s;
  }

  /** {@code x} masked at key {@code j} of the mask row at {@code mRow}. */
  private float masked(float x, int mRow, int j) {
    if (mask.a == null) {
      return x;
    }
    float m = mask.a[mRow + j];
    switch (maskMode) {
      case ADD:
        return x + m;
      case ATTEND_WHERE_NONZERO:
        return m != 0 ? x : Float.NEGATIVE_INFINITY;
      default:
        return m != 0 ? Float.NEGATIVE_INFINITY : x;
    }
  }

  /** The masked, scaled score of query row {@code qi} (mask row {@code mRow}) against key {@code j}. */
  private float score(int qi, int kBase, int mRow, int j) {
    return masked(backend.dot(q.a, qi, k.a, kBase + j * k.rowStride, e) * scale, mRow, j);
  }

  /**
   * Query rows {@code [i0, i0 + rows)} by the online softmax, a block of keys at a time:
   * the tile's scores are one GEMM ({@code q_tile k_block^T}), each row's max and sum are
   * updated and its output rescaled once per block, and {@code p_block v_block} is a second
   * GEMM, written to the output rows for the first block and added to them for the others.
   */
  private void flashTile(int b, int h, int i0, int rows, Scratch sc) {
    float[] scores = sc.scores;
    float[] pv = sc.pv(rows * ev);
    int qi = q.at(b, h, i0);
    int kBase = k.at(b, h, 0);
    int vBase = v.at(b, h, 0);
    int o = out.at(b, h, i0);
    for (int r = 0; r < rows; r++) {
      sc.max[r] = Float.NEGATIVE_INFINITY;
      sc.sum[r] = 0;
      Arrays.fill(out.a, o + r * out.rowStride, o + r * out.rowStride + ev, 0f);
    }
    int end = causal ? Math.min(s, i0 + rows + causalOffset) : s; // no row sees a key past this
    for (int j0 = 0; j0 < end; j0 += BLOCK) {
      int n = Math.min(BLOCK, end - j0);
      if (e == 0) {
        Arrays.fill(scores, 0, rows * n, 0f);
      } else { // (rows, n) = q_tile (rows, e) @ k_block^T
        backend.gemm(rows, n, e, q.a, qi, q.rowStride, k.a, kBase + j0 * k.rowStride,
            k.rowStride, true, scores, 0, n, null, 0, Activation.NONE);
      }
      for (int r = 0; r < rows; r++) {
        int i = i0 + r;
        int seen = causal ? Math.max(0, Math.min(n, i + causalOffset + 1 - j0)) : n; // keys row i sees
        int sr = r * n;
        int mRow = mask.a == null ? 0 : mask.at(b, h, i) + j0;
        float blockMax;
        if (seen == 0) {
          blockMax = Float.NEGATIVE_INFINITY;
        } else if (maskMode != MaskMode.ATTEND_WHERE_NONZERO || mask.a == null) {
          // the keys the row sees, vectorized (a causal row's too): the scalar loop's values
          backend.binaryScalar(BinaryOp.MUL, scores, sr, scale, scores, sr, seen);
          if (mask.a != null && maskMode == MaskMode.ADD) {
            backend.binary(BinaryOp.ADD, scores, sr, mask.a, mRow, scores, sr, seen);
          } else if (mask.a != null) { // IGNORE_WHERE_NONZERO
            backend.maskedFill(mask.a, mRow, Float.NEGATIVE_INFINITY, scores, sr, scores, sr, seen);
          }
          blockMax = backend.max(scores, sr, seen);
        } else {
          blockMax = Float.NEGATIVE_INFINITY;
          for (int c = 0; c < seen; c++) {
            float x = masked(scores[sr + c] * scale, mRow, c);
            scores[sr + c] = x;
            blockMax = x > blockMax || Float.isNaN(x) ? x : blockMax;
          }
        }
        if (blockMax == Float.NEGATIVE_INFINITY) { // nothing seen in this block
          Arrays.fill(scores, sr, sr + n, 0f);
          continue;
        }
        float max = sc.max[r];
        if (blockMax > max || Float.isNaN(blockMax)) {
          if (sc.sum[r] != 0) { // rescale what the earlier blocks summed to the new max
            float alpha = (float) Math.exp(max - blockMax);
            sc.sum[r] *= alpha;
            int or = o + r * out.rowStride;
            backend.binaryScalar(BinaryOp.MUL, out.a, or, alpha, out.a, or, ev);
          }
          max = blockMax;
          sc.max[r] = max;
        }
        float sum = backend.expSum(scores, sr, seen, max);
        Arrays.fill(scores, sr + seen, sr + n, 0f);
        sc.sum[r] += sum;
      }
      if (ev > 0 && j0 == 0) { // the first block's p v is the output so far: written there
        backend.gemm(rows, ev, n, scores, 0, n, v.a, vBase, v.rowStride, false, out.a, o,
            out.rowStride, null, 0, Activation.NONE);
      } else if (ev > 0) { // (rows, ev) = p_block (rows, n) @ v_block (n, ev), added to the output
        backend.gemm(rows, ev, n, scores, 0, n, v.a, vBase + j0 * v.rowStride, v.rowStride,
            false, pv, 0, ev, null, 0, Activation.NONE);
        for (int r = 0; r < rows; r++) {
          int or = o + r * out.rowStride;
          backend.binary(BinaryOp.ADD, out.a, or, pv, r * ev, out.a, or, ev);
        }
      }
    }
    for (int r = 0; r < rows; r++) {
      int or = o + r * out.rowStride;
      float sum = sc.sum[r];
      if (s > 0) { // divide by the softmax sum; NaN for a row with every key masked
        if (sum == 0) {
          Arrays.fill(out.a, or, or + ev, Float.NaN);
        } else {
          backend.binaryScalar(BinaryOp.MUL, out.a, or, 1 / sum, out.a, or, ev);
        }
      }
      writeLogSumExp(b, h, i0 + r, sc.max[r], sum);
    }
  }

  private void writeLogSumExp(int b, int h, int i, float max, float sum) {
    if (lse.a != null) {
      lse.a[lse.at(b, h, 0) + i] = sum == 0 ? Float.NEGATIVE_INFINITY
          : max + (float) Math.log(sum);
    }
  }

  /** One query row with its whole row of probabilities written out. */
  private void fullRow(int b, int h, int i) {
    int qi = q.at(b, h, i);
    int kBase = k.at(b, h, 0);
    int vBase = v.at(b, h, 0);
    int mRow = mask.a == null ? 0 : mask.at(b, h, i);
    int p = probs.at(b, h, i);
    int o = out.at(b, h, i);
    float[] row = probs.a;
    int end = keyEnd(i);
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < end; j++) {
      float x = score(qi, kBase, mRow, j);
      row[p + j] = x;
      max = x > max || Float.isNaN(x) ? x : max;
    }
    Arrays.fill(row, p + end, p + s, 0f); // the future keys of a causal row
    float sum = 0;
    if (max != Float.NEGATIVE_INFINITY) {
      for (int j = 0; j < end; j++) {
        float x = (float) Math.exp(row[p + j] - max);
        row[p + j] = x;
        sum += x;
      }
    }
    Arrays.fill(out.a, o, o + ev, 0f);
    if (sum == 0) {
      Arrays.fill(row, p, p + s, s > 0 ? Float.NaN : 0f);
    } else {
      backend.binaryScalar(BinaryOp.MUL, row, p, 1 / sum, row, p, end);
      for (int j = 0; j < end; j++) {
        if (row[p + j] != 0) {
          backend.axpy(row[p + j], v.a, vBase + j * v.rowStride, out.a, o, ev);
        }
      }
    }
    writeLogSumExp(b, h, i, max, sum);
  }

  /** A strided {@code (rows, cols)} view per slice into one array. */
  private static final class Operand {
    final String name;
    float[] a;
    int off;
    int batchStride;
    int headStride;
    int rowStride;

    Operand(String name) {
      this.name = name;
    }

    void set(float[] a, int off, int batchStride, int headStride, int rowStride) {
      this.a = a;
      this.off = off;
      this.batchStride = batchStride;
      this.headStride = headStride;
      this.rowStride = rowStride;
    }

    int at(int b, int h, int i) {
      return off + b * batchStride + h * headStride + i * rowStride;
    }

    /** Every element of {@code batch x heads} slices of {@code (rows, cols)} is in bounds. */
    void check(int batch, int heads, int rows, int cols) {
      if (batch * (long) heads * rows * cols == 0) {
        return;
      }
      if (a == null) {
        throw new IllegalStateException("attention: no " + name + " array was set");
      }
      if (off < 0 || batchStride < 0 || headStride < 0 || rowStride < 0) {
        throw new IllegalArgumentException("attention: " + name
            + " offset and strides must not be negative");
      }
      long last = off + (batch - 1) * (long) batchStride + (heads - 1) * (long) headStride
          + (rows - 1) * (long) rowStride + cols;
      if (last > a.length) {
        throw new IndexOutOfBoundsException("attention: " + name + " (" + batch + " x " + heads
            + " slices of " + rows + " x " + cols + ", offset " + off + ", strides "
            + batchStride + "/" + headStride + "/" + rowStride
            + ") does not fit in an array of length " + a.length);
      }
    }
  }
}
