package dev.netspec.runtime.train;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static dev.netspec.runtime.autograd.GradFixtures.list;
import static dev.netspec.runtime.autograd.GradFixtures.map;
import static dev.netspec.runtime.autograd.GradFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradFixtures;
import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.loss.L1Loss;
import dev.netspec.runtime.loss.Loss;
import dev.netspec.runtime.loss.MSELoss;
import dev.netspec.runtime.loss.Reduction;
import dev.netspec.runtime.nn.Conv2d;
import dev.netspec.runtime.nn.Dropout;
import dev.netspec.runtime.nn.Flatten;
import dev.netspec.runtime.nn.GELU;
import dev.netspec.runtime.nn.Identity;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.nn.Sigmoid;
import dev.netspec.runtime.nn.Tanh;
import dev.netspec.runtime.optim.SGD;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The tape-free training step against PyTorch (tools/fixtures/train_step_fixtures.py: output,
 * loss, gradients and two SGD steps with momentum) and against the tape (the same bits), its
 * accumulation into existing gradients, what it refuses, and its 0 bytes per warm step.
 */
class TrainStepTest {
  private static final double RTOL = 1e-5;
  private static final double ATOL = 1e-6;
  /**
   * Against the tape: the same formulas, but the forward's products may sum in another order
   * than the inference kernel the tape's Linear runs (its last bits).
   */
  private static final double TAPE_RTOL = 1e-5;
  private static final double TAPE_ATOL = 1e-7;

  @Test
  void matchesPyTorchAndTheTapeOnEveryFixtureCase() {
    List<Object> cases = list(GradFixtures.load("train_step.json").get("cases"));
    assertEquals(4, cases.size());
    for (Object o : cases) {
      Map<String, Object> c = map(o);
      String name = (String) c.get("name");
      Sequential model = model(c);
      Sequential twin = model(c);
      Loss loss = loss((String) c.get("loss"));
      Tensor x = tensor(c.get("x"));
      Tensor target = tensor(c.get("target"));

      TrainStep step = TrainStep.of(model, loss);
      float value = step.forwardBackward(x, target);
      assertClose(tensor(c.get("y")), step.output(), RTOL, ATOL, name + ": output");
      assertEquals(GradFixtures.parseDouble(c.get("value")), value, 1e-5 * Math.abs(value) + 1e-6,
          name + ": loss");
      Tensor tapeLoss = loss.forward(twin.forward(x), target);
      tapeLoss.backward();
      assertEquals(tapeLoss.item(), value, 1e-6 * Math.abs(value), name + ": loss, the tape's");
      Map<String, Object> grads = map(c.get("grads"));
      Map<String, Parameter> twins = twin.namedParameters();
      model.namedParameters().forEach((key, p) -> {
        assertClose(tensor(grads.get(key)), p.grad(), RTOL, ATOL, name + ": grad " + key);
        assertClose(twins.get(key).grad(), p.grad(), TAPE_RTOL, TAPE_ATOL,
            name + ": grad " + key + ", the tape's");
      });

      SGD sgd = new SGD(model.parameters(), 0.1, 0.9, 0, 0, false);
      sgd.step();
      sgd.zeroGrad();
      step.forwardBackward(x, target);
      sgd.step();
      Map<String, Object> after = map(c.get("after_two_sgd_steps"));
      model.namedParameters().forEach((key, p) -> assertClose(tensor(after.get(key)), p.data(),
          RTOL, ATOL, name + ": " + key + " after two SGD steps"));
    }
  }

  @Test
  void addsToAGradientThatIsThereAndOwnsTheOneItCreates() {
    Sequential model = mlp(7);
    Sequential twin = mlp(7);
    Tensor x = Tensor.randn(new Generator(1), 5, 6);
    Tensor t = Tensor.ofLongs(new long[] {0, 1, 2, 1, 0}, 5);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    TrainStep step = TrainStep.of(model, loss);
    step.forwardBackward(x, t);
    Tensor first = model.get(0, Linear.class).weight.grad();
    step.forwardBackward(x, t); // no zeroGrad: accumulates, as a second backward would
    for (int i = 0; i < 2; i++) {
      loss.forward(twin.forward(x), t).backward();
    }
    Map<String, Parameter> twins = twin.namedParameters();
    model.namedParameters().forEach((key, p) -> assertClose(twins.get(key).grad(), p.grad(),
        TAPE_RTOL, TAPE_ATOL, key + " accumulated"));
    assertSame(first, model.get(0, Linear.class).weight.grad(), "accumulated in place");

    // after zeroGrad (set to none) the step's own buffer is the gradient again, overwritten
    new SGD(model.parameters(), 0.1).zeroGrad();
    step.forwardBackward(x, t);
    assertSame(first, model.get(0, Linear.class).weight.grad());
    twin.namedParameters().values().forEach(p -> p.setGrad(null));
    loss.forward(twin.forward(x), t).backward();
    assertClose(twin.get(0, Linear.class).weight.grad(), first, TAPE_RTOL, TAPE_ATOL,
        "overwritten, not added");

    // a gradient the user set is added to, not replaced
    Tensor mine = Tensor.ones(model.get(2, Linear.class).bias.shape());
    model.get(2, Linear.class).bias.setGrad(mine);
    step.forwardBackward(x, t);
    assertSame(mine, model.get(2, Linear.class).bias.grad());
    assertClose(twin.get(2, Linear.class).bias.grad().add(1f), mine, TAPE_RTOL, TAPE_ATOL,
        "added to the user's gradient of ones");
  }

  @Test
  void dropoutDrawsTheTapesMasksInTrainingAndIsTheIdentityInEval() {
    Sequential model = new Sequential(new Linear(6, 32), new ReLU(), new Dropout(0.4),
        new Linear(32, 3));
    Sequential twin = new Sequential(new Linear(6, 32), new ReLU(), new Dropout(0.4),
        new Linear(32, 3));
    model.initialize(5);
    twin.initialize(5); // the same weights and mask streams
    Tensor x = Tensor.randn(new Generator(3), 8, 6);
    Tensor t = Tensor.ofLongs(new long[] {0, 1, 2, 0, 1, 2, 0, 1}, 8);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    TrainStep step = TrainStep.of(model, loss);
    for (boolean training : new boolean[] {true, true, false}) {
      model.train(training);
      twin.train(training);
      model.namedParameters().values().forEach(p -> p.setGrad(null));
      twin.namedParameters().values().forEach(p -> p.setGrad(null));
      float value = step.forwardBackward(x, t);
      Tensor tapeLoss = loss.forward(twin.forward(x), t);
      tapeLoss.backward();
      assertEquals(tapeLoss.item(), value, 1e-6 * Math.abs(value), "loss, training " + training);
      if (training) {
        Tensor mask = model.get(2, Dropout.class).mask();
        assertArrayEquals(twin.get(2, Dropout.class).mask().toFloatArray(), mask.toFloatArray());
        float[] m = mask.toFloatArray();
        int dropped = 0;
        for (float v : m) {
          dropped += v == 0 ? 1 : 0;
          assertTrue(v == 0 || v == 1f / (1f - 0.4f), "a mask value " + v);
        }
        assertTrue(dropped > 0 && dropped < m.length, dropped + " of " + m.length + " dropped");
      }
      Map<String, Parameter> twins = twin.namedParameters();
      model.namedParameters().forEach((key, p) -> assertClose(twins.get(key).grad(), p.grad(),
          TAPE_RTOL, TAPE_ATOL, key + ", training " + training));
    }
  }

  @Test
  void skipsFrozenParametersAndTheFirstLayersInputGradient() {
    Sequential model = mlp(3);
    Linear first = model.get(0, Linear.class);
    first.weight.requiresGrad(false);
    first.bias.requiresGrad(false);
    TrainStep step = TrainStep.of(model, new MSELoss());
    step.forwardBackward(Tensor.randn(new Generator(2), 4, 6), Tensor.zeros(4, 3));
    assertEquals(null, first.weight.grad());
    assertNotSame(null, model.get(2, Linear.class).weight.grad());
  }

  @Test
  void refusesWhatItDoesNotCoverNamingIt() {
    CrossEntropyLoss ce = new CrossEntropyLoss();
    assertTrue(TrainStep.supports(mlp(1), ce));
    assertTrue(TrainStep.supports(new Sequential(new Flatten(), new Sequential(new Linear(4, 2),
        new Tanh()), new Dropout(0), new Identity(), new Sigmoid()), new MSELoss(Reduction.SUM)));
    assertFalse(TrainStep.supports(mlp(1), new L1Loss()));
    assertFalse(TrainStep.supports(mlp(1), new CrossEntropyLoss(Reduction.NONE, -100, 0)));
    assertFalse(TrainStep.supports(new Linear(3, 2), ce));
    assertFalse(TrainStep.supports(new Sequential(new ReLU()), ce));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainStep.of(new Sequential(new Linear(3, 2), new GELU()), ce));
    assertEquals("no fast training step: layer GELU has no allocation-free backward",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TrainStep.of(new Sequential(new Conv2d(1, 2, 3), new Flatten()), ce));
    assertEquals("no fast training step: layer Conv2d has no allocation-free backward",
        e.getMessage());
  }

  @Test
  void aWrongInputOrTargetGetsTheLayersAndTheLossesMessages() {
    TrainStep step = TrainStep.of(mlp(1), new CrossEntropyLoss());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> step.forwardBackward(Tensor.zeros(2, 5), Tensor.ofLongs(new long[] {0, 1}, 2)));
    assertEquals("Linear(in_features=6): expected an input whose last dim is 6, got shape [2, 5]",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> step.forwardBackward(Tensor.zeros(2, 6), Tensor.ofLongs(new long[] {0, 3}, 2)));
    assertEquals("cross_entropy: Target 3 is out of bounds.", e.getMessage());
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void allocatesNothingOnceWarm() {
    Sequential model = new Sequential(new Linear(40, 64), new ReLU(), new Linear(64, 64),
        new Tanh(), new Linear(64, 10));
    assertWarmStepsAllocateNothing(model, 40, 1, true);
  }

  /**
   * With {@code zeroGrad(false)} (PyTorch 1.13's default): the step's own buffers stay the
   * {@code .grad} and each gradient is added into them in place, on two threads.
   */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void allocatesNothingOnceWarmAddingIntoZeroedGradients() {
    Sequential model = new Sequential(new Linear(64, 512), new ReLU(), new Linear(512, 10));
    assertWarmStepsAllocateNothing(model, 64, 2, false);
  }

  /**
   * On two threads, with weights large enough for the split SGD update (65,536 elements) and
   * the split repack of the backward's packed weight (2^18 floats).
   */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void allocatesNothingOnceWarmOnTwoThreads() {
    Sequential model = new Sequential(new Linear(64, 512), new ReLU(), new Linear(512, 512),
        new ReLU(), new Linear(512, 10));
    assertWarmStepsAllocateNothing(model, 64, 2, true);
  }

  private static void assertWarmStepsAllocateNothing(Sequential model, int features,
      int kernelThreads, boolean setToNone) {
    Tensor x = Tensor.randn(new Generator(4), 16, features);
    long[] labels = new long[16];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 10;
    }
    Tensor t = Tensor.ofLongs(labels, 16);
    TrainStep step = TrainStep.of(model, new CrossEntropyLoss());
    SGD sgd = new SGD(model.parameters(), 0.01, 0.9, 0, 0, false);
    int threads = Kernels.threads();
    Kernels.setThreads(kernelThreads);
    try {
      long bytes = Long.MAX_VALUE;
      long deadline = System.nanoTime() + 60_000_000_000L; // a loaded machine compiles late
      while (bytes != 0 && System.nanoTime() < deadline) {
        for (int i = 0; i < 5_000; i++) {
          sgd.zeroGrad(setToNone);
          step.forwardBackward(x, t);
          sgd.step();
        }
        long before = allocated();
        for (int i = 0; i < 100; i++) {
          sgd.zeroGrad(setToNone);
          step.forwardBackward(x, t);
          sgd.step();
        }
        bytes = allocated() - before;
      }
      assertEquals(0, bytes, "bytes allocated by 100 warm steps (zeroGrad, step, SGD) on "
          + kernelThreads + " thread(s)");
    } finally {
      Kernels.setThreads(threads);
    }
  }

  @Test
  void theTrainerTakesTheFastStepWhereItAppliesAndEndsWhereTheTapeDoes() throws Exception {
    TensorDataset data = TrainerTest.blobs(1, 40);
    Trainer.Options options = new Trainer.Options(16, 3, true, 3, 0, 0);
    TrainerTest.Run fastRun = TrainerTest.run(options);
    TrainerTest.Run tapeRun = TrainerTest.run(options);
    assertTrue(fastRun.trainer().usesFastStep());
    assertFalse(tapeRun.trainer().fastStep(false).usesFastStep());
    assertTrue(TrainerTest.run(options, true).trainer().usesFastStep(), "dropout too");
    List<Double> fastLosses = new java.util.ArrayList<>();
    List<Double> tapeLosses = new java.util.ArrayList<>();
    fastRun.trainer().fit(data, null, listener(fastLosses));
    tapeRun.trainer().fit(data, null, listener(tapeLosses));
    assertEquals(24, fastLosses.size());
    for (int i = 0; i < fastLosses.size(); i++) {
      assertEquals(tapeLosses.get(i), fastLosses.get(i), 1e-5 * tapeLosses.get(i), "step " + i);
    }
    Map<String, Parameter> tape = tapeRun.model().namedParameters();
    fastRun.model().namedParameters().forEach((key, p) -> assertClose(tape.get(key).data(),
        p.data(), 1e-4, 1e-6, key + " after 24 Adam steps"));
  }

  private static Trainer.Listener listener(List<Double> losses) {
    return new Trainer.Listener() {
      @Override
      public void onStep(StepMetrics m) {
        losses.add(m.loss());
      }
    };
  }

  /** Linear(6, 8), ReLU, Linear(8, 3), seeded. */
  private static Sequential mlp(long seed) {
    Sequential m = new Sequential(new Linear(6, 8), new ReLU(), new Linear(8, 3));
    m.initialize(seed);
    return m;
  }

  private static Sequential model(Map<String, Object> c) {
    Sequential m = new Sequential();
    for (Object o : list(c.get("layers"))) {
      List<Object> spec = list(o);
      switch ((String) spec.get(0)) {
        case "linear" -> m.append(new Linear(((Number) spec.get(1)).intValue(),
            ((Number) spec.get(2)).intValue(), spec.size() < 4 || (Boolean) spec.get(3)));
        case "relu" -> m.append(new ReLU());
        case "tanh" -> m.append(new Tanh());
        case "sigmoid" -> m.append(new Sigmoid());
        case "flatten" -> m.append(new Flatten());
        case "identity" -> m.append(new Identity());
        default -> throw new IllegalStateException("layer " + spec);
      }
    }
    Map<String, Tensor> dict = new HashMap<>();
    map(c.get("params")).forEach((k, v) -> dict.put(k, tensor(v)));
    m.loadStateDict(dict, true);
    return m;
  }

  /**
   * A Linear right after a Linear reads the transposed output the one before kept instead of
   * gathering it from its input: the outputs are bit for bit those of the same layers' steps
   * run on their own, at batch 64 (the product reads W in place) and 128 (W's kept tiles, with
   * 512-bit vectors), with and without a ReLU between.
   */
  @Test
  void aLinearAfterALinearReadsTheKeptTransposeWithTheSameBits() {
    for (int batch : new int[] {64, 128}) {
      Linear first = new Linear(40, 72);
      Linear second = new Linear(72, 50);
      Linear head = new Linear(50, 10);
      Sequential net = new Sequential(first, new ReLU(), second, head);
      net.initialize(3);
      Tensor x = Tensor.randn(new Generator(5), batch, 40);
      long[] labels = new long[batch];
      for (int i = 0; i < batch; i++) {
        labels[i] = i % 10;
      }
      TrainStep step = TrainStep.of(net, new CrossEntropyLoss());
      step.forwardBackward(x, Tensor.ofLongs(labels, batch));
      List<LinearNode> linked = step.linearNodes();
      assertFalse(linked.get(0).readsKeptTranspose());
      assertTrue(linked.get(1).readsKeptTranspose());
      assertTrue(linked.get(2).readsKeptTranspose());

      Tensor h = x;
      Activation[] acts = {Activation.RELU, Activation.NONE, Activation.NONE};
      Linear[] layers = {first, second, head};
      for (int l = 0; l < layers.length; l++) {
        LinearNode alone = new LinearNode(layers[l], acts[l]);
        Tensor out = Tensor.zeros(alone.outputShape(h.shape()));
        alone.forward(h, out);
        h = out;
      }
      assertArrayEquals(h.toFloatArray(), step.output().toFloatArray(), "batch " + batch);
    }
  }

  private static Loss loss(String name) {
    return switch (name) {
      case "cross_entropy" -> new CrossEntropyLoss();
      case "cross_entropy_sum_smooth" -> new CrossEntropyLoss(Reduction.SUM, 2, 0.1);
      case "mse" -> new MSELoss();
      case "mse_sum" -> new MSELoss(Reduction.SUM);
      default -> throw new IllegalStateException(name);
    };
  }

  private static long allocated() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
}
