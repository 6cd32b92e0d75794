package dev.netspec.benchmarks;

import dev.netspec.examples.GPT;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.kernels.Kernels;
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
 * The prefill of GPT-2 small generated from specs/gpt2.yaml ({@code new GPT(50257, 1024, 12,
 * 768)}): {@code forward(idx, 0, logits)} on {@value #SEQ} tokens, every position's logits
 * written into a tensor made once (the KV caches filled on the way), batch 1, one thread. With
 * {@code -Dpeers.models=DIR} (peers.sh) it runs the weights and tokens ONNX Runtime runs
 * ({@code DIR/gpt2.safetensors}, {@code DIR/gpt2.b1.safetensors}) and the setup refuses a model
 * whose logits differ from PyTorch's by more than {@code 1e-4 + 1e-3 |y|}; otherwise seeded
 * weights and tokens. FLOPs per call: models.py's {@code flops("gpt2", 1)}. Its peer is {@code
 * OrtGpt2Prefill}.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar Gpt2PrefillBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class Gpt2PrefillBenchmark extends KernelBenchmark {
  /** Tokens of the prefill. */
  static final int SEQ = 128;

  /** Sequences per call. */
  @Param({"1"})
  public int batch;

  private GPT gpt;
  private Tensor idx;
  private Tensor logits;

  @Setup
  public void setUp() throws IOException {
    Kernels.setThreads(1);
    noGrad();
    gpt = new GPT(50257, 1024, 12, 768, 1).eval();
    logits = Tensor.zeros(batch, SEQ, 50257);
    String models = System.getProperty("peers.models");
    if (models == null) {
      long[] ids = new long[batch * SEQ];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = (i * 7919L) % 50257;
      }
      idx = Tensor.ofLongs(ids, batch, SEQ);
      return;
    }
    Path dir = Path.of(models);
    Path io = dir.resolve("gpt2.b" + batch + ".safetensors");
    if (!Files.isRegularFile(io)) {
      throw new IOException(io + ": missing; run benchmarks/peers/python/export_onnx.py " + dir);
    }
    SafeTensors.loadStateDict(gpt, dir.resolve("gpt2.safetensors"), true);
    Map<String, Tensor> t = SafeTensors.load(io).tensors();
    idx = t.get("idx");
    if (!prefill().allclose(t.get("y"), 1e-3, 1e-4)) {
      throw new IllegalStateException("Gpt2PrefillBenchmark: the logits differ from PyTorch's");
    }
  }

  @Benchmark
  public Tensor prefill() {
    return gpt.forward(idx, 0, logits);
  }
}
