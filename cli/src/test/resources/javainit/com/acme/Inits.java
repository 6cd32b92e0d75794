package com.acme;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;

/** A hand-written initializer for the CLI's --sourcepath test: every entry 0.5. */
public final class Inits {
  private Inits() {}

  public static void half(Tensor t, Generator gen) {
    t.fill_(0.5f);
  }
}
