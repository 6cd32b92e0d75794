package dev.netspec.runtime.kernels;

import java.util.Random;

/**
 * {@link LaneOrderTest}'s child JVM (run with {@code -Xint}): prints the bits of the vector
 * backend's sum and dot of {@link #input}.
 */
final class LaneOrderChild {
  private LaneOrderChild() {}

  /** Values of very different magnitudes, so another order of additions gives another float. */
  static float[] input() {
    Random rnd = new Random(23);
    float[] x = new float[40 * VectorBackend.SPECIES.length() + 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
    }
    return x;
  }

  /** {@code sum(x)} and {@code dot(x, reversed x)} as raw float bits, space-separated. */
  static String bits(Backend backend, float[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[x.length - 1 - i];
    }
    return Float.floatToRawIntBits(backend.sum(x, 0, x.length)) + " "
        + Float.floatToRawIntBits(backend.dot(x, 0, y, 0, x.length));
  }

  public static void main(String[] args) {
    System.out.println(bits(new VectorBackend(), input()));
  }
}
