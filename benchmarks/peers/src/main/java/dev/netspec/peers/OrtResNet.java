package dev.netspec.peers;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

/**
 * ONNX Runtime Java running torchvision's ResNet-18 exported from PyTorch ({@link
 * OrtBenchmark}; the weights of {@code RandomStateDict} with seed 13, eval mode, 3x224x224
 * images): batch 1 is the latency issue 13 compares, batch 8 the throughput.
 *
 * <p>netspec's own ResNet-18 benchmark, in the {@code benchmarks} module, pairs with these rows
 * in the table by its name and parameters: see benchmarks/peers/README.md.
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OrtResNet extends OrtBenchmark {
  /** Images per call. */
  @Param({"1", "8"})
  public int batch;

  @Override
  String model() {
    return "resnet18";
  }

  @Override
  int batch() {
    return batch;
  }
}
