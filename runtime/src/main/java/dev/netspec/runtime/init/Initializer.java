package dev.netspec.runtime.init;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;

/**
 * A parameter initializer: fills {@code t} in place, drawing any randomness from
 * {@code gen} only, so the same generator state gives the same values everywhere.
 *
 * <p>A spec's {@code {java: com.acme.Inits::myInit}} names a static method of this shape:
 *
 * <pre>{@code
 * public static void myInit(Tensor t, Generator gen) {
 *   Init.uniform_(t, -10, 10, gen);
 *   t.mul_(t.abs().ge(5f));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Initializer {
  /** Fills {@code t} in place. */
  void init(Tensor t, Generator gen);
}
