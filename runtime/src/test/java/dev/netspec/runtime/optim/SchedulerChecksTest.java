package dev.netspec.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The schedulers' argument checks at their edges. torch 1.13 accepts a step size and a
 * {@code T_max} of 1 and factors of exactly 0 and 1 for {@code LinearLR}; netspec also refuses
 * a start factor of 0, with which torch divides by zero at the first step ({@code (end -
 * start) / (total_iters * start)}), and sizes below 1, which PyTorch leaves to fail later.
 */
class SchedulerChecksTest {
  private static Optimizer sgd() {
    return new SGD(List.of(new Parameter(Tensor.zeros(2))), 0.1);
  }

  private static String refused(Runnable make) {
    return assertThrows(IllegalArgumentException.class, make::run).getMessage();
  }

  @Test
  void sizesOfOneAreTakenAndZeroIsRefused() {
    new StepLR(sgd(), 1, 0.5);
    new CosineAnnealingLR(sgd(), 1, 0);
    assertEquals("StepLR: step_size must be positive, got 0",
        refused(() -> new StepLR(sgd(), 0, 0.5)));
    assertEquals("CosineAnnealingLR: T_max must be positive, got 0",
        refused(() -> new CosineAnnealingLR(sgd(), 0, 0)));
  }

  @Test
  void linearFactorsAreTakenAtTheirEdges() {
    Optimizer opt = sgd();
    new LinearLR(opt, 1, 0, 4);
    assertEquals(0.1, opt.paramGroups().get(0).lr(), 1e-12); // start factor 1: the base rate
    new LinearLR(sgd(), 1, 1, 4);
    new LinearLR(sgd(), 0.5, 0, 4);
    String message = "LinearLR: start_factor must be in (0, 1] and end_factor in [0, 1], got ";
    assertEquals(message + "0.0 and 1.0", refused(() -> new LinearLR(sgd(), 0, 1, 4)));
    assertEquals(message + "1.5 and 1.0", refused(() -> new LinearLR(sgd(), 1.5, 1, 4)));
    assertEquals(message + "0.5 and 1.5", refused(() -> new LinearLR(sgd(), 0.5, 1.5, 4)));
    assertEquals(message + "0.5 and -0.5", refused(() -> new LinearLR(sgd(), 0.5, -0.5, 4)));
  }
}
