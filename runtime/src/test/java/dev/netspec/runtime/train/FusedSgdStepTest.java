package dev.netspec.runtime.train;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static dev.netspec.runtime.autograd.GradFixtures.list;
import static dev.netspec.runtime.autograd.GradFixtures.map;
import static dev.netspec.runtime.autograd.GradFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradFixtures;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.nn.Tanh;
import dev.netspec.runtime.optim.Adam;
import dev.netspec.runtime.optim.Optimizer;
import dev.netspec.runtime.optim.ParamGroup;
import dev.netspec.runtime.optim.SGD;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link TrainStep#step}, which applies plain SGD to each weight inside the backward as its
 * gradient's rows are written: against PyTorch's gradients and the SGD rule on them
 * (tools/fixtures/train_step_fixtures.py), and bit for bit against the unfused {@code
 * zeroGrad(); forwardBackward(); step()} (weights, gradients, optimizer state) with weight
 * decay, mixed parameter groups, batches with and without the forward's kept row tiles, and on
 * one and two threads.
 */
class FusedSgdStepTest {
  private static final double RTOL = 1e-5;
  private static final double ATOL = 1e-6;

  /** One fused step from the fixture's weights: PyTorch's gradients, and {@code p - lr g}. */
  @Test
  void oneStepGivesPyTorchsGradientsAndTheSgdRuleOnThem() {
    List<Object> cases = list(GradFixtures.load("train_step.json").get("cases"));
    for (Object o : cases) {
      Map<String, Object> c = map(o);
      String name = (String) c.get("name");
      Sequential model = TrainStepTest.model(c);
      Map<String, Tensor> before = new HashMap<>();
      model.namedParameters().forEach((key, p) -> before.put(key, p.data().clone()));
      SGD sgd = new SGD(model.parameters(), 0.1);
      TrainStep step = TrainStep.of(model, TrainStepTest.loss((String) c.get("loss")), sgd);
      float value = step.step(tensor(c.get("x")), tensor(c.get("target")));
      assertEquals(GradFixtures.parseDouble(c.get("value")), value,
          1e-5 * Math.abs(value) + 1e-6, name + ": loss");
      Map<String, Object> grads = map(c.get("grads"));
      model.namedParameters().forEach((key, p) -> {
        Tensor expected = tensor(grads.get(key));
        assertNotNull(p.grad(), name + ": " + key + ".grad is kept after the step");
        assertClose(expected, p.grad(), RTOL, ATOL, name + ": grad " + key);
        assertClose(before.get(key).sub(expected.mul(0.1f)), p.data(), RTOL, ATOL,
            name + ": " + key + " after one SGD step");
      });
    }
  }

  @Test
  void theSameBitsAsTheUnfusedStepOnOneAndTwoThreads() {
    int threads = Kernels.threads();
    try {
      for (int t : new int[] {1, 2}) {
        Kernels.setThreads(t);
        for (int batch : new int[] {64, 128, 7}) {
          String what = t + " thread(s), batch " + batch;
          assertSameAsUnfused(p -> new SGD(p, 0.05), batch, what + ", plain SGD", true);
          assertSameAsUnfused(p -> new SGD(p, 0.05, 0, 0, 0.01, false), batch,
              what + ", weight decay", true);
        }
      }
    } finally {
      Kernels.setThreads(threads);
    }
  }

  /** Momentum (a state buffer) and Adam are not fused: the optimizer's own pass updates. */
  @Test
  void otherRulesAndGroupsWithMomentumAreLeftToTheOptimizerWithTheSameBits() {
    assertSameAsUnfused(p -> new SGD(p, 0.05, 0.9, 0, 0, false), 64, "momentum", false);
    assertSameAsUnfused(p -> new Adam(p, 0.001), 64, "Adam", false);
    // the first two Linears plain, the head's weight with momentum
    assertSameAsUnfused(p -> new SGD(List.of(ParamGroup.of(p.subList(0, 4)),
        ParamGroup.of(p.subList(4, p.size())).set("momentum", 0.9)), 0.05, 0, 0, 0, false),
        64, "groups", true);
  }

  @Test
  void theKeptPackedWeightsStayCurrentWithoutRepacking() {
    Sequential model = model(1);
    SGD sgd = new SGD(model.parameters(), 0.05);
    TrainStep step = TrainStep.of(model, new CrossEntropyLoss(), sgd);
    Tensor x = input(128);
    Tensor t = labels(128);
    step.step(x, t);
    step.step(x, t);
    int[] before = step.linearNodes().stream().mapToInt(n -> n.repacks).toArray();
    for (int i = 0; i < 3; i++) {
      step.step(x, t);
    }
    assertArrayEquals(before, step.linearNodes().stream().mapToInt(n -> n.repacks).toArray(),
        "repacks after warm fused steps");
  }

  @Test
  void aStepWithoutAnOptimizerRefusesToStep() {
    TrainStep step = TrainStep.of(model(1), new CrossEntropyLoss());
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> step.step(input(4), labels(4)));
    assertTrue(e.getMessage().contains("TrainStep.of(model, loss, optimizer)"), e.getMessage());
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void allocatesNothingOnceWarmOnOneAndTwoThreads() {
    int threads = Kernels.threads();
    try {
      for (int t : new int[] {1, 2}) {
        Kernels.setThreads(t);
        Sequential model = new Sequential(new Linear(64, 512), new ReLU(), new Linear(512, 512),
            new ReLU(), new Linear(512, 10));
        model.initialize(2);
        TrainStep step = TrainStep.of(model, new CrossEntropyLoss(),
            new SGD(model.parameters(), 0.01));
        Tensor x = Tensor.randn(new Generator(4), 16, 64);
        Tensor y = labels(16);
        long bytes = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 60_000_000_000L; // a loaded machine compiles late
        while (bytes != 0 && System.nanoTime() < deadline) {
          for (int i = 0; i < 5_000; i++) {
            step.step(x, y);
          }
          long before = THREADS.getCurrentThreadAllocatedBytes();
          for (int i = 0; i < 100; i++) {
            step.step(x, y);
          }
          bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, bytes, "bytes allocated by 100 warm fused steps on " + t + " thread(s)");
      }
    } finally {
      Kernels.setThreads(threads);
    }
  }

  /**
   * Three steps of two equal models, one through {@code zeroGrad(); forwardBackward();
   * step()}, the other through the fused {@link TrainStep#step}: the same losses, weights,
   * gradients and optimizer state, bit for bit, and (when {@code fusedExpected}) at least one
   * weight updated inside the backward.
   */
  private static void assertSameAsUnfused(Function<List<Parameter>, Optimizer> optimizer,
      int batch, String what, boolean fusedExpected) {
    Sequential plain = model(1);
    Sequential fused = model(1);
    Optimizer plainOpt = optimizer.apply(plain.parameters());
    Optimizer fusedOpt = optimizer.apply(fused.parameters());
    TrainStep plainStep = TrainStep.of(plain, new CrossEntropyLoss());
    TrainStep fusedStep = TrainStep.of(fused, new CrossEntropyLoss(), fusedOpt);
    Tensor x = input(batch);
    Tensor t = labels(batch);
    for (int s = 0; s < 3; s++) {
      plainOpt.zeroGrad();
      float expected = plainStep.forwardBackward(x, t);
      plainOpt.step();
      float actual = fusedStep.step(x, t);
      assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual),
          what + ": loss at step " + s);
      List<Parameter> ps = plain.parameters();
      List<Parameter> fs = fused.parameters();
      for (int i = 0; i < ps.size(); i++) {
        assertArrayEquals(ps.get(i).data().toFloatArray(), fs.get(i).data().toFloatArray(),
            what + ": parameter " + i + " at step " + s);
        assertArrayEquals(ps.get(i).grad().toFloatArray(), fs.get(i).grad().toFloatArray(),
            what + ": gradient " + i + " at step " + s);
      }
    }
    assertEquals(plainOpt.stateDict().metadata(), fusedOpt.stateDict().metadata(), what);
    Map<String, Tensor> a = plainOpt.stateDict().tensors();
    Map<String, Tensor> b = fusedOpt.stateDict().tensors();
    assertEquals(a.keySet(), b.keySet(), what + ": optimizer state");
    a.forEach((k, v) -> assertEquals(v.toString(), b.get(k).toString(), what + ": " + k));
    // the first two weights in the plain group, so at least those: the biases never
    assertEquals(fusedExpected, fusedStep.fusedWeights >= 2, what + ": weights fused");
    assertTrue(fusedStep.fusedWeights <= 3, what + ": only weights are fused");
  }

  private static Sequential model(long seed) {
    Sequential m = new Sequential(new Linear(40, 96), new ReLU(), new Linear(96, 80),
        new Tanh(), new Linear(80, 10));
    m.initialize(seed);
    return m;
  }

  private static Tensor input(int batch) {
    return Tensor.randn(new Generator(3), batch, 40);
  }

  private static Tensor labels(int batch) {
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = (i * 7) % 10;
    }
    return Tensor.ofLongs(labels, batch);
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
}
