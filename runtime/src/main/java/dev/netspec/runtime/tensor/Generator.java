package dev.netspec.runtime.tensor;

import java.nio.charset.StandardCharsets;

/**
 * A seeded, portable random number generator: SplitMix64 for the bits, {@link StrictMath}
 * for every transcendental, so one seed gives the same floats on every JDK and machine.
 *
 * <p>Parameters draw from {@code Generator.forName(seed, "0.weight")}: a stream derived from
 * the model seed and the state-dict name, so construction order never changes the weights
 * and adding a layer never changes the others.
 */
public final class Generator {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long state;
  private double spareNormal;
  private boolean hasSpareNormal;

  public Generator(long seed) {
    this.state = seed;
  }

  /** A generator for one named tensor: the seed mixed with the FNV-1a hash of the name. */
  public static Generator forName(long seed, String name) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return new Generator(mix(seed ^ mix(h)));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * The whole state ({@code torch.Generator.get_state()}): the stream position and the spare
   * normal of the last Box-Muller pair, three longs a checkpoint keeps so that a resumed run
   * draws exactly what an uninterrupted one would.
   */
  public long[] getState() {
    return new long[] {state, Double.doubleToRawLongBits(spareNormal), hasSpareNormal ? 1 : 0};
  }

  /** Restores a {@link #getState} result ({@code set_state}). */
  public void setState(long[] saved) {
    if (saved.length != 3 || (saved[2] != 0 && saved[2] != 1)) {
      throw new IllegalArgumentException("not a generator state: " + java.util.Arrays.toString(saved));
    }
    state = saved[0];
    spareNormal = Double.longBitsToDouble(saved[1]);
    hasSpareNormal = saved[2] == 1;
  }

  public long nextLong() {
    state += GOLDEN_GAMMA;
    return mix(state);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform float in [0, 1) with 24 random bits. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /**
   * Uniform float in [low, high) ({@code uniform_(t, low, high)}; {@code torch.rand} is
   * [0, 1)): 53 random bits scaled in double and rounded to float once. A draw that rounds
   * up to {@code high} (about one in 2^25 for [0, 1)) becomes the float just below it, so
   * {@code high} itself never comes out. {@code Tensor.rand} and {@code Init.uniform_} both
   * draw with it, so one seed gives both the same numbers.
   */
  public float nextFloat(double low, double high) {
    float v = (float) (low + (high - low) * nextDouble());
    float top = (float) high;
    return v >= top && (float) low < top ? Math.nextDown(top) : v;
  }

  /** Standard normal by the Box-Muller transform, with {@link StrictMath} for portability. */
  public double nextGaussian() {
    if (hasSpareNormal) {
      hasSpareNormal = false;
      return spareNormal;
    }
    double u1;
    do {
      u1 = nextDouble();
    } while (u1 == 0.0);
    double u2 = nextDouble();
    double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
    double theta = 2.0 * Math.PI * u2;
    spareNormal = r * StrictMath.sin(theta);
    hasSpareNormal = true;
    return r * StrictMath.cos(theta);
  }
}
