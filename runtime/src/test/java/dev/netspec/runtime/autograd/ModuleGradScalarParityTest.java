package dev.netspec.runtime.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.kernels.Kernels;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ModuleGradParityTest} again in the surefire execution without the Vector API module (tag
 * {@code no-vector-module}): the scalar kernels give PyTorch's numbers too, and no path of
 * theirs loads a Vector API class.
 */
@Tag("no-vector-module")
class ModuleGradScalarParityTest extends ModuleGradParityTest {
  @Test
  void runsOnTheScalarBackend() {
    assertEquals("scalar", Kernels.backend());
  }
}
