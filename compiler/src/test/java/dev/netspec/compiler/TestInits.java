package dev.netspec.compiler;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;

/** A custom Java initializer for the tests ({@code {java: dev.netspec.compiler.TestInits::sevens}}). */
public final class TestInits {
  private TestInits() {}

  /** Fills {@code t} with 7 plus a draw in [0, 1), so the generator is used. */
  public static void sevens(Tensor t, Generator gen) {
    t.fill_(7f + gen.nextFloat());
  }
}
