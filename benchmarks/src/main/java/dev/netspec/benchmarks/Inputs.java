package dev.netspec.benchmarks;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Random;

/** Seeded benchmark inputs. */
final class Inputs {
  private Inputs() {}

  static float[] gaussian(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  /** A tensor of U(-bound, bound) values. */
  static Tensor uniform(Random rnd, float bound, int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (2 * rnd.nextFloat() - 1) * bound;
    }
    return Tensor.fromArray(x, shape);
  }
}
