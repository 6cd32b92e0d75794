package dev.netspec.runtime.nn;

import dev.netspec.runtime.autograd.RecurrentGrad;
import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.PackedMatrix;
import dev.netspec.runtime.kernels.PackedRows;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * What {@link LSTM} and {@link GRU} share ({@code nn.RNNBase}): the parameters, laid out and
 * named as PyTorch does, PyTorch's default init, the repr, and the loop over layers,
 * directions and time steps. A cell kind adds its gate count and one step's nonlinearities.
 *
 * <p>Parameters, for layer {@code k} and each direction (suffix {@code _reverse} for the
 * second), in this order: {@code weight_ih_lk} {@code (gates * hidden, layer input)},
 * {@code weight_hh_lk} {@code (gates * hidden, hidden)}, and with a bias {@code bias_ih_lk},
 * {@code bias_hh_lk} {@code (gates * hidden)}. The input of layer 0 is {@code input_size}
 * wide, of a later layer {@code directions * hidden_size}. PyTorch's default init: every
 * weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
 *
 * <p>A forward, per layer and direction, runs the steps in blocks of {@link #PROJECTION_ROWS}
 * rows ({@code batch} rows a step): one GEMM computes {@code x W_ih^T + b_ih} for every step of
 * the block at once, into a buffer of {@code (block steps * batch, gates * hidden)}; then each
 * step multiplies the previous hidden state by {@code W_hh} (packed once, {@code + b_hh} in the
 * GEMM's epilogue) and one fused kernel per batch row applies the gates ({@link
 * Kernels#lstmCell}, {@link Kernels#gruCell}), writing {@code h_t} straight into the output,
 * whose previous step is the next step's input. Nothing is transposed: a {@code batch_first}
 * input is read and written in its own layout (a block's input rows are packed into the
 * GEMM's row tiles straight from the input, or gathered first where they are apart). The
 * buffers belong to the instance (one thread at a time, see {@link Module#enterForward}) and
 * are sized once per (steps, batch).
 *
 * <p>After a forward each layer's output is kept. A backward pass ({@link RecurrentGrad})
 * replays the steps itself from the input and the initial states.
 */
public abstract class RNNBase extends Module {
  /**
   * Rows of the input projection per GEMM call: the steps of a block are projected just before
   * their recurrence, so their gates are read back from L2 rather than from a buffer of every
   * step (6.5 MB a layer in LstmBenchmark). The GEMM alone ran at 0.93 of the FMA peak at 64 and
   * 128 x 1024 x 256 and 0.83 at the benchmark's 1600 x 1024 x 256 in one call (GemmVsPeak, Zen
   * 4, AVX-512, JDK 17); the LSTM of LstmBenchmark ran 1.06-1.07x as fast with blocks of 128 rows
   * as with one GEMM, 1.02x faster again with 64 and 1.01-1.02x again with 32 (AbCompare, both
   * orders). Every element is the same FMA chain either way (VectorGemm), so the floats do not
   * change.
   */
  static final int PROJECTION_ROWS = 32;

  private final int inputSize;
  private final int hiddenSize;
  private final int numLayers;
  private final boolean bias;
  private final boolean batchFirst;
  private final double dropout;
  private final boolean bidirectional;
  /** Gates per cell: 4 (LSTM) or 3 (GRU). */
  private final int gates;
  /** Per layer and direction, at {@code layer * directions + direction}. */
  private final Parameter[] weightIh;
  private final Parameter[] weightHh;
  private final Parameter[] biasIh;
  private final Parameter[] biasHh;
  private final PackedWeight[] packedIh;
  private final PackedWeight[] packedHh;
  /** The stream of the dropout masks between layers, in training. */
  private Generator masks = ParameterSeeds.standalone().generator("mask");
  /** The masks the last forward applied to each layer's input, or null without dropout. */
  private Tensor[] dropoutMasks;
  private Workspace ws;

  @SuppressWarnings("this-escape") // registration only touches Module's registries
  RNNBase(int gates, int inputSize, int hiddenSize, int numLayers, boolean bias,
      boolean batchFirst, double dropout, boolean bidirectional) {
    if (inputSize < 0) {
      throw new IllegalArgumentException("input_size must be >= 0, got " + inputSize);
    }
    if (hiddenSize <= 0) {
      throw new IllegalArgumentException("hidden_size must be greater than zero, got "
          + hiddenSize);
    }
    if (numLayers <= 0) {
      throw new IllegalArgumentException("num_layers must be greater than zero, got "
          + numLayers);
    }
    if (!(dropout >= 0 && dropout <= 1)) {
      throw new IllegalArgumentException("dropout should be a number in range [0, 1]"
          + " representing the probability of an element being zeroed, got "
          + PyFormat.floatRepr(dropout));
    }
    this.gates = gates;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = dropout;
    this.bidirectional = bidirectional;
    int slots = numLayers * directions();
    weightIh = new Parameter[slots];
    weightHh = new Parameter[slots];
    biasIh = new Parameter[slots];
    biasHh = new Parameter[slots];
    packedIh = new PackedWeight[slots];
    packedHh = new PackedWeight[slots];
    for (int layer = 0; layer < numLayers; layer++) {
      for (int dir = 0; dir < directions(); dir++) {
        int k = layer * directions() + dir;
        String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
        weightIh[k] = registerParameter("weight_ih" + suffix,
            new Parameter(Tensor.zeros(gates * hiddenSize, layerInputSize(layer))));
        weightHh[k] = registerParameter("weight_hh" + suffix,
            new Parameter(Tensor.zeros(gates * hiddenSize, hiddenSize)));
        if (bias) {
          biasIh[k] = registerParameter("bias_ih" + suffix,
              new Parameter(Tensor.zeros(gates * hiddenSize)));
          biasHh[k] = registerParameter("bias_hh" + suffix,
              new Parameter(Tensor.zeros(gates * hiddenSize)));
        }
        packedIh[k] = new PackedWeight();
        packedHh[k] = new PackedWeight();
      }
    }
    initParameters(ParameterSeeds.standalone());
  }

  /** A replica's layer uses the original's packed weights (its weights are the original's). */
  @Override
  protected void shareDerived(Module original) {
    RNNBase o = (RNNBase) original;
    System.arraycopy(o.packedIh, 0, packedIh, 0, packedIh.length);
    System.arraycopy(o.packedHh, 0, packedHh, 0, packedHh.length);
  }

  /** PyTorch's {@code reset_parameters}: see the class comment; restarts the dropout stream. */
  @Override
  protected void resetParameters(ParameterSeeds seeds) {
    initParameters(seeds);
  }

  @Override
  protected Map<String, Generator> localGenerators() {
    return Map.of("mask", masks);
  }

  private void initParameters(ParameterSeeds seeds) {
    double bound = 1 / Math.sqrt(hiddenSize);
    namedParameters().forEach((name, p) -> Init.uniform_(p.data(), -bound, bound,
        seeds.generator(name)));
    masks = seeds.generator("mask");
  }

  // ---------------------------------------------------------------- configuration

  /** The features of the input ({@code input_size}). */
  public int inputSize() {
    return inputSize;
  }

  /** The features of the hidden state ({@code hidden_size}). */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** The stacked layers ({@code num_layers}). */
  public int numLayers() {
    return numLayers;
  }

  /** Whether the layers have the biases {@code b_ih} and {@code b_hh} ({@code bias}). */
  public boolean hasBias() {
    return bias;
  }

  /** Whether a batched input and output are {@code (batch, seq, feature)} ({@code batch_first}). */
  public boolean batchFirst() {
    return batchFirst;
  }

  /**
   * The dropout masks the last forward applied between layers ({@code [layer]} on that
   * layer's input, laid out as the input; null at layer 0), or null when it applied none:
   * what a backward pass multiplies by.
   */
  public Tensor[] dropoutMasks() {
    return dropoutMasks == null ? null : dropoutMasks.clone();
  }

  /** The dropout probability on each layer's output but the last, in training. */
  public double dropout() {
    return dropout;
  }

  /** Whether each layer also runs from the last step to the first ({@code bidirectional}). */
  public boolean bidirectional() {
    return bidirectional;
  }

  /** 2 if bidirectional, else 1. */
  public int directions() {
    return bidirectional ? 2 : 1;
  }

  private int layerInputSize(int layer) {
    return layer == 0 ? inputSize : directions() * hiddenSize;
  }

  /**
   * The shape of the output for an input of shape {@code inputShape}: the input's, with the
   * last dim {@code directions * hidden_size}.
   */
  public int[] outputShape(int... inputShape) {
    checkInputShape(inputShape);
    int[] out = inputShape.clone();
    out[out.length - 1] = directions() * hiddenSize;
    return out;
  }

  /**
   * The shape of {@code h0}, {@code h_n} (and LSTM's {@code c0}, {@code c_n}) for an input of
   * shape {@code inputShape}: {@code (layers * directions, batch, hidden_size)}, or
   * {@code (layers * directions, hidden_size)} for an unbatched input.
   */
  public int[] stateShape(int... inputShape) {
    checkInputShape(inputShape);
    int slots = numLayers * directions();
    if (inputShape.length == 2) {
      return new int[] {slots, hiddenSize};
    }
    return new int[] {slots, inputShape[batchFirst ? 0 : 1], hiddenSize};
  }

  private void checkInputShape(int[] shape) {
    if (shape.length != 2 && shape.length != 3) {
      throw new IllegalArgumentException(typeName() + ": expected a 2-D (seq, " + inputSize
          + ") or 3-D (" + (batchFirst ? "batch, seq" : "seq, batch") + ", " + inputSize
          + ") input, got shape " + Arrays.toString(shape));
    }
    if (shape[shape.length - 1] != inputSize) {
      throw new IllegalArgumentException(typeName() + ": input.size(-1) must be equal to"
          + " input_size. Expected " + inputSize + ", got " + shape[shape.length - 1]);
    }
    if (shape[shape.length == 3 && batchFirst ? 1 : 0] == 0) {
      throw new IllegalArgumentException(typeName() + ": expected at least one time step, got"
          + " input of shape " + Arrays.toString(shape));
    }
  }

  // ---------------------------------------------------------------- forward

  /**
   * {@code lstm(x)[0]}: the output sequence alone, each step's last-layer hidden state;
   * recorded for a backward pass when recording is on (see {@link #recorded}).
   */
  @Override
  public Tensor forward(Tensor x) {
    Tensor[] states = newStates(x);
    return recorded(x, null, null, Tensor.zeros(outputShape(x.shape())), states[0],
        states[1])[0];
  }

  /** Fresh {@code h_n} (and for an LSTM {@code c_n}, else null) for an input {@code x}. */
  private Tensor[] newStates(Tensor x) {
    int[] shape = stateShape(x.shape());
    return new Tensor[] {Tensor.zeros(shape), gates == 4 ? Tensor.zeros(shape) : null};
  }

  /**
   * The allocating forward into fresh tensors, recorded for a backward pass when recording is
   * on and the input, an initial state or a parameter requires a gradient ({@link
   * RecurrentGrad#record}: one node for the whole recurrence, the outputs named as PyTorch
   * names them). Returns {@code {output, h_n, c_n}} as the caller hands them out.
   */
  final Tensor[] recorded(Tensor x, Tensor h0, Tensor c0, Tensor output, Tensor hN,
      Tensor cN) {
    run(x, h0, c0, output, hN, cN);
    return RecurrentGrad.record(this, x, h0, c0, output, hN, cN);
  }

  /**
   * {@link #forward(Tensor)} written into {@code out} (contiguous, of {@link #outputShape}, not
   * sharing storage with {@code x}); the final states stay in the instance's buffers.
   * Allocation-free once warm for a contiguous {@code x} in eval mode (or without dropout).
   */
  @Override
  public Tensor forward(Tensor x, Tensor out) {
    run(x, null, null, out, null, null);
    return out;
  }

  /**
   * The whole forward, as the subclasses' public methods call it: checks every shape, then
   * writes the output and final states. {@code h0} and {@code c0} may be null (zeros);
   * {@code hN} and {@code cN} null mean the instance's own buffers; {@code c0} and {@code cN}
   * are always null for a GRU.
   */
  final void run(Tensor x, Tensor h0, Tensor c0, Tensor output, Tensor hN, Tensor cN) {
    // Checked without allocating (shape() is a copy): messages only on failure.
    boolean batched = x.dim() == 3;
    if (x.dim() != 2 && !batched || x.size(-1) != inputSize
        || x.size(batched && batchFirst ? 1 : 0) == 0) {
      checkInputShape(x.shape()); // throws
    }
    int seq = x.size(batched && batchFirst ? 1 : 0);
    int batch = batched ? x.size(batchFirst ? 0 : 1) : 1;
    checkState(x, "h0", h0, batch, false);
    checkState(x, "c0", c0, batch, false);
    checkState(x, "h_n", hN, batch, true);
    checkState(x, "c_n", cN, batch, true);
    boolean outputFits = output.dim() == x.dim() && output.size(-1) == directions() * hiddenSize;
    for (int d = 0; d < x.dim() - 1 && outputFits; d++) {
      outputFits = output.size(d) == x.size(d);
    }
    if (!outputFits) {
      throw new IllegalArgumentException(typeName() + ": expected output of shape "
          + Arrays.toString(outputShape(x.shape())) + ", got " + Arrays.toString(output.shape()));
    }
    if (!output.isContiguous()) {
      throw new IllegalArgumentException(typeName() + ": output must be contiguous");
    }
    checkSeparate(x, h0, c0, output, hN, cN);
    enterForward();
    try {
      Workspace w = workspace(seq, batch, batched && batchFirst);
      if (hN == null) {
        hN = w.hN;
        cN = gates == 4 ? w.cN : null;
      }
      layers(w, dense(x), h0 == null ? null : dense(h0), c0 == null ? null : dense(c0),
          output, hN, cN);
      output.bumpVersion();
      hN.bumpVersion();
      if (cN != null) {
        cN.bumpVersion();
      }
    } finally {
      exitForward();
    }
  }

  /** A state (or null) must be {@link #stateShape} for {@code x}; one that is written, contiguous. */
  private void checkState(Tensor x, String name, Tensor t, int batch, boolean written) {
    if (t == null) {
      return;
    }
    int slots = numLayers * directions();
    boolean fits = x.dim() == 3
        ? t.dim() == 3 && t.size(0) == slots && t.size(1) == batch && t.size(2) == hiddenSize
        : t.dim() == 2 && t.size(0) == slots && t.size(1) == hiddenSize;
    if (!fits) {
      throw new IllegalArgumentException(typeName() + ": expected " + name + " of shape "
          + Arrays.toString(stateShape(x.shape())) + ", got " + Arrays.toString(t.shape()));
    }
    if (written && !t.isContiguous()) {
      throw new IllegalArgumentException(typeName() + ": " + name + " must be contiguous");
    }
  }

  /**
   * The outputs must not share storage with an input or each other; an initial state may be
   * the very tensor its final state is written to ({@code h0 == hN}), to carry the state over.
   */
  private void checkSeparate(Tensor x, Tensor h0, Tensor c0, Tensor output, Tensor hN,
      Tensor cN) {
    separate("output", output, "the input", x, false);
    separate("output", output, "h0", h0, false);
    separate("output", output, "c0", c0, false);
    separate("h_n", hN, "the input", x, false);
    separate("h_n", hN, "h0", h0, true);
    separate("h_n", hN, "c0", c0, false);
    separate("c_n", cN, "the input", x, false);
    separate("c_n", cN, "h0", h0, false);
    separate("c_n", cN, "c0", c0, true);
    separate("output", output, "h_n", hN, false);
    separate("output", output, "c_n", cN, false);
    separate("h_n", hN, "c_n", cN, false);
  }

  /** {@code a} must not share storage with {@code b}, unless {@code same} allows {@code a == b}. */
  private void separate(String aName, Tensor a, String bName, Tensor b, boolean same) {
    if (a != null && b != null && !(same && a == b) && a.sharesStorageWith(b)) {
      throw new IllegalArgumentException(typeName() + ": " + aName
          + " must not share storage with " + bName);
    }
  }

  /** Every layer in turn; the last writes into {@code output}. */
  private void layers(Workspace w, Tensor x, Tensor h0, Tensor c0, Tensor output, Tensor hN,
      Tensor cN) {
    Tensor input = x; // (seq, batch, features) or (batch, seq, features)
    dropoutMasks = null;
    for (int layer = 0; layer < numLayers; layer++) {
      if (layer > 0 && dropout > 0 && isTraining()) {
        if (dropoutMasks == null) {
          dropoutMasks = new Tensor[numLayers];
        }
        Tensor mask = Functional.dropoutMask(input.shape(), (float) dropout, masks);
        dropoutMasks[layer] = mask;
        input = Functional.dropout(input, mask); // allocates
      }
      Tensor out = layer == numLayers - 1 ? output : w.layerOut[layer];
      for (int dir = 0; dir < directions(); dir++) {
        direction(w, layer, dir, input, h0, c0, out, hN, cN);
      }
      input = out;
    }
  }

  /** One layer in one direction over every step. */
  private void direction(Workspace w, int layer, int dir, Tensor input, Tensor h0, Tensor c0,
      Tensor out, Tensor hN, Tensor cN) {
    int k = layer * directions() + dir;
    int h = hiddenSize;
    int gh = gates * h;
    int dh = directions() * h;
    int seq = w.seq;
    int batch = w.batch;
    int rows = seq * batch;
    Tensor bih = bias ? dense(biasIh[k].data()) : null;
    Tensor bhh = bias ? dense(biasHh[k].data()) : null;
    int in = layerInputSize(layer);
    PackedMatrix wih = packedIh[k].of(weightIh[k].data());
    float[] g = w.block; // (block steps * batch, gates * hidden): x W_ih^T + b_ih, then the gates
    // The initial state: h0[k] (batch, hidden), or zeros; LSTM's cell state lives in cN[k].
    float[] hInit = h0 == null ? w.zeros : h0.array();
    int hInitOff = h0 == null ? 0 : h0.arrayOffset() + k * batch * h;
    float[] c = cN == null ? null : cN.array();
    int cOff = cN == null ? 0 : cN.arrayOffset() + k * batch * h;
    if (c != null) {
      if (c0 == null) {
        Arrays.fill(c, cOff, cOff + batch * h, 0f);
      } else if (c0.array() != c || c0.arrayOffset() != cN.arrayOffset()) {
        System.arraycopy(c0.array(), c0.arrayOffset() + k * batch * h, c, cOff, batch * h);
      }
    }
    PackedMatrix whh = packedHh[k].of(weightHh[k].data()); // (hidden, gates * hidden)
    float[] o = out.array();
    int oOff = out.arrayOffset() + dir * h;
    int batchStride = w.batchFirst ? seq : 1; // rows between batch entries of one step
    for (int s = 0; s < seq; s++) {
      int t = dir == 0 ? s : seq - 1 - s;
      int prev = dir == 0 ? t - 1 : t + 1;
      int j = s % w.blockSteps; // the step's place in its block
      if (j == 0) {
        project(w, dir, s, input, in, wih, bih);
      }
      float[] hp = s == 0 ? hInit : o; // h_{t-1}: (batch, hidden) rows
      int hpOff = s == 0 ? hInitOff : oOff + w.row(prev, 0) * dh;
      int hpStride = s == 0 ? h : batchStride * dh;
      // (batch, gates * hidden) = h_{t-1} W_hh^T + b_hh
      Kernels.gemm(batch, hp, hpOff, hpStride, whh, w.hg, 0, gh,
          bhh == null ? null : bhh.array(), bhh == null ? 0 : bhh.arrayOffset(),
          Activation.NONE);
      for (int b = 0; b < batch; b++) {
        cell(h, g, (j * batch + b) * gh, w.hg, b * gh, hp, hpOff + b * hpStride, c,
            cOff + b * h, o, oOff + w.row(t, b) * dh);
      }
    }
    // h_n[k]: the hidden state after the direction's last step
    int last = dir == 0 ? seq - 1 : 0;
    for (int b = 0; b < batch; b++) {
      System.arraycopy(o, oOff + w.row(last, b) * dh, hN.array(),
          hN.arrayOffset() + (k * batch + b) * h, h);
    }
  }

  /**
   * {@code x W_ih^T + b_ih} for the block of steps from the direction's step {@code s0} into
   * {@code w.block}, row {@code (s - s0) * batch + b} for step {@code s} and batch entry {@code
   * b}: one GEMM, its rows taken in place where the block's rows are already in that order
   * (forward direction, sequence first), else gathered (a step's rows are apart when {@code
   * batch_first}, and the reverse direction takes the steps backwards). A whole block's rows
   * are packed into the GEMM's row tiles first ({@link PackedRows}): read in place, a block of
   * 32 rows against LstmBenchmark's 1 MB {@code W_ih} (1,024 x 256, streamed from L3 for
   * every block) ran 1.06-1.10x slower than packed (the same product with a row stride the
   * GEMM packs, CPU time, Zen 5, AVX-512, JDK 17). The floats are the same either way.
   */
  private void project(Workspace w, int dir, int s0, Tensor input, int in, PackedMatrix wih,
      Tensor bih) {
    int steps = Math.min(w.blockSteps, w.seq - s0);
    float[] x = input.array();
    int xOff = input.arrayOffset();
    float[] a = x;
    int aOff = xOff + w.row(s0, 0) * in;
    if (dir != 0 || w.batchFirst) {
      a = w.blockIn;
      aOff = 0;
      for (int i = 0; i < steps; i++) {
        int t = dir == 0 ? s0 + i : w.seq - 1 - s0 - i;
        for (int b = 0; b < w.batch; b++) {
          System.arraycopy(x, xOff + w.row(t, b) * in, w.blockIn, (i * w.batch + b) * in, in);
        }
      }
    }
    float[] bias = bih == null ? null : bih.array();
    int biasOff = bih == null ? 0 : bih.arrayOffset();
    PackedRows rows = steps == w.blockSteps ? w.packedBlock(in) : null;
    if (rows != null) {
      rows.repack(a, aOff, in);
      Kernels.gemm(rows, wih, w.block, 0, gates * hiddenSize, bias, biasOff, Activation.NONE);
    } else {
      Kernels.gemm(steps * w.batch, a, aOff, in, wih, w.block, 0, gates * hiddenSize, bias,
          biasOff, Activation.NONE);
    }
  }

  /**
   * One step of one batch row: {@code gates} ({@code gates * n} from {@code gOff}) holds
   * {@code x W_ih^T + b_ih} and gets the activated gates, {@code hg} holds {@code h_{t-1}
   * W_hh^T + b_hh}, {@code hPrev} is {@code h_{t-1}}, {@code c} LSTM's cell state (in and
   * out; null for a GRU) and {@code h} receives {@code h_t}.
   */
  abstract void cell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] hPrev,
      int hpOff, float[] c, int cOff, float[] h, int hOff);

  private static Tensor dense(Tensor t) {
    return t.isContiguous() ? t : t.contiguous();
  }

  // ---------------------------------------------------------------- workspace

  private Workspace workspace(int seq, int batch, boolean batchFirstLayout) {
    Workspace w = ws;
    if (w == null || w.seq != seq || w.batch != batch || w.batchFirst != batchFirstLayout) {
      w = new Workspace(seq, batch, batchFirstLayout);
      ws = w;
    }
    return w;
  }

  /** The buffers of one (steps, batch, layout), reused while calls keep it. */
  private final class Workspace {
    final int seq;
    final int batch;
    /** Whether row {@code (t, b)} is {@code b * seq + t} (else {@code t * batch + b}). */
    final boolean batchFirst;
    /** Steps per block of the input projection: {@link #PROJECTION_ROWS} rows, at least a step. */
    final int blockSteps;
    /** (blockSteps * batch, gates * hidden): a block's pre-activations, then its gates. */
    final float[] block;
    /** (blockSteps * batch, widest layer input): a block's input rows, gathered. */
    final float[] blockIn;
    /** A whole block's input rows packed for the GEMM: layer 0's width, and a later layer's. */
    final PackedRows packedFirst;
    final PackedRows packedLater;
    /** (batch, gates * hidden): one step's {@code h_{t-1} W_hh^T + b_hh}. */
    final float[] hg;
    /** (batch, hidden): the initial state when none is given. */
    final float[] zeros;
    /** The output of every layer but the last, shaped as the output. */
    final Tensor[] layerOut;
    /** (layers * directions, batch, hidden): the final states of {@code forward(x, out)}. */
    final Tensor hN;
    final Tensor cN;

    Workspace(int seq, int batch, boolean batchFirst) {
      this.seq = seq;
      this.batch = batch;
      this.batchFirst = batchFirst;
      int slots = numLayers * directions();
      blockSteps = Math.min(seq, Math.max(1, PROJECTION_ROWS / batch));
      block = new float[Math.multiplyExact(blockSteps * batch, RNNBase.this.gates * hiddenSize)];
      blockIn = new float[Math.multiplyExact(blockSteps * batch,
          Math.max(inputSize, directions() * hiddenSize))];
      packedFirst = PackedRows.pack(blockSteps * batch, inputSize, blockIn, 0, inputSize);
      packedLater = numLayers == 1 ? null : PackedRows.pack(blockSteps * batch,
          directions() * hiddenSize, blockIn, 0, directions() * hiddenSize);
      hg = new float[batch * RNNBase.this.gates * hiddenSize];
      zeros = new float[batch * hiddenSize];
      int[] outShape = batchFirst ? new int[] {batch, seq, directions() * hiddenSize}
          : new int[] {seq, batch, directions() * hiddenSize};
      layerOut = new Tensor[numLayers - 1];
      for (int i = 0; i < layerOut.length; i++) {
        layerOut[i] = Tensor.zeros(outShape);
      }
      hN = Tensor.zeros(slots, batch, hiddenSize);
      cN = RNNBase.this.gates == 4 ? Tensor.zeros(slots, batch, hiddenSize) : null;
    }

    /** The packed rows of a whole block of a layer whose input is {@code in} wide. */
    PackedRows packedBlock(int in) {
      return in == inputSize ? packedFirst : packedLater;
    }

    /** The row of step {@code t}, batch entry {@code b}, in the input's and output's layout. */
    int row(int t, int b) {
      return batchFirst ? b * seq + t : t * batch + b;
    }
  }

  // ---------------------------------------------------------------- repr and modes

  @Override
  public String extraRepr() {
    StringBuilder s = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
    if (numLayers != 1) {
      s.append(", num_layers=").append(numLayers);
    }
    if (!bias) {
      s.append(", bias=False");
    }
    if (batchFirst) {
      s.append(", batch_first=True");
    }
    if (dropout != 0) {
      s.append(", dropout=").append(PyFormat.floatRepr(dropout));
    }
    if (bidirectional) {
      s.append(", bidirectional=True");
    }
    return s.toString();
  }

  // covariant returns, so that calls chain

  @Override
  public RNNBase train() {
    return train(true);
  }

  @Override
  public RNNBase train(boolean mode) {
    super.train(mode);
    return this;
  }

  @Override
  public RNNBase eval() {
    return train(false);
  }
}
