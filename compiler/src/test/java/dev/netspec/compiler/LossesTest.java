package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Losses inside a forward ({@code mse_loss(y, target)}, {@code cross_entropy(logits, target,
 * label_smoothing=0.1)}, ...): the shapes by reduction, the generated code, the values worked
 * by hand, and one located error per mistake. Their gradients against PyTorch are
 * GradCommandTest's (losses.yaml).
 */
class LossesTest {
  private static final String HEADER = "netspec: 1\npackage: t.losses\nblocks:\n";

  /** A block of inputs {@code x (batch, 3)} and {@code target} of {@code target}, forward {@code expr}. */
  private static String block(String target, String expr) {
    return HEADER + "  L:\n    inputs: {x: [batch, 3], target: " + target + "}\n"
        + "    forward: \"" + expr + "\"\n";
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "[batch, int64] | cross_entropy(x, target)                          | ''",
      "[batch, int64] | cross_entropy(x, target, reduction='none')        | batch",
      "[batch, int64] | nll_loss(x, target, ignore_index=0, reduction='sum') | ''",
      "[batch, 3]     | mse_loss(x, target, reduction='none')             | batch, 3",
      "[batch, 3]     | smooth_l1_loss(x, target, beta=0.5)               | ''",
      "[batch, 3]     | l1_loss(x, target) + binary_cross_entropy_with_logits(x, target) | ''",
  })
  void theLossHasItsReductionsShape(String target, String expr, String shape) {
    Compilation c = Specs.compileClean("l.yaml", block(target, expr));
    List<String> dims = c.inspect("L", null).outputShape().stream().map(String::valueOf).toList();
    assertEquals(shape.isEmpty() ? List.of() : List.of(shape.split(", ")), dims, expr);
  }

  @Test
  void theGeneratedLossComputesPyTorchsValue() throws ReflectiveOperationException {
    String spec = block("[batch, int64]", "cross_entropy(x, target, label_smoothing=0.2, reduction='sum')");
    Compilation c = Specs.compileClean("l.yaml", spec);
    String java = c.files().get(0).content();
    assertTrue(java.contains("new CrossEntropyLoss(Reduction.SUM, -100L, 0.2).forward(x, target)"), java);
    Module m = (Module) InMemoryJavac.compile(c.files()).loadClass("t.losses.L")
        .getConstructor().newInstance();
    Tensor x = Tensor.of(new float[][] {{0f, 0f, 0f}, {1f, 2f, 3f}});
    Tensor target = Tensor.ofLongs(new long[] {2, 0}, 2);
    Tensor loss = (Tensor) m.getClass().getMethod("forwardInputs", Tensor.class, Tensor.class)
        .invoke(m, x, target);
    // row 0: uniform, -log(1/3) whatever the smoothing; row 1: logp = x - logsumexp(x),
    // loss = -(0.8 logp[0] + 0.2 / 3 sum logp)
    double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    double row1 = -(0.8 * (1 - lse) + 0.2 / 3 * (6 - 3 * lse));
    assertEquals(Math.log(3) + row1, loss.item(), 1e-5);
    assertEquals(0, loss.dim());

    InvocationTargetException e = assertThrows(InvocationTargetException.class, () ->
        m.getClass().getMethod("forwardInputs", Tensor.class, Tensor.class)
            .invoke(m, Tensor.zeros(0, 3), Tensor.ofLongs(new long[0], 0)));
    assertTrue(e.getCause().getMessage().startsWith("cross_entropy: empty batch"),
        e.getCause().getMessage());
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "[batch, 3]     | cross_entropy(x, target)   | t.yaml:6:32: error: L: cross_entropy: target must hold class indices as int64, got a tensor of shape [batch, 3] (declare the input as [batch, int64])",
      "[seq, int64]   | cross_entropy(x, target)   | t.yaml:6:32: error: L: cross_entropy: target has shape [seq], but a tensor of shape [batch, 3] takes (batch) class indices",
      "[batch, int64] | cross_entropy(target, target) | t.yaml:6:29: error: L: cross_entropy: input must be float32 scores, got an int64 tensor of shape [batch]",
      "[batch, 4]     | mse_loss(x, target)        | t.yaml:6:27: error: L: mse_loss: target has shape [batch, 4], but input has [batch, 3]; the two must have one shape",
      "[batch, 3]     | l1_loss(x, target, reduction='avg') | t.yaml:6:44: error: L: l1_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'",
      "[batch, int64] | cross_entropy(x, target, label_smoothing=1.5) | t.yaml:6:56: error: L: cross_entropy: label_smoothing must be between 0.0 and 1.0, got 1.5",
      "[batch, int64] | nll_loss(x, target, ignore_index=0.5) | t.yaml:6:48: error: L: nll_loss: 'ignore_index' must be an int constant",
      "[batch, 3]     | smooth_l1_loss(x, target, beta=-1.0) | t.yaml:6:46: error: L: smooth_l1_loss: beta must be >= 0, got -1.0",
      "[batch, int64] | cross_entropy(x, target, weight=x) | t.yaml:6:47: error: L: cross_entropy: 'weight' is not supported yet; leave it None",
      "[batch, 3]     | binary_cross_entropy_with_logits(x, target, pos_weight=x) | t.yaml:6:70: error: L: binary_cross_entropy_with_logits: 'pos_weight' is not supported in a forward yet (its gradient is not computed); leave it None, or use BCEWithLogitsLoss(reduction, posWeight) from Java",
  })
  void eachMistakeIsOneLocatedError(String target, String expr, String error) {
    assertEquals(List.of(error), Specs.errors(block(target, expr)), expr);
  }
}
