package dev.netspec.runtime.loss;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static dev.netspec.runtime.autograd.GradFixtures.list;
import static dev.netspec.runtime.autograd.GradFixtures.map;
import static dev.netspec.runtime.autograd.GradFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.FiniteDifferences;
import dev.netspec.runtime.autograd.GradFixtures;
import dev.netspec.runtime.tensor.Tensor;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every loss and reduction against PyTorch ({@code fixtures/grad/losses.json}): the value
 * and the gradient of {@code sum(loss * g)}, including ignore_index, label_smoothing,
 * pos_weight, beta, NaN inputs and an all-ignored batch; plus central differences and the
 * errors for bad input.
 */
class LossParityTest {

  static Loss build(Map<String, Object> c) {
    Reduction r = Reduction.of((String) c.get("reduction"));
    Map<String, Object> args = map(c.get("args"));
    switch ((String) c.get("name")) {
      case "mse_loss":
        return new MSELoss(r);
      case "l1_loss":
        return new L1Loss(r);
      case "smooth_l1_loss":
        return new SmoothL1Loss(r, ((Number) args.get("beta")).doubleValue());
      case "cross_entropy":
        return new CrossEntropyLoss(r, ((Number) args.getOrDefault("ignore_index", -100))
            .longValue(), ((Number) args.getOrDefault("label_smoothing", 0.0)).doubleValue());
      case "nll_loss":
        return new NLLLoss(r, ((Number) args.getOrDefault("ignore_index", -100)).longValue());
      case "binary_cross_entropy_with_logits":
        return new BCEWithLogitsLoss(r,
            args.containsKey("pos_weight") ? tensor(args.get("pos_weight")) : null);
      default:
        throw new IllegalStateException("unknown loss " + c.get("name"));
    }
  }

  @Test
  void everyLossAndReductionMatchesPyTorch() {
    Set<String> seen = new HashSet<>();
    for (Object o : list(GradFixtures.load("losses.json").get("cases"))) {
      Map<String, Object> c = map(o);
      Loss loss = build(c);
      String what = c.get("name") + " " + c.get("args") + " reduction=" + c.get("reduction");
      Tensor x = tensor(c.get("input"));
      Tensor t = tensor(c.get("target"));
      assertClose(tensor(c.get("y")), loss.forward(x, t), 1e-5, 1e-6, what + " value");
      assertClose(tensor(c.get("grad")), loss.backward(tensor(c.get("g")), x, t), 1e-5, 1e-6,
          what + " grad");
      seen.add((String) c.get("name"));
    }
    assertEquals(6, seen.size(), "losses covered: " + seen);
  }

  @Test
  void everyLossRecordsOnTheTapeWithPyTorchsGradient() {
    for (Object o : list(GradFixtures.load("losses.json").get("cases"))) {
      Map<String, Object> c = map(o);
      Loss loss = build(c);
      String what = c.get("name") + " " + c.get("args") + " reduction=" + c.get("reduction");
      Tensor x = tensor(c.get("input")).requiresGrad_(true);
      Tensor y = loss.forward(x, tensor(c.get("target")));
      assertTrue(y.gradFn() != null, what + " records");
      y.backward(tensor(c.get("g")));
      assertClose(tensor(c.get("grad")), x.grad(), 1e-5, 1e-6, what + " grad through the tape");
    }
  }

  @Test
  void lossGradFnsAreNamedAsPyTorchNamesThem() {
    Tensor x = Tensor.of(new float[][] {{0.5f, -1f, 2f}, {1f, 0f, -0.5f}}).requiresGrad_(true);
    Tensor classes = Tensor.ofLongs(2, 0);
    Tensor t = Tensor.of(new float[][] {{0f, 1f, 0f}, {1f, 0f, 1f}});
    // names printed by PyTorch 1.13 for the same calls
    assertEquals("NllLossBackward0", new CrossEntropyLoss().forward(x, classes).gradFn().name());
    assertEquals("AddBackward0", new CrossEntropyLoss(Reduction.MEAN, -100, 0.1)
        .forward(x, classes).gradFn().name());
    assertEquals("NllLossBackward0", new NLLLoss().forward(x, classes).gradFn().name());
    assertEquals("MseLossBackward0", new MSELoss().forward(x, t).gradFn().name());
    assertEquals("MeanBackward0", new L1Loss().forward(x, t).gradFn().name());
    assertEquals("AbsBackward0", new L1Loss(Reduction.NONE).forward(x, t).gradFn().name());
    assertEquals("SmoothL1LossBackward0", new SmoothL1Loss().forward(x, t).gradFn().name());
    assertEquals("BinaryCrossEntropyWithLogitsBackward0",
        new BCEWithLogitsLoss().forward(x, t).gradFn().name());
    assertTrue(new MSELoss().forward(x.detach(), t).gradFn() == null, "no grad, no node");
  }

  @Test
  void nanReachesTheInputGradientThroughTheTape() {
    Tensor x = Tensor.of(new float[][] {{Float.NaN, 1f}, {0f, 2f}}).requiresGrad_(true);
    Tensor y = new CrossEntropyLoss().forward(x, Tensor.ofLongs(1, 0));
    assertTrue(Float.isNaN(y.item()));
    y.backward();
    // row 0 holds the NaN: its softmax, and so its gradient, is NaN; row 1 is finite
    assertTrue(Float.isNaN(x.grad().get(0, 0)) && Float.isNaN(x.grad().get(0, 1)));
    assertTrue(Float.isFinite(x.grad().get(1, 0)) && Float.isFinite(x.grad().get(1, 1)));
  }

  @Test
  void crossEntropyAndBceAgainstCentralDifferences() {
    Tensor logits = FiniteDifferences.randn(21, 4, 5);
    Tensor target = Tensor.ofLongs(new long[] {4, 0, 2, 2}, 4);
    Loss ce = new CrossEntropyLoss(Reduction.MEAN, 0, 0.2);
    double[] numeric = FiniteDifferences.gradient(v -> {
      double total = 0;
      int counted = 0;
      for (int i = 0; i < 4; i++) {
        int ti = (int) target.getLong(i);
        if (ti == 0) {
          continue; // ignore_index
        }
        double sum = 0;
        for (int j = 0; j < 5; j++) {
          sum += Math.exp(v[i * 5 + j]);
        }
        double all = 0;
        for (int j = 0; j < 5; j++) {
          all += v[i * 5 + j] - Math.log(sum);
        }
        total += -0.8 * (v[i * 5 + ti] - Math.log(sum)) - 0.2 / 5 * all;
        counted++;
      }
      return total / counted;
    }, FiniteDifferences.values(logits));
    FiniteDifferences.assertMatches(numeric, ce.backward(Tensor.scalar(1f), logits, target),
        "cross_entropy");

    Tensor z = FiniteDifferences.randn(22, 3, 2).mul(3f);
    Tensor p = Tensor.of(new float[][] {{0f, 1f}, {0.25f, 0.5f}, {1f, 0.75f}});
    Tensor pw = Tensor.of(2f, 0.5f);
    Loss bce = new BCEWithLogitsLoss(Reduction.SUM, pw);
    double[] numericBce = FiniteDifferences.gradient(v -> {
      double total = 0;
      for (int i = 0; i < 6; i++) {
        double s = 1 / (1 + Math.exp(-v[i]));
        double ti = p.get(i / 2, i % 2);
        total += -(pw.get(i % 2) * ti * Math.log(s) + (1 - ti) * Math.log(1 - s));
      }
      return total;
    }, FiniteDifferences.values(z));
    FiniteDifferences.assertMatches(numericBce, bce.backward(Tensor.scalar(1f), z, p),
        "bce with logits, pos_weight");
  }

  /** One element's loss in double, written from PyTorch's formulas: {@code (x, t, i) -> l}. */
  private interface Element {
    double of(double x, double t, int i);
  }

  @Test
  void aFloatTargetGetsItsGradientAgainstCentralDifferences() {
    Tensor x = FiniteDifferences.randn(23, 3, 2).mul(2f);
    Tensor t = Tensor.of(new float[][] {{0f, 1f}, {0.25f, 0.5f}, {1f, 0.75f}});
    float[] pw = {2f, 0.5f};
    Map<Loss, Element> losses = new java.util.LinkedHashMap<>();
    losses.put(new MSELoss(), (a, b, i) -> (a - b) * (a - b) / 6);
    losses.put(new L1Loss(Reduction.SUM), (a, b, i) -> Math.abs(a - b));
    losses.put(new SmoothL1Loss(Reduction.MEAN, 0.5), (a, b, i) -> {
      double z = Math.abs(a - b);
      return (z < 0.5 ? 0.5 * z * z / 0.5 : z - 0.25) / 6;
    });
    losses.put(new BCEWithLogitsLoss(Reduction.SUM, Tensor.of(pw)), (a, b, i) -> {
      double s = 1 / (1 + Math.exp(-a));
      return -(pw[i % 2] * b * Math.log(s) + (1 - b) * Math.log(1 - s));
    });
    double[] xs = FiniteDifferences.values(x);
    losses.forEach((loss, element) -> {
      double[] numeric = FiniteDifferences.gradient(v -> {
        double total = 0;
        for (int i = 0; i < v.length; i++) {
          total += element.of(xs[i], v[i], i);
        }
        return total;
      }, FiniteDifferences.values(t));
      String what = loss.getClass().getSimpleName() + " target";
      FiniteDifferences.assertMatches(numeric, loss.targetBackward(Tensor.scalar(1f), x, t), what);
      Tensor leaf = t.clone().requiresGrad_(true); // through the tape: the same gradient
      loss.forward(x, leaf).backward();
      FiniteDifferences.assertMatches(numeric, leaf.grad(), what + " through the tape");
    });
  }

  @Test
  void everyLossRefusesAnEmptyBatch() {
    Tensor empty = Tensor.zeros(0, 3);
    for (Loss loss : new Loss[] {new MSELoss(), new L1Loss(), new SmoothL1Loss(),
      new BCEWithLogitsLoss()}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> loss.forward(empty, empty));
      assertTrue(e.getMessage().endsWith(": empty batch (input size torch.Size([0, 3])); a loss"
          + " needs at least one element"), e.getMessage());
    }
    for (Loss loss : new Loss[] {new CrossEntropyLoss(), new NLLLoss()}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> loss.forward(empty, Tensor.ofLongs(new long[0], 0)));
      assertTrue(e.getMessage().contains(": empty batch"), e.getMessage());
    }
  }

  @Test
  void badInputGetsOneClearError() {
    Tensor empty = Tensor.zeros(0, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new MSELoss().forward(empty, empty));
    assertEquals("mse_loss: empty batch (input size torch.Size([0, 3])); a loss needs at least"
        + " one element", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss()
        .forward(empty, Tensor.ofLongs(new long[0], 0)));
    assertTrue(e.getMessage().startsWith("cross_entropy: empty batch"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new L1Loss().forward(Tensor.zeros(2, 3), Tensor.zeros(3)));
    assertEquals("l1_loss: target size torch.Size([3]) is different from the input size"
        + " torch.Size([2, 3])", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss()
        .forward(Tensor.zeros(2, 3), Tensor.ofLongs(1, 3)));
    assertEquals("cross_entropy: Target 3 is out of bounds.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new NLLLoss()
        .forward(Tensor.zeros(2, 3), Tensor.of(1f, 2f)));
    assertTrue(e.getMessage().contains("int64"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new MSELoss(Reduction.MEAN)
        .backward(Tensor.zeros(2), Tensor.zeros(2), Tensor.zeros(2)));
    assertTrue(e.getMessage().contains("expected a scalar"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Reduction.of("avg"));
    assertEquals("avg is not a valid value for reduction (expected 'none', 'mean' or 'sum')",
        e.getMessage());
  }
}
