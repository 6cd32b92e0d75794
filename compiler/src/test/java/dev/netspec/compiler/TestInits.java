package dev.netspec.compiler;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;

/** A custom Java initializer for the tests ({@code {java: dev.netspec.compiler.TestInits::sevens}}). */
public final class TestInits {
  private TestInits() {}

  /** How many tensors {@link #counted} initialized. */
  public static final java.util.concurrent.atomic.AtomicInteger COUNT = new java.util.concurrent.atomic.AtomicInteger();

  /** Fills {@code t} with ones and counts the call. */
  public static void counted(Tensor t, Generator gen) {
    COUNT.incrementAndGet();
    t.fill_(1f);
  }

  /** Fills {@code t} with 7 plus a draw in [0, 1), so the generator is used. */
  public static void sevens(Tensor t, Generator gen) {
    t.fill_(7f + gen.nextFloat());
  }
}
