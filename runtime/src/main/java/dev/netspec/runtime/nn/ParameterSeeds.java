package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Generator;

/**
 * The random streams of one module's parameters during {@link Module#initialize(long)}:
 * the stream of a parameter is derived from the model seed and its full state-dict name, so
 * the same seed gives the same weights whatever the construction order, and adding a layer
 * never changes the others.
 *
 * <p>A layer built directly ({@code new Linear(20, 256)}) is initialized at construction
 * with {@link #standalone()}: what {@code layer.initialize(0)} would give it. Layers built
 * into a model get distinct streams when the model calls {@link Module#initialize(long)}.
 *
 * @param seed the model seed
 * @param prefix the module's dotted name in the model ({@code ""} for the root)
 */
public record ParameterSeeds(long seed, String prefix) {
  public ParameterSeeds {
    if (prefix == null) {
      throw new IllegalArgumentException("prefix is null");
    }
  }

  /** The seed of a layer built directly: as {@code initialize(0)} on the layer alone. */
  public static ParameterSeeds standalone() {
    return new ParameterSeeds(0, "");
  }

  /** The full state-dict name of {@code relativeName} (such as {@code "weight"} or {@code "0.bias"}). */
  public String fullName(String relativeName) {
    return prefix.isEmpty() ? relativeName : prefix + "." + relativeName;
  }

  /** A fresh generator for the tensor at {@code relativeName} below this module. */
  public Generator generator(String relativeName) {
    return Generator.forName(seed, fullName(relativeName));
  }
}
