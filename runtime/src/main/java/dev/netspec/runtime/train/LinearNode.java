package dev.netspec.runtime.train;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.PackedMatrix;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;

/**
 * {@code act(x @ weight.T + bias)} of a {@link Linear} (act: none, or the ReLU after it
 * fused), and its backward on the packed GEMM:
 *
 * <pre>
 * y^T    = W @ x^T       (out, rows)         then y = act(y^T^T + b)
 * g      = act'(y) * gradOutput               in place (ReLU: 0 where y <= 0)
 * dW     = g^T @ x        (out, in)           g transposed once into a scratch (out x rows)
 * db     = g summed over rows
 * dx     = g @ W          (rows, in)          W packed as it is stored, (out x in)
 * </pre>
 *
 * <p>The forward computes {@code y^T = W @ x^T}, reading the weight in place: packing it as
 * {@code W^T} (what the inference forward reads) is a transpose of the whole weight, 1.2 ms
 * for 1024 x 1024 on the reference machine, and the optimizer changes the weight every step.
 * The backward packs {@code W} as stored (row panels: a copy), in place.
 */
final class LinearNode extends StepNode {
  private final Linear layer;
  private final Activation act;
  private PackedMatrix backwardPack; // op(B) = W, (out x in)
  private Tensor backwardSource;
  private long backwardVersion;
  /** The step's own gradient buffers, handed to the parameters as their {@code .grad}. */
  private Tensor weightGrad;
  private Tensor biasGrad;
  private float[] transposed = new float[0]; // y^T in the forward, g^T in the backward (out x rows)
  private float[] weightScratch = new float[0]; // dW when it must be added to a .grad
  private float[] biasSums = new float[0];

  LinearNode(Linear layer, Activation act) {
    this.layer = layer;
    this.act = act;
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
   * changed since the last step), then {@code y = act(y^T^T + b)} in one pass.
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
    Kernels.gemm(n, rows, k, w.array(), w.arrayOffset(), k, x.array(), x.arrayOffset(), k, true,
        transposed, 0, rows, null, 0, Activation.NONE);
    Tensor b = layer.bias == null ? null : layer.bias.data().contiguous();
    Backward.transposeBiasAct(transposed, n, rows, b == null ? null : b.array(),
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
      if (transposed.length < rows * n) {
        transposed = new float[rows * n];
      }
      Backward.transpose(ga, go, rows, n, transposed);
      Tensor target = Backward.overwriteTarget(weight, ownWeightGrad(w));
      float[] c = target != null ? target.array() : scratch(n * k);
      int cOff = target != null ? target.arrayOffset() : 0;
      Kernels.gemm(n, k, rows, transposed, 0, rows, x.array(), x.arrayOffset(), k, false, c,
          cOff, k, null, 0, Activation.NONE);
      if (target == null) {
        Backward.accumulate(weight, c);
      } else {
        target.bumpVersion();
      }
    }
    Parameter bias = layer.bias;
    if (bias != null && bias.requiresGrad()) {
      if (biasSums.length < n) {
        biasSums = new float[n];
      }
      Tensor target = Backward.overwriteTarget(bias, ownBiasGrad(n));
      if (target != null) {
        Backward.columnSums(ga, go, rows, n, target.array());
        target.bumpVersion();
      } else {
        Backward.columnSums(ga, go, rows, n, biasSums);
        Backward.accumulate(bias, biasSums);
      }
    }
    if (gradInput != null) {
      Kernels.gemm(rows, ga, go, n, backwardPack(w), gradInput.array(),
          gradInput.arrayOffset(), k, null, 0, Activation.NONE);
      gradInput.bumpVersion();
    }
  }

  private Tensor ownWeightGrad(Tensor w) {
    if (weightGrad == null || !Backward.sameShape(weightGrad, w)) {
      weightGrad = Tensor.zeros(w.shape());
    }
    return weightGrad;
  }

  private Tensor ownBiasGrad(int n) {
    if (biasGrad == null || biasGrad.size(0) != n) {
      biasGrad = Tensor.zeros(n);
    }
    return biasGrad;
  }

  private float[] scratch(int size) {
    if (weightScratch.length < size) {
      weightScratch = new float[size];
    }
    return weightScratch;
  }

  /** The weight packed as the input's gradient reads it ({@code W}), repacked when it changed. */
  private PackedMatrix backwardPack(Tensor w) {
    if (backwardPack == null || backwardSource != w || backwardVersion != w.version()) {
      Tensor c = w.contiguous();
      int n = w.size(0);
      int k = w.size(1);
      if (backwardPack == null || backwardPack.rows() != n || backwardPack.columns() != k) {
        backwardPack = PackedMatrix.pack(n, k, c.array(), c.arrayOffset(), k, false);
      } else {
        backwardPack.repack(c.array(), c.arrayOffset(), k, false);
      }
      backwardSource = w;
      backwardVersion = w.version();
    }
    return backwardPack;
  }

  private static int rows(Tensor x, int features) {
    return Math.toIntExact(x.numel() / features);
  }
}
