package dev.netspec.benchmarks;

import dev.netspec.examples.GPT;
import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One cached decode step of the GPT-2 small generated from specs/gpt2.yaml ({@code new
 * GPT(50257, 1024, 12, 768)}, its own seeded weights), batch 1, one thread: the token at
 * position {@code context - 1} against the {@code context - 1} tokens in its KV caches (each
 * call goes back to that position, so the context stays fixed). Reading the weights once per
 * token is {@value #WEIGHT_BYTES} bytes (every parameter but {@code wpe}'s other rows; the
 * tied {@code wte} once, for the logits) plus {@code 2 * 12 * context * 768 * 4} bytes of
 * cache (9.4 MB at 128, 37.7 MB at 512); with {@link MemoryBandwidthBenchmark}'s GB/s in the
 * same run, {@code ops/s * bytes / bandwidth} is the fraction of the bandwidth a step
 * reaches, and ops/s is tokens/s ({@link DecodeVsBandwidth} measures both alternately). Grad
 * mode off, {@code forward(idx, start, logits)} writes the logits into a tensor made once, as
 * a serving loop would: nothing is allocated once warm ({@code forward(idx, start)} would
 * allocate the 201 KB of logits per step).
 */
public class Gpt2DecodeBenchmark extends KernelBenchmark {
  /** Bytes of weights a decode step reads: 124,439,808 parameters, less 1023 rows of wpe. */
  static final long WEIGHT_BYTES = (124_439_808L - 1023L * 768) * 4;

  /** Tokens in the cache, the new one included. */
  @Param({"128", "512"})
  public int context;

  private GPT gpt;
  private Tensor next; // (1, 1) int64: the token of the step
  private Tensor logits; // (1, 1, 50257)

  /** {@code torch.no_grad()} for the benchmark thread: inference records nothing. */
  @Setup(Level.Iteration)
  public void noGrad() {
    GradMode.setEnabled(false);
  }

  @Setup
  public void setUp() {
    Kernels.setThreads(1);
    GradMode.setEnabled(false);
    gpt = new GPT(50257, 1024, 12, 768, 1).eval();
    long[] ids = new long[context - 1];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 7919L) % 50257;
    }
    gpt.forward(Tensor.ofLongs(ids, 1, ids.length), 0); // prefill: the context so far
    next = Tensor.ofLongs(new long[] {42}, 1, 1);
    logits = Tensor.zeros(1, 1, 50257);
  }

  /** Bytes a step reads: the weights and both caches of every layer. */
  static long bytesPerStep(int context) {
    return WEIGHT_BYTES + 2L * 12 * context * 768 * 4;
  }

  @Benchmark
  public Tensor decodeStep() {
    return gpt.forward(next, context - 1, logits);
  }
}
