package dev.netspec.examples.seed;

import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;

/**
 * Hand-written initializers used by specs/seed/init.yaml through {@code {java: ...}}: inits
 * that no built-in rule expresses. Not generated.
 */
public final class MyInits {
  private MyInits() {}

  /**
   * The tutorial's {@code my_init}: {@code uniform_(w, -10, 10)}, then
   * {@code w *= w.abs() >= 5}, so every entry is 0 or has magnitude in [5, 10).
   */
  public static void myInit(Tensor t, Generator gen) {
    Init.uniform_(t, -10, 10, gen);
    t.mul_(t.abs().ge(5f));
  }
}
