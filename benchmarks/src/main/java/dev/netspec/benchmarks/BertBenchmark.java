package dev.netspec.benchmarks;

import dev.netspec.examples.BertModel;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One eval-mode forward of the BERT generated from specs/bert_encoder.yaml at
 * all-MiniLM-L6-v2's size ({@code new BertModel(30522, 384, 12, 1536, 512, 2)}, 6 layers) on
 * {@code batch} sequences of 128 tokens, through {@code forwardTupleInto(inputIds, attentionMask,
 * output)} into three result tensors made once (grad mode off: the buffered forward, 0 B a call
 * once warm). Until session 14 it called {@code forwardTuple}, which allocates its results:
 * {@code h} alone is {@code batch x 128 x 384} floats, the whole 3.2 MB/op JMH reported at
 * batch 16 (200 KB at batch 1). With {@code -Dpeers.models=DIR} (peers.sh) it runs
 * the weights and inputs ONNX Runtime runs, {@code DIR/minilm.safetensors} and {@code
 * DIR/minilm.b<batch>.safetensors}, and the setup refuses a model whose sentence embedding
 * differs from PyTorch's by more than {@code 1e-4 + 1e-4 |y|}; otherwise the weights are the
 * seeded defaults and the ids seeded. FLOPs per sequence: models.py's {@code flops("minilm", 1)}.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar BertBenchmark -p batch=1 -p threads=1 -prof gc
 * </pre>
 */
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector") // as KernelBenchmark: never scalar
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class BertBenchmark {
  /** Tokens per sequence, as the peers run it. */
  static final int SEQ = 128;

  @Param({"1", "16"})
  int batch;

  @Param({"1", "2"})
  int threads;

  private BertModel net;
  private Tensor inputIds;
  private Tensor attentionMask;
  private BertModel.Output output;

  /** {@code torch.no_grad()} for the benchmark thread: inference records nothing. */
  @Setup(Level.Iteration)
  public void noGrad() {
    GradMode.setEnabled(false);
  }

  @Setup
  public void setup() throws IOException {
    Kernels.setThreads(threads);
    net = new BertModel(30522, 384, 12, 1536, 512, 2);
    output = new BertModel.Output(Tensor.zeros(batch, SEQ, 384), Tensor.zeros(batch, 384),
        Tensor.zeros(batch, 384));
    String models = System.getProperty("peers.models");
    if (models != null) {
      Path dir = Path.of(models);
      Path io = dir.resolve("minilm.b" + batch + ".safetensors");
      if (!Files.isRegularFile(io)) {
        throw new IOException(io + ": missing; run benchmarks/peers/python/export_onnx.py " + dir);
      }
      SafeTensors.loadStateDict(net, dir.resolve("minilm.safetensors"), true);
      Map<String, Tensor> t = SafeTensors.load(io).tensors();
      inputIds = t.get("input_ids");
      attentionMask = t.get("attention_mask");
      net.eval();
      Tensor y = forward();
      if (!y.allclose(t.get("y"), 1e-4f, 1e-4f)) {
        throw new IllegalStateException("BertBenchmark: the sentence embedding differs from PyTorch's");
      }
    } else {
      Generator g = new Generator(batch);
      long[] ids = new long[batch * SEQ];
      long[] mask = new long[batch * SEQ];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = 1 + (long) (g.nextFloat() * 30000);
        mask[i] = 1;
      }
      inputIds = Tensor.ofLongs(ids, batch, SEQ);
      attentionMask = Tensor.ofLongs(mask, batch, SEQ);
      net.eval();
    }
  }

  @Benchmark
  public Tensor forward() {
    return net.forwardTupleInto(inputIds, attentionMask, output).sentence();
  }
}
