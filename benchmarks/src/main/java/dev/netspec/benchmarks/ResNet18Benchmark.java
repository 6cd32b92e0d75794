package dev.netspec.benchmarks;

import dev.netspec.examples.ResNet;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * One eval-mode forward of the ResNet generated from specs/resnet18.yaml (torchvision's
 * resnet18) on {@code batch} images of 3x224x224, on the zero-allocation path {@code
 * forward(x, logits)}: every conv -> batch norm (-> + identity) -> ReLU chain is one call with
 * the batch norm folded into the packed filters, and the intermediates live in the blocks'
 * workspaces. 2 * 1,814,073,344 FLOP per image (benchmarks/peers/python/models.py counts
 * them); peers.sh pairs it with ONNX Runtime's and PyTorch's rows on the same weights
 * ({@link ResNet18State}). {@code threads} is the kernel thread count. Allocation: 0 bytes
 * once warm, which takes several hundred forwards at batch 1, more than the default warmup
 * runs ({@code fc} runs once per forward, and its kernels box their vectors until C2 has
 * compiled them: docs/performance.md, "What generated code does"), so warm for about a
 * minute:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ResNet18Benchmark -p batch=1 -p threads=1 -prof gc -wi 60 -w 1s
 * </pre>
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ResNet18Benchmark extends ResNet18State {
  @Param({"1", "8"})
  int batch;

  @Param({"1", "2"})
  int threads;

  private ResNet net;
  private Tensor logits;

  @Setup
  public void setup() throws SafeTensorsException {
    net = prepare(new ResNet(), batch, threads);
    logits = Tensor.zeros(batch, 1000);
  }

  @Benchmark
  public Tensor forward() {
    return net.forward(x, logits);
  }
}
