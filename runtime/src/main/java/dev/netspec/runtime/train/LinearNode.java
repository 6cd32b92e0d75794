package dev.netspec.runtime.train;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.PackedMatrix;
import dev.netspec.runtime.kernels.TiledWeight;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ParameterMirror;
import dev.netspec.runtime.tensor.Tensor;

/**
 * {@code act(x @ weight.T + bias)} of a {@link Linear} (act: none, or the ReLU after it
 * fused), and its backward on the packed GEMM:
 *
 * <pre>
 * y^T    = W @ x^T       (out, rows)         then y = act(y^T^T + b)
 * g      = act'(y) * gradOutput               in place (ReLU: 0 where y <= 0)
 * dW     = g^T @ x        (out, in)           g read transposed in place (gemmTransposedA)
 * db     = g summed over rows
 * dx     = g @ W          (rows, in)          W packed as it is stored, (out x in)
 * </pre>
 *
 * <p>The forward computes {@code y^T = W @ x^T}, reading the weight in place: packing it as
 * {@code W^T} (what the inference forward reads) is a transpose of the whole weight, 1.2 ms
 * for 1024 x 1024 on the reference machine, and the optimizer changes the weight every step.
 * Bias and activation are applied to {@code y^T} ({@code act(y^T + b)}, kept: {@link
 * #transposedOutput}), then transposed into {@code y}. A Linear right after another reads that
 * kept {@code x^T} as a row-major operand instead of gathering it from {@code x}: packing a
 * 64 x 1024 {@code x} transposed (a strided gather) cost more than the 10-output head's whole
 * product. The backward packs {@code W} as stored (row panels: a copy), in place.
 */
final class LinearNode extends StepNode implements ParameterMirror {
  private final Linear layer;
  private final Activation act;
  /** Whether an earlier step has parameters to train, so {@code dx} is computed. */
  private boolean inputGrad = true;
  /** W's row tiles, the forward's A ({@code y^T = W @ x^T}), or null when not used. */
  private TiledWeight tiles;
  private PackedMatrix backwardPack; // op(B) = W, (out x in), for dx
  /** The tensor and version {@link #tiles} and {@link #backwardPack} were made from. */
  private Tensor packSource;
  private long packVersion;
  /** Whether a forward used the packs since the optimizer last updated W. */
  private boolean used;
  private float[] mirrored; // W's values during an optimizer's update (ParameterMirror)
  private PackedMatrix inputPack; // op(B) = x^T, (in x rows), packed per forward
  /** Whole repacks of W so far (tests: none once the optimizer keeps the packs current). */
  int repacks;
  /**
   * The step's own gradient buffers: each gradient is computed into one, then handed to the
   * parameter under its lock ({@link Parameter#accumulateGrad(Tensor, boolean)}): it becomes
   * the {@code .grad} when there is none, else it is added to it. When the weight's buffer
   * already is the {@code .grad} (zeroed in place, or gradients accumulated over steps), dW is
   * added into it in the same pass, under the parameter's lock ({@link Parameter#gradLock});
   * the bias's is summed into a small scratch and added.
   * Two steps training one model from two threads thus add both their gradients.
   */
  private Tensor weightGrad;
  private Tensor biasGrad;
  private Tensor biasScratch;
  private float[] transposed = new float[0]; // act(y^T + b) in the forward (out x rows)
  /** The Linear step right before this one, whose kept {@code act(y^T + b)} is {@code x^T}. */
  private LinearNode previous;

  LinearNode(Linear layer, Activation act) {
    this.layer = layer;
    this.act = act;
    layer.weight.addMirror(this);
  }

  /**
   * Makes this step read {@code x^T} from {@code before}'s last forward ({@link
   * #transposedOutput}): {@code before} is the step right before it, whose output is this
   * step's input.
   */
  void follows(LinearNode before) {
    previous = before;
  }

  /**
   * {@code act(y^T + b)} of the last {@link #forward} ({@code out x rows}, row-major from index
   * 0): the output transposed, the next Linear's {@code x^T}.
   */
  float[] transposedOutput() {
    return transposed;
  }

  /** Whether the forward reads {@code x^T} kept by the step before (tests). */
  boolean readsKeptTranspose() {
    return previous != null;
  }

  @Override
  void inputGradNeeded(boolean needed) {
    inputGrad = needed;
  }

  @Override
  boolean hasTrainableParameters() {
    return layer.weight.requiresGrad() || layer.bias != null && layer.bias.requiresGrad();
  }

  @Override
  int[] outputShape(int[] in) {
    int features = layer.weight.data().size(1);
    if (in.length == 0 || in[in.length - 1] != features) {
      throw new IllegalArgumentException("Linear(in_features=" + features
          + "): expected an input whose last dim is " + features + ", got shape "
          + java.util.Arrays.toString(in));
    }
    int[] out = in.clone();
    out[out.length - 1] = layer.weight.data().size(0);
    return out;
  }

  /**
   * {@code y^T = W @ x^T} with W read in place as stored (no packing of the weight, which
   * changed since the last step), {@code x^T} read from the step before when it is a Linear
   * ({@link #follows}), then {@code act(y^T + b)} and its transpose {@code y}.
   */
  @Override
  void forward(Tensor x, Tensor out) {
    Tensor w = layer.weight.data().contiguous();
    int n = w.size(0);
    int k = w.size(1);
    int rows = rows(x, k);
    if (transposed.length < rows * n) {
      transposed = new float[rows * n];
    }
    float[] xT = previous != null && previous.transposedOutput().length >= rows * k
        ? previous.transposedOutput() : null;
    if (TiledWeight.usedFor(n, rows) && w == layer.weight.data() && w.arrayOffset() == 0) {
      // W's row tiles kept by the optimizer (or packed here when stale), x^T packed once.
      ensurePacks(w, true, inputGrad);
      if (inputPack == null || inputPack.rows() != k || inputPack.columns() != rows) {
        inputPack = xT != null ? PackedMatrix.pack(k, rows, xT, 0, rows, false)
            : PackedMatrix.pack(k, rows, x.array(), x.arrayOffset(), k, true);
      } else if (xT != null) {
        inputPack.repack(xT, 0, rows, false);
      } else {
        inputPack.repack(x.array(), x.arrayOffset(), k, true);
      }
      Kernels.gemm(w.array(), tiles, inputPack, transposed, 0, rows, null, 0, Activation.NONE);
      used = true;
    } else if (xT != null) {
      Kernels.gemm(n, rows, k, w.array(), w.arrayOffset(), k, xT, 0, rows, false, transposed, 0,
          rows, null, 0, Activation.NONE);
    } else {
      Kernels.gemm(n, rows, k, w.array(), w.arrayOffset(), k, x.array(), x.arrayOffset(), k,
          true, transposed, 0, rows, null, 0, Activation.NONE);
    }
    Tensor b = layer.bias == null ? null : layer.bias.data().contiguous();
    Backward.biasActTranspose(transposed, n, rows, b == null ? null : b.array(),
        b == null ? 0 : b.arrayOffset(), act == Activation.RELU, out.array(), out.arrayOffset());
    out.bumpVersion();
  }

  @Override
  void backward(Tensor x, Tensor y, Tensor g, Tensor gradInput) {
    Tensor w = layer.weight.data();
    int n = w.size(0);
    int k = w.size(1);
    int rows = rows(x, k);
    float[] ga = g.array();
    int go = g.arrayOffset();
    if (act == Activation.RELU) {
      Backward.relu(ga, go, y.array(), y.arrayOffset(), ga, go, rows * n);
    }
    Parameter weight = layer.weight;
    if (weight.requiresGrad()) {
      Tensor own = ownWeightGrad(w);
      if (!weightGradAdded(weight, own, ga, go, x, n, k, rows)) {
        dW(ga, go, x, n, k, rows, own, false);
        weight.accumulateGrad(own, true);
      }
    }
    Parameter bias = layer.bias;
    if (bias != null && bias.requiresGrad()) {
      Tensor own = ownBiasGrad(n);
      Tensor into = bias.grad() == own ? biasScratch(n) : own;
      Backward.columnSums(ga, go, rows, n, into.array());
      into.bumpVersion();
      bias.accumulateGrad(into, into == own);
    }
    if (gradInput != null) {
      Kernels.gemm(rows, ga, go, n, backwardPack(w), gradInput.array(),
          gradInput.arrayOffset(), k, null, 0, Activation.NONE);
      gradInput.bumpVersion();
    }
  }

  /**
   * When this step's own buffer is the weight's {@code .grad} (after {@code zeroGrad(false)},
   * or when gradients are accumulated over several steps): adds {@code dW} into it in place,
   * under the parameter's lock, and returns true. Else returns false, nothing done.
   */
  private boolean weightGradAdded(Parameter weight, Tensor own, float[] ga, int go, Tensor x,
      int n, int k, int rows) {
    synchronized (weight.gradLock()) {
      if (weight.grad() != own) {
        return false;
      }
      dW(ga, go, x, n, k, rows, own, true);
      return true;
    }
  }

  /** {@code into (+)= g^T @ x}, {@code g} read transposed in place. */
  private static void dW(float[] ga, int go, Tensor x, int n, int k, int rows, Tensor into,
      boolean accumulate) {
    Kernels.gemmTransposedA(n, k, rows, ga, go, n, x.array(), x.arrayOffset(), k, into.array(),
        0, k, accumulate);
    into.bumpVersion();
  }

  private Tensor ownWeightGrad(Tensor w) {
    if (weightGrad == null || !weightGrad.sameShape(w)) {
      weightGrad = Tensor.zeros(w.shape());
    }
    return weightGrad;
  }

  /** db when the own buffer is the {@code .grad} being added to (a bias: small). */
  private Tensor biasScratch(int n) {
    if (biasScratch == null || biasScratch.size(0) != n) {
      biasScratch = Tensor.zeros(n);
    }
    return biasScratch;
  }

  private Tensor ownBiasGrad(int n) {
    if (biasGrad == null || biasGrad.size(0) != n) {
      biasGrad = Tensor.zeros(n);
    }
    return biasGrad;
  }

  /** The weight packed as the input's gradient reads it ({@code W}), repacked when it changed. */
  private PackedMatrix backwardPack(Tensor w) {
    ensurePacks(w.contiguous(), false, true);
    return backwardPack;
  }

  /**
   * Makes the packs asked for (W's row tiles for the forward, its panels for {@code dx}), and
   * repacks every pack this node holds unless the optimizer kept them current ({@link #end})
   * or nothing changed W since they were packed.
   */
  private void ensurePacks(Tensor w, boolean needTiles, boolean needPanels) {
    int n = w.size(0);
    int k = w.size(1);
    boolean made = false;
    if (w.arrayOffset() != 0) {
      tiles = null; // read from index 0 of W's array
    } else if (needTiles && (tiles == null || tiles.rows() != n || tiles.columns() != k)) {
      tiles = TiledWeight.of(n, k);
      made = true;
    }
    if (needPanels && (backwardPack == null || backwardPack.rows() != n
        || backwardPack.columns() != k)) {
      backwardPack = PackedMatrix.pack(n, k, w.array(), w.arrayOffset(), k, false);
      made = true;
    }
    if (made || packSource != w || packVersion != w.version()) {
      repacks++;
      if (tiles != null) {
        tiles.pack(w.array());
      }
      if (backwardPack != null && (backwardPack.rows() != n || backwardPack.columns() != k)) {
        backwardPack = null;
      }
      if (backwardPack != null) {
        backwardPack.repack(w.array(), w.arrayOffset(), k, false);
      }
      packSource = w;
      packVersion = w.version();
    }
  }

  /**
   * Before the optimizer updates W: keep the packs current block by block if they fit W and
   * a forward used them since the last update or they are current (another step over the
   * same model may have run since: each keeps its own packs, {@link ParameterMirror}). A node
   * may hold either pack alone: the forward reads W in place when the batch is narrow for the
   * vector width (64 rows on 512-bit vectors), while {@code dx} still reads W's panels.
   */
  @Override
  public boolean begin(Tensor data) {
    boolean current = packSource == data && packVersion == data.version();
    if (!used && !current || data.arrayOffset() != 0 || data.dim() != 2
        || tiles == null && backwardPack == null
        || tiles != null && (tiles.rows() != data.size(0) || tiles.columns() != data.size(1))
        || backwardPack != null && (backwardPack.rows() != data.size(0)
            || backwardPack.columns() != data.size(1))) {
      return false;
    }
    mirrored = data.array();
    return true;
  }

  /**
   * Blocks of whole row tiles of W, so each tile is packed in one pass (also without tiles: the
   * copies of W in other steps may hold them, and all must ask for one block size).
   */
  @Override
  public int block() {
    return TiledWeight.refreshBlock(layer.weight.data().size(1));
  }

  /** Elements {@code [from, to)} of W have their new values: rewrite their packed copies. */
  @Override
  public void updated(int from, int to) {
    if (tiles != null) {
      tiles.refresh(mirrored, from, to);
    }
    if (backwardPack != null) {
      backwardPack.refreshRows(mirrored, 0, from, to);
    }
  }

  /** Every element of W was updated and passed to {@link #updated}: the packs are W's now. */
  @Override
  public void end(Tensor data) {
    packSource = data;
    packVersion = data.version();
    mirrored = null;
    used = false;
  }

  private static int rows(Tensor x, int features) {
    return Math.toIntExact(x.numel() / features);
  }
}
