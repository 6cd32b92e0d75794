package dev.netspec.runtime.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@code Tensor.rand} and {@code Init.uniform_} are the same draw, and both keep the promise of
 * {@code torch.rand}: [0, 1), never 1.
 */
class UniformTest {
  /** In seed 0's stream, draw 1,869,153 is the first whose 53-bit double rounds to 1.0f. */
  private static final int ROUNDS_UP = 1_869_153;

  @Test
  void randAndUniformGiveTheSameNumbersFromOneSeed() {
    float[] rand = Tensor.rand(new Generator(7), 3, 1000).toFloatArray();
    float[] uniform = Init.uniform_(Tensor.zeros(3, 1000), new Generator(7)).toFloatArray();
    assertArrayEquals(uniform, rand, 0f);
  }

  @Test
  void aDrawThatRoundsUpToOneStaysBelowIt() {
    Generator stream = new Generator(0);
    for (int i = 0; i < ROUNDS_UP; i++) {
      stream.nextLong();
    }
    double u = stream.nextDouble();
    assertTrue(u < 1 && (float) u == 1f, "the draw rounds to 1.0f: " + u);

    float below = Math.nextDown(1f);
    Tensor rand = Tensor.rand(new Generator(0), ROUNDS_UP + 1);
    assertEquals(below, rand.get(ROUNDS_UP), 0f);
    Tensor uniform = Init.uniform_(Tensor.zeros(ROUNDS_UP + 1), new Generator(0));
    assertEquals(below, uniform.get(ROUNDS_UP), 0f);
    for (float v : uniform.toFloatArray()) {
      assertTrue(v >= 0 && v < 1, "outside [0, 1): " + v);
    }
  }
}
