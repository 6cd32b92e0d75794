package dev.netspec.benchmarks;

import dev.netspec.runtime.init.RandomStateDict;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a ResNet-18 benchmark needs to be paired with the peers (issue 13): the weights
 * ONNX Runtime and PyTorch run, their input, and the check that netspec computes what PyTorch
 * computed. The weights need no file: {@code benchmarks/peers/python/export_onnx.py} gives
 * PyTorch the weights of {@link RandomStateDict} with seed {@value #SEED}, which
 * {@code RandomStateDict.fill_} draws here bit for bit. With {@code -Dpeers.models=DIR}
 * (set by {@code benchmarks/peers.sh}) the input and PyTorch's output come from
 * {@code DIR/resnet18.b<batch>.safetensors} and the setup refuses a model that differs from
 * PyTorch by more than {@code 1e-4 + 1e-4 |y|}; otherwise the input is seeded and unchecked.
 *
 * <p>The benchmark itself is one class, {@link ResNet18Benchmark}, paired with the peers' rows
 * by its name ("resnet", and "conv3x3" for a method timing the 3x3 convolutions alone) and its
 * parameters {@code batch} and {@code threads}; see benchmarks/peers/README.md. In short:
 *
 * <pre>{@code
 * public class ResNet18Benchmark extends ResNet18State {
 *   @Param({"1", "8"}) int batch;
 *   @Param({"1", "2"}) int threads;
 *   ResNet net;
 *   Tensor logits;
 *
 *   @Setup
 *   public void setup() throws SafeTensorsException {
 *     net = prepare(new ResNet(), batch, threads);
 *     logits = Tensor.zeros(batch, 1000);
 *   }
 *
 *   @Benchmark
 *   public Tensor forward() {
 *     return net.forward(x, logits);
 *   }
 * }
 * }</pre>
 */
abstract class ResNet18State extends KernelBenchmark {
  /** The weights' seed: {@code models.RESNET_SEED} in benchmarks/peers/python/models.py. */
  static final long SEED = 13;

  /** ImageNet's image side, as the peers run it. */
  static final int SIDE = 224;

  /** The input, (batch, 3, 224, 224). */
  Tensor x;

  /**
   * Gives {@code model} (torchvision's resnet18 state-dict keys) the peers' weights, puts it
   * in eval mode, sets the kernel threads and the input, and checks the output against
   * PyTorch's when {@code peers.models} names the exported files.
   *
   * @return {@code model}
   */
  <M extends Module> M prepare(M model, int batch, int threads) throws SafeTensorsException {
    Kernels.setThreads(threads);
    RandomStateDict.fill_(model.stateDict(), SEED);
    model.eval();
    String dir = System.getProperty("peers.models");
    Path io = dir == null ? null : Path.of(dir, "resnet18.b" + batch + ".safetensors");
    if (io != null && Files.exists(io)) {
      Map<String, Tensor> xy = SafeTensors.load(io).tensors();
      x = xy.get("x");
      if (!model.forward(x).allclose(xy.get("y"), 1e-4, 1e-4)) {
        throw new IllegalStateException("netspec's ResNet-18 differs from PyTorch's for " + io);
      }
    } else {
      x = Tensor.randn(new Generator(SEED + batch), batch, 3, SIDE, SIDE);
    }
    return model;
  }
}
