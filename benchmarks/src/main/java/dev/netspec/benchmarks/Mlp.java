package dev.netspec.benchmarks;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.PackedWeight;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * An MLP ({@code nn.Sequential(Linear, ReLU, ..., Linear)}) run the way generated code runs
 * it on the zero-allocation path: each Linear (with the ReLU after it fused) writes into an
 * activation buffer sized once per batch size, and reads its weight packed once. The
 * returned tensor is the model's own output buffer, valid until the next forward.
 */
final class Mlp {
  private final int[] widths;
  private final Tensor[] weights; // (out, in) each: state-dict keys "0.weight", "2.weight", ...
  private final Tensor[] biases;
  private final PackedWeight[] packed;
  private final Tensor[] buffers; // (batch, widths[l + 1]): the output of layer l
  private int batch = -1;

  private Mlp(int[] widths, Tensor[] weights, Tensor[] biases) {
    this.widths = widths;
    this.weights = weights;
    this.biases = biases;
    int layers = widths.length - 1;
    this.packed = new PackedWeight[layers];
    this.buffers = new Tensor[layers];
    for (int l = 0; l < layers; l++) {
      packed[l] = new PackedWeight();
    }
  }

  /** The widths from a name such as {@code "784-1024-1024-10"}. */
  static int[] widths(String model) {
    String[] parts = model.split("-");
    int[] w = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      w[i] = Integer.parseInt(parts[i]);
    }
    return w;
  }

  /** Seeded weights, U(-1/sqrt(in), 1/sqrt(in)) as PyTorch's default init draws them. */
  static Mlp random(int[] widths, long seed) {
    Random rnd = new Random(seed);
    int layers = widths.length - 1;
    Tensor[] w = new Tensor[layers];
    Tensor[] b = new Tensor[layers];
    for (int l = 0; l < layers; l++) {
      float bound = (float) (1 / Math.sqrt(widths[l]));
      w[l] = Inputs.uniform(rnd, bound, widths[l + 1], widths[l]);
      b[l] = Inputs.uniform(rnd, bound, widths[l + 1]);
    }
    return new Mlp(widths, w, b);
  }

  /** PyTorch's weights from a state dict written by the peers harness. */
  static Mlp load(int[] widths, Path file) throws SafeTensorsException {
    Map<String, Tensor> dict = SafeTensors.load(file).tensors();
    int layers = widths.length - 1;
    Tensor[] w = new Tensor[layers];
    Tensor[] b = new Tensor[layers];
    for (int l = 0; l < layers; l++) {
      w[l] = dict.get((2 * l) + ".weight");
      b[l] = dict.get((2 * l) + ".bias");
      if (w[l] == null || b[l] == null || w[l].size(0) != widths[l + 1]
          || w[l].size(1) != widths[l]) {
        throw new IllegalStateException(file + " does not hold an MLP of widths "
            + java.util.Arrays.toString(widths));
      }
    }
    return new Mlp(widths, w, b);
  }

  /** {@code (batch, widths[0]) -> (batch, widths[last])}; the result is reused by the next call. */
  Tensor forward(Tensor x) {
    int rows = x.size(0);
    if (rows != batch) {
      for (int l = 0; l < buffers.length; l++) {
        buffers[l] = Tensor.zeros(rows, widths[l + 1]); // sized once per batch size
      }
      batch = rows;
    }
    Tensor h = x;
    for (int l = 0; l < buffers.length; l++) {
      Activation act = l < buffers.length - 1 ? Activation.RELU : Activation.NONE;
      h = Functional.linearInto(h, weights[l], biases[l], act, packed[l], buffers[l]);
    }
    return h;
  }
}
