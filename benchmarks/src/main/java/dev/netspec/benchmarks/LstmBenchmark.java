package dev.netspec.benchmarks;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.LSTM;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * {@code nn.LSTM(256, 256, num_layers=2, batch_first=True)} in eval mode on {@code batch}
 * sequences of {@value #STEPS} steps, {@code forward(x, out)}: the output sequence written into
 * a tensor made once (allocation-free once warm), one thread. Each layer runs its steps in
 * blocks of 2 (32 rows): one GEMM for the input projection of the block's steps, then per step
 * one GEMM of the hidden state with {@code W_hh} and the fused gates ({@code RNNBase}). With {@code -Dpeers.models=DIR} (peers.sh) it runs the
 * weights and input ONNX Runtime runs ({@code DIR/lstm.safetensors}, {@code
 * DIR/lstm.b<batch>.safetensors}) and the setup refuses a model whose output differs from
 * PyTorch's by more than {@code 1e-5 + 1e-4 |y|}; otherwise seeded weights and input. FLOPs per
 * call: models.py's {@code flops("lstm", batch)}. Its peer is {@code OrtLstm}.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar LstmBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LstmBenchmark extends KernelBenchmark {
  /** Time steps per sequence. */
  static final int STEPS = 100;

  /** Features in, and hidden units of each layer. */
  static final int WIDTH = 256;

  /** Sequences per call. */
  @Param({"16"})
  public int batch;

  private LSTM lstm;
  private Tensor x;
  private Tensor out;

  @Setup
  public void setUp() throws IOException {
    Kernels.setThreads(1);
    noGrad();
    lstm = new LSTM(WIDTH, WIDTH, 2, true, true, 0, false);
    lstm.eval();
    String models = System.getProperty("peers.models");
    Tensor expected = null;
    if (models == null) {
      x = Tensor.randn(new Generator(batch), batch, STEPS, WIDTH);
    } else {
      Path dir = Path.of(models);
      Path io = dir.resolve("lstm.b" + batch + ".safetensors");
      if (!Files.isRegularFile(io)) {
        throw new IOException(io + ": missing; run benchmarks/peers/python/export_onnx.py " + dir);
      }
      SafeTensors.loadStateDict(lstm, dir.resolve("lstm.safetensors"), true);
      Map<String, Tensor> t = SafeTensors.load(io).tensors();
      x = t.get("x");
      expected = t.get("y");
    }
    out = Tensor.zeros(batch, STEPS, WIDTH);
    if (expected != null && !forward().allclose(expected, 1e-4, 1e-5)) {
      throw new IllegalStateException("LstmBenchmark: the output differs from PyTorch's");
    }
  }

  @Benchmark
  public Tensor forward() {
    return lstm.forward(x, out);
  }
}
