package dev.netspec.peers;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/**
 * ONNX Runtime Java running GPT-2 small exported from PyTorch ({@link OrtBenchmark}; nanoGPT's
 * GPT as tools/fixtures/gpt2_fixtures.py writes it, GPT-2's init): the prefill of 128 tokens
 * from position 0, every position's logits. Its pair in the {@code benchmarks} module is
 * {@code Gpt2PrefillBenchmark}.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OrtGpt2Prefill extends OrtBenchmark {
  /** Sequences of 128 tokens per call. */
  @Param({"1"})
  public int batch;

  @Override
  String model() {
    return "gpt2";
  }

  @Override
  int batch() {
    return batch;
  }
}
