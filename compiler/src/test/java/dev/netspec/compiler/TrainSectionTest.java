package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.compiler.check.TrainSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The optional {@code train:} section: read with PyTorch's names, each mistake located. */
class TrainSectionTest {
  private static final String HEAD = """
      netspec: 1
      package: p
      blocks:
        Mlp:
          input: [batch, 4]
          sequential: [{linear: 3}]
      """;

  @Test
  void readsTheSectionWithDefaults() {
    Compilation c = Specs.compileClean("t.yaml", HEAD + """
        train:
          loss: {cross_entropy: {label_smoothing: 0.1}}
          optimizer: {adam: {lr: 0.001, betas: [0.9, 0.99]}}
          schedule: {cosine_annealing_lr: {T_max: 10}}
          batch_size: 64
          epochs: 10
        """);
    TrainSpec t = c.train(Path.of("t.yaml"));
    assertEquals(new TrainSpec.Call("cross_entropy", Map.of("label_smoothing", 0.1)), t.loss());
    assertEquals(new TrainSpec.Call("adam", Map.of("lr", 0.001, "betas", List.of(0.9, 0.99))),
        t.optimizer());
    assertEquals(new TrainSpec.Call("cosine_annealing_lr", Map.of("T_max", 10L)), t.schedule());
    assertEquals(64, t.batchSize());
    assertEquals(10, t.epochs());
    assertEquals(true, t.shuffle());
    assertEquals(0, t.seed());
    assertEquals(0.0, t.clipGradNorm());

    Compilation plain = Specs.compileClean("t.yaml", HEAD + """
        train: {loss: mse_loss, optimizer: {sgd: {lr: 0.1}}, batch_size: 8, epochs: 1,
                shuffle: false, seed: 7, clip_grad_norm: 1.5}
        """);
    TrainSpec p = plain.train(Path.of("t.yaml"));
    assertEquals(new TrainSpec.Call("mse_loss", Map.of()), p.loss());
    assertEquals(false, p.shuffle());
    assertEquals(7, p.seed());
    assertEquals(1.5, p.clipGradNorm());
    assertNull(Specs.compileClean("t.yaml", HEAD).train(Path.of("t.yaml")));
  }

  @Test
  void eachMistakeIsReportedWhereItIs() {
    assertEquals(List.of(
        "t.yaml:8:9: error: train: unknown loss 'cross_entropy_loss' (known: cross_entropy,"
            + " nll_loss, mse_loss, l1_loss, smooth_l1_loss, binary_cross_entropy_with_logits)",
        "t.yaml:9:21: error: train: sgd: unknown key 'learning_rate'; write 'lr' (PyTorch's name for"
            + " Keras's 'learning_rate') (arguments: lr, momentum, dampening, weight_decay, nesterov)",
        "t.yaml:10:15: error: train: batch_size must be positive, got 0",
        "t.yaml:11:3: error: train: unknown key 'epoch'; did you mean 'epochs'?"),
        Specs.errors(HEAD + """
            train:
              loss: cross_entropy_loss
              optimizer: {sgd: {learning_rate: 0.1}}
              batch_size: 0
              epoch: 3
              epochs: 3
            """));
    assertEquals(List.of(
        "t.yaml:7:1: error: train: missing 'epochs'",
        "t.yaml:8:37: error: train: cross_entropy: reduction must be 'mean' or 'sum' (training"
            + " needs a scalar loss), got none",
        "t.yaml:9:29: error: train: adam: betas must be two numbers in [0, 1), such as"
            + " [0.9, 0.999], got a list",
        "t.yaml:10:35: error: train: step_lr: step_size must be a positive integer, got 1.5"),
        Specs.errors(HEAD + """
            train:
              loss: {cross_entropy: {reduction: none}}
              optimizer: {adam: {betas: [0.9]}}
              schedule: {step_lr: {step_size: 1.5}}
              batch_size: 4
            """));
  }
}
