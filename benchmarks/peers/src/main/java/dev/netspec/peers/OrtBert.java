package dev.netspec.peers;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/**
 * ONNX Runtime Java running BERT at all-MiniLM-L6-v2's size exported from PyTorch ({@link
 * OrtBenchmark}; transformers' BertModel as tools/fixtures/bert_fixtures.py writes it, random
 * weights, mean pooling), 128 tokens: batch 1 is the latency issue 14 compares, batch 16 the
 * throughput. Its pair in the {@code benchmarks} module is {@code BertBenchmark}.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OrtBert extends OrtBenchmark {
  /** Sequences of 128 tokens per call. */
  @Param({"1", "16"})
  public int batch;

  @Override
  String model() {
    return "minilm";
  }

  @Override
  int batch() {
    return batch;
  }
}
