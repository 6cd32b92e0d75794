package dev.netspec.benchmarks;

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
}
