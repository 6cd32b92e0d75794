package dev.netspec.peers;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/**
 * ONNX Runtime Java running {@code torch.nn.LSTM(256, 256, num_layers=2, batch_first=True)}
 * exported from PyTorch ({@link OrtBenchmark}, PyTorch's default init) on {@code batch}
 * sequences of 100 steps, the output sequence alone. Its pair in the {@code benchmarks} module
 * is {@code LstmBenchmark}.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OrtLstm extends OrtBenchmark {
  /** Sequences of 100 steps per call. */
  @Param({"16"})
  public int batch;

  @Override
  String model() {
    return "lstm";
  }

  @Override
  int batch() {
    return batch;
  }
}
