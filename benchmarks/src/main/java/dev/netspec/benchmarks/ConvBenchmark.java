package dev.netspec.benchmarks;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.nn.Conv2d;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The 3x3 convolutions of ResNet-18's four stages ({@code Conv2d(C, C, 3, padding=1)} with
 * bias and a fused ReLU on {@code (batch, C, side, side)}, the output reused), as {@code
 * shape = C x side}: {@code 2 * batch * C^2 * 9 * side^2} flops per operation. With {@code
 * -prof gc}, the allocation per call once warm (0 expected). Its share of the FMA peak is
 * {@code GemmVsPeak}'s {@code conv:BATCHxCxSIDExSIDExCx3}, measured in the same rounds as the
 * peak.
 */
public class ConvBenchmark extends KernelBenchmark {
  @Param({"64x56", "128x28", "256x14", "512x7"})
  String shape;

  @Param({"1", "8"})
  int batch;

  @Param({"1"})
  int threads;

  Conv2d conv;
  Tensor x;
  Tensor y;

  @Setup
  public void setup() {
    String[] p = shape.split("x");
    int channels = Integer.parseInt(p[0]);
    int side = Integer.parseInt(p[1]);
    Kernels.setThreads(threads);
    conv = new Conv2d(channels, channels, 3, 1, 1);
    conv.eval();
    x = Inputs.uniform(new Random(1), 1f, batch, channels, side, side);
    y = Tensor.zeros(conv.outputShape(x.shape()));
  }

  @Benchmark
  public Tensor conv3x3() {
    return conv.forwardInto(x, Activation.RELU, y);
  }
}
