package dev.netspec.peers;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/**
 * ONNX Runtime Java running an MLP exported from PyTorch ({@link OrtBenchmark}). peers.sh
 * runs the tutorial MLP with {@code -p model=20-256-10 -p batch=2}.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OrtMlp extends OrtBenchmark {
  /** Layer widths of the MLP, as named by export_onnx.py. */
  @Param({"784-1024-1024-10"})
  public String model;

  /** Rows per call. */
  @Param({"1", "32", "256"})
  public int batch;

  @Override
  String model() {
    return model;
  }

  @Override
  int batch() {
    return batch;
  }
}
