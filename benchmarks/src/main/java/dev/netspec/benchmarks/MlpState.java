package dev.netspec.benchmarks;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * What the MLP benchmarks share: the model and its input. With {@code -Dpeers.models=DIR}
 * (set by {@code benchmarks/peers.sh}) the weights and input are PyTorch's, from {@code
 * DIR/mlp_<model>.safetensors} and {@code DIR/mlp_<model>.b<batch>.safetensors}, and the
 * setup checks netspec's output against PyTorch's {@code y}; otherwise they are seeded.
 */
abstract class MlpState extends KernelBenchmark {
  Mlp mlp;
  Tensor x;

  void setup(String model, int batch, int threads) throws SafeTensorsException {
    Kernels.setThreads(threads);
    int[] widths = Mlp.widths(model);
    String dir = System.getProperty("peers.models");
    Path weights = dir == null ? null : Path.of(dir, "mlp_" + model + ".safetensors");
    Path io = dir == null ? null : Path.of(dir, "mlp_" + model + ".b" + batch + ".safetensors");
    if (weights != null && Files.exists(weights) && Files.exists(io)) {
      mlp = Mlp.load(widths, weights);
      Map<String, Tensor> xy = SafeTensors.load(io).tensors();
      x = xy.get("x");
      Tensor y = mlp.forward(x);
      if (!y.allclose(xy.get("y"), 1e-4, 1e-5)) {
        throw new IllegalStateException("netspec's output differs from PyTorch's for " + io);
      }
    } else {
      mlp = Mlp.random(widths, 0);
      x = Inputs.uniform(new Random(1), 1f, batch, widths[0]);
    }
  }
}
