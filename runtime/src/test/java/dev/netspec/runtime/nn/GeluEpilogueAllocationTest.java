package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A warm {@code Linear.forwardInto(x, Activation.GELU, out)} allocates nothing, on the paths
 * of the GEMM's GELU epilogue: the wide tiles of batches 1 and 2 and their partial last
 * panel, and packed row blocks with a 4-row remainder. JIT-dependent like {@code
 * ConvAllocationTest}: runs only with {@code -Dnetspec.allocationTests=true}.
 */
class GeluEpilogueAllocationTest {
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void aWarmLinearWithGeluAllocatesNothing() {
    Linear wide = new Linear(211, 138).eval();
    Linear block = new Linear(64, 96).eval();
    Tensor x1 = Tensor.rand(new Generator(1), 1, 211);
    Tensor x2 = Tensor.rand(new Generator(2), 2, 211);
    Tensor x40 = Tensor.rand(new Generator(3), 2, 20, 64); // 40 rows: 6 x 6 + 4
    Tensor y1 = Tensor.zeros(1, 138);
    Tensor y2 = Tensor.zeros(2, 138);
    Tensor y40 = Tensor.zeros(2, 20, 96);
    Runnable forward = () -> {
      wide.forwardInto(x1, Activation.GELU, y1);
      wide.forwardInto(x2, Activation.GELU, y2);
      block.forwardInto(x40, Activation.GELU, y40);
    };
    assertEquals(0, Allocations.steadyStateBytes(forward, 5_000, 100));
  }
}
