package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * In the surefire execution without the Vector API module (tag {@code no-vector-module}):
 * the optimizer updates fall back to their scalar loops and compute what the hand does.
 */
@Tag("no-vector-module")
class UpdatesFallbackTest {
  @Test
  void withoutTheModuleTheScalarUpdatesRun() {
    assertEquals("scalar", Updates.backend());
    float[] p = {1, 2, 3};
    float[] g = {0.5f, -1, 2};
    float[] buf = new float[3];
    // momentum 0.5: first step buf = g, p -= 0.25 g; second buf = 0.5 g + g = 1.5 g
    Updates.sgd(p, 0, g, 0, buf, 3, 0.25f, 0.5f, 0, 0, false, true);
    assertArrayEquals(new float[] {0.875f, 2.25f, 2.5f}, p);
    Updates.sgd(p, 0, g, 0, buf, 3, 0.25f, 0.5f, 0, 0, false, false);
    assertArrayEquals(new float[] {0.6875f, 2.625f, 1.75f}, p);
    assertArrayEquals(new float[] {0.75f, -1.5f, 3f}, buf);
  }
}
