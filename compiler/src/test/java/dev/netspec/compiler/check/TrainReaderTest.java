package dev.netspec.compiler.check;

import static dev.netspec.compiler.check.Checked.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code train:} section at the edges of PyTorch's argument ranges: what is accepted
 * (batch size 1, 0 epochs, label smoothing 0 and 1, betas at 0, any seed) and what is refused
 * one step past it, each error at the value, plus the defaults of what is left out.
 */
class TrainReaderTest {
  private static final String BASE = "loss: mse_loss, optimizer: {sgd: {lr: 0.1}}, batch_size: 8, epochs: 1";

  /** The spec with {@code train: {<body>}} as its last line. */
  private static String text(String body) {
    return spec("  B:", "    input: [batch, 4]", "    sequential: [{linear: 2}]") + "train: {" + body + "}\n";
  }

  private static Checked check(String body) {
    return Checked.of(text(body));
  }

  /** The location of {@code token}'s first occurrence in the train line. */
  private static String at(String body, String token) {
    String line = "train: {" + body + "}";
    return "t.yaml:7:" + (line.indexOf(token) + 1) + ": error: ";
  }

  /** The location just after {@code prefix} in the train line. */
  private static String after(String body, String prefix) {
    String line = "train: {" + body + "}";
    return "t.yaml:7:" + (line.indexOf(prefix) + prefix.length() + 1) + ": error: ";
  }

  private static TrainSpec clean(String body) {
    Checked c = check(body);
    assertEquals(List.of(), c.errors);
    return c.file.train();
  }

  @Test
  void leftOutValuesTakeTheirDefaults() {
    TrainSpec t = clean(BASE);
    assertEquals(new TrainSpec.Call("mse_loss", Map.of()), t.loss());
    assertEquals(new TrainSpec.Call("sgd", Map.of("lr", 0.1)), t.optimizer());
    assertNull(t.schedule());
    assertEquals(8, t.batchSize());
    assertEquals(1, t.epochs());
    assertEquals(true, t.shuffle());
    assertEquals(0, t.seed());
    assertEquals(0.0, t.clipGradNorm());
  }

  @Test
  void givenValuesAreKept() {
    TrainSpec t = clean("loss: {cross_entropy: {label_smoothing: 0.1, ignore_index: -100, reduction: sum}},"
        + " optimizer: {adam: {lr: 0.001, betas: [0.9, 0.999], amsgrad: true}},"
        + " schedule: {step_lr: {step_size: 5, gamma: 0.5}}, batch_size: 1, epochs: 0,"
        + " shuffle: false, seed: -7, clip_grad_norm: 0.5");
    assertEquals(Map.of("label_smoothing", 0.1, "ignore_index", -100L, "reduction", "sum"), t.loss().args());
    assertEquals(Map.of("lr", 0.001, "betas", List.of(0.9, 0.999), "amsgrad", true), t.optimizer().args());
    assertEquals(new TrainSpec.Call("step_lr", Map.of("step_size", 5L, "gamma", 0.5)), t.schedule());
    assertEquals(1, t.batchSize());
    assertEquals(0, t.epochs());
    assertEquals(false, t.shuffle());
    assertEquals(-7, t.seed());
    assertEquals(0.5, t.clipGradNorm());
  }

  @Test
  void rangesAcceptTheirEnds() {
    clean(BASE.replace("batch_size: 8", "batch_size: 2147483647"));
    clean("loss: {cross_entropy: {label_smoothing: 0}}, optimizer: {sgd: {lr: 0, momentum: 0}}, batch_size: 8, epochs: 1");
    clean("loss: {cross_entropy: {label_smoothing: 1}}, optimizer: {adam: {lr: 1, betas: [0, 0]}}, batch_size: 8, epochs: 1");
    clean(BASE + ", schedule: {linear_lr: {start_factor: 0, end_factor: 1, total_iters: 1}}");
    clean("loss: {binary_cross_entropy_with_logits: {pos_weight: [0, 2.5]}}, optimizer: {sgd: {lr: 0.1}}, batch_size: 8, epochs: 1");
    clean(BASE.replace("epochs: 1", "epochs: 2147483647"));
    assertEquals(Map.of("reduction", "mean"), clean(BASE.replace("mse_loss", "{mse_loss: {reduction: mean}}")).loss().args());
  }

  private static void refused(String body, String token, String message) {
    assertEquals(List.of(at(body, token) + message), check(body).errors, body);
  }

  @Test
  void oneStepPastAnEndIsRefusedAtTheValue() {
    String b = BASE.replace("batch_size: 8", "batch_size: 0");
    refused(b, "0, epochs", "train: batch_size must be positive, got 0");
    b = BASE.replace("batch_size: 8", "batch_size: 2147483648");
    refused(b, "2147483648", "train: batch_size 2147483648 is larger than 2147483647");
    b = BASE.replace("epochs: 1", "epochs: -1");
    refused(b, "-1", "train: epochs must be 0 or more, got -1");
    b = BASE.replace("epochs: 1", "epochs: 2147483648");
    refused(b, "2147483648", "train: epochs 2147483648 is larger than 2147483647");
    b = BASE.replace("mse_loss", "{cross_entropy: {label_smoothing: 1.5}}");
    refused(b, "1.5", "train: cross_entropy: label_smoothing must be a number in [0, 1], got 1.5");
    b = BASE.replace("mse_loss", "{cross_entropy: {label_smoothing: -0.1}}");
    refused(b, "-0.1", "train: cross_entropy: label_smoothing must be a number in [0, 1], got -0.1");
    b = BASE.replace("{lr: 0.1}", "{lr: 0.1, momentum: -0.5}");
    refused(b, "-0.5", "train: sgd: momentum must be a number, 0 or more, got -0.5");
    b = BASE.replace("sgd: {lr: 0.1}", "adam: {lr: 0.1, betas: [0.9, 1]}");
    refused(b, "[0.9", "train: adam: betas must be two numbers in [0, 1), such as [0.9, 0.999], got a list");
    b = BASE.replace("sgd: {lr: 0.1}", "adam: {lr: 0.1, betas: [1, 0.9]}");
    refused(b, "[1,", "train: adam: betas must be two numbers in [0, 1), such as [0.9, 0.999], got a list");
    b = BASE.replace("sgd: {lr: 0.1}", "adam: {lr: 0.1, betas: [0.9]}");
    refused(b, "[0.9", "train: adam: betas must be two numbers in [0, 1), such as [0.9, 0.999], got a list");
    b = BASE.replace("sgd: {lr: 0.1}", "adam: {lr: 0.1, betas: [0.9, -0.1]}");
    refused(b, "[0.9", "train: adam: betas must be two numbers in [0, 1), such as [0.9, 0.999], got a list");
    b = BASE.replace("mse_loss", "{binary_cross_entropy_with_logits: {pos_weight: []}}");
    refused(b, "[]", "train: binary_cross_entropy_with_logits: pos_weight must be a list of numbers, 0 or more, got a list");
    b = BASE + ", schedule: {step_lr: {step_size: 0}}";
    refused(b, "0}}", "train: step_lr: step_size must be a positive integer, got 0");
    b = BASE + ", clip_grad_norm: 0";
    assertEquals(List.of(after(b, "clip_grad_norm: ") + "train: clip_grad_norm must be positive, got 0.0"), check(b).errors);
  }

  @Test
  void wrongShapesOfTheSectionAreLocated() {
    String b = "loss: mse_loss, optimizer: {sgd: {lr: 0.1}}, batch_size: 8";
    assertEquals(List.of("t.yaml:7:1: error: train: missing 'epochs'"), check(b).errors);
    b = "optimizer: {sgd: {lr: 0.1}}, batch_size: 8, epochs: 1";
    assertEquals(List.of("t.yaml:7:1: error: train: missing 'loss' (one of cross_entropy, nll_loss, mse_loss,"
        + " l1_loss, smooth_l1_loss, binary_cross_entropy_with_logits)"), check(b).errors);
    b = BASE + ", shuffle: yes";
    refused(b, "yes", "train: shuffle must be true or false, got the string 'yes'");
    b = BASE.replace("batch_size: 8", "batch_size: 1.5");
    refused(b, "1.5", "train: batch_size must be an integer, got the number 1.5");
    b = BASE + ", epoch: 2";
    refused(b, "epoch:", "train: unknown key 'epoch'; did you mean 'epochs'?");
    b = BASE.replace("mse_loss", "[mse_loss]");
    refused(b, "[mse_loss]", "train: loss must be a name or {name: {arguments}}, got a list");
    b = BASE.replace("{lr: 0.1}", "{lr: 0.1, moment: 0.9}");
    refused(b, "moment", "train: sgd: unknown key 'moment'; did you mean 'momentum'? (arguments: lr, momentum,"
        + " dampening, weight_decay, nesterov)");
    b = BASE.replace("{lr: 0.1}", "{lrr: 0.1}"); // one error: not also "sgd needs 'lr'"
    refused(b, "lrr", "train: sgd: unknown key 'lrr'; did you mean 'lr'? (arguments: lr, momentum,"
        + " dampening, weight_decay, nesterov)");
    b = BASE.replace("{lr: 0.1}", "{lr: 0.1, learning_rate: 0.1}");
    refused(b, "learning_rate", "train: sgd: unknown key 'learning_rate'; write 'lr' (PyTorch's name for Keras's"
        + " 'learning_rate') (arguments: lr, momentum, dampening, weight_decay, nesterov)");
    b = BASE.replace("mse_loss", "nn.CrossEntropyLoss()");
    refused(b, "nn.", "train: unknown loss 'nn.CrossEntropyLoss()'; write 'cross_entropy' for PyTorch's"
        + " nn.CrossEntropyLoss (known: cross_entropy, nll_loss, mse_loss, l1_loss, smooth_l1_loss,"
        + " binary_cross_entropy_with_logits)");
    b = BASE.replace("{sgd: {lr: 0.1}}", "'torch.optim.SGD(lr=0.1, momentum=0.9)'");
    refused(b, "'torch", "train: unknown optimizer 'torch.optim.SGD(lr=0.1, momentum=0.9)'; write '{sgd: {lr: 0.1,"
        + " momentum: 0.9}}' for PyTorch's optim.SGD (known: sgd, adam, adamw, rmsprop)");
    b = BASE + ", schedule: StepLR";
    refused(b, "StepLR", "train: unknown schedule 'StepLR'; write 'step_lr' for PyTorch's lr_scheduler.StepLR"
        + " (known: step_lr, cosine_annealing_lr, linear_lr)");
    b = BASE.replace("{lr: 0.1}", "0.1");
    refused(b, "0.1", "train: write '{sgd: {lr: 0.1}}', not '{sgd: 0.1}': the arguments of sgd are named");
    b = BASE.replace("{lr: 0.1}", "{momentum: 0.9}");
    refused(b, "{sgd", "train: sgd needs 'lr'");
    b = BASE.replace("{sgd: {lr: 0.1}}", "sgd");
    refused(b, "sgd", "train: sgd needs 'lr'");
    b = BASE.replace("{lr: 0.1}", "{lr: -1}");
    refused(b, "-1", "train: sgd: lr must be a number, 0 or more, got -1");
    b = BASE.replace("mse_loss", "{mse_loss: {reduction: none}}");
    refused(b, "none", "train: mse_loss: reduction must be 'mean' or 'sum' (training needs a scalar loss), got none");
    b = BASE.replace("mse_loss", "{mse_loss: 3}");
    refused(b, "3}", "train: the arguments of mse_loss must be a mapping, got the number 3");
    assertEquals(new TrainSpec.Call("mse_loss", Map.of()), clean(BASE.replace("mse_loss", "{mse_loss: null}")).loss());
  }
}
