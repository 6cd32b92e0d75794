package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A warm max pooling into a caller's buffer allocates nothing on the vector path: ResNet's 3x3
 * stride-2 pooling with rows wide enough for vectors (64 and 67 input columns: the stride-2
 * split by vectors, its scalar tail and the {@code -inf} frame; ConvAllocationTest's 16x16
 * rows are narrower than a 512-bit vector), stride 3 and no stride. On the preferred species,
 * or the one {@code -Dnetspec.vector.bits} picks. JIT-dependent, so only with {@code
 * -Dnetspec.allocationTests=true}.
 */
class PoolingAllocationTest {
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmVectorMaxPoolingAllocatesNothing() {
    MaxPool2d resnet = new MaxPool2d(3, 2, 1);
    MaxPool2d oddWidth = new MaxPool2d(3, 2, 1); // a module plans for one input shape at a time
    MaxPool2d stride3 = new MaxPool2d(3, 3, 1);
    MaxPool2d stride1 = new MaxPool2d(3, 1, 1);
    Tensor x = Tensor.rand(new Generator(7), 1, 4, 64, 64);
    Tensor odd = Tensor.rand(new Generator(8), 1, 4, 67, 67);
    Tensor a = Tensor.zeros(1, 4, 32, 32);
    Tensor b = Tensor.zeros(1, 4, 34, 34);
    Tensor c = Tensor.zeros(1, 4, 22, 22);
    Tensor d = Tensor.zeros(1, 4, 64, 64);
    Runnable forward = () -> {
      resnet.forward(x, a);
      oddWidth.forward(odd, b);
      stride3.forward(x, c);
      stride1.forward(x, d);
    };
    assertEquals(0, Allocations.steadyStateBytes(forward, 5_000, 100));
  }
}
