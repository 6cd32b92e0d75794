package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.kernels.Kernels;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link RnnParityTest} again in the surefire execution without the Vector API module (tag
 * {@code no-vector-module}): the scalar gate kernels and GEMM give PyTorch's numbers too.
 */
@Tag("no-vector-module")
class RnnScalarParityTest extends RnnParityTest {
  @Test
  void runsOnTheScalarBackend() {
    assertEquals("scalar", Kernels.backend());
  }
}
