package dev.netspec.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.nn.Dropout;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.optim.Adam;
import dev.netspec.runtime.optim.LRScheduler;
import dev.netspec.runtime.optim.Optimizer;
import dev.netspec.runtime.optim.StepLR;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training loop on a small MLP and a synthetic three-class problem: the loss falls, the
 * classes are learned, the data order is a seeded permutation, and a run stopped mid-epoch
 * and resumed from its checkpoint ends with the same weights, bit for bit, as one that never
 * stopped.
 */
class TrainerTest {
  @TempDir Path tmp;

  /** Three Gaussian blobs in 4-D, 40 points each, labelled 0, 1, 2. */
  static TensorDataset blobs(long seed, int perClass) {
    Generator g = new Generator(seed);
    float[] x = new float[3 * perClass * 4];
    long[] t = new long[3 * perClass];
    for (int i = 0; i < t.length; i++) {
      t[i] = i % 3;
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) (g.nextGaussian() * 0.7 + (j == t[i] ? 2 : 0));
      }
    }
    return new TensorDataset(Tensor.fromArray(x, t.length, 4), Tensor.ofLongs(t, t.length));
  }

  static Module mlp(boolean dropout) {
    Sequential s = new Sequential(new Linear(4, 16), new ReLU());
    if (dropout) {
      s.append(new Dropout(0.3));
    }
    return s.append(new Linear(16, 3)).initialize(7);
  }

  record Run(Module model, Optimizer optimizer, LRScheduler scheduler, Trainer trainer) {}

  static Run run(Trainer.Options options) {
    return run(options, false);
  }

  /** A run of the MLP, with dropout between its layers (its masks from a seeded stream) or not. */
  static Run run(Trainer.Options options, boolean dropout) {
    Module model = mlp(dropout);
    Optimizer opt = new Adam(model.parameters(), 0.01);
    LRScheduler sched = new StepLR(opt, 2, 0.5);
    return new Run(model, opt, sched,
        new Trainer(model, new CrossEntropyLoss(), opt, sched, options));
  }

  @Test
  void learnsTheClassesAndReportsEveryStepAndEpoch() throws Exception {
    TensorDataset train = blobs(1, 40);
    TensorDataset validation = blobs(2, 20);
    Run r = run(new Trainer.Options(16, 6, true, 3, 0, 0));
    List<StepMetrics> steps = new ArrayList<>();
    List<EpochMetrics> epochs = new ArrayList<>();
    r.trainer().fit(train, validation, new Trainer.Listener() {
      @Override
      public void onStep(StepMetrics m) {
        steps.add(m);
      }

      @Override
      public void onEpoch(EpochMetrics m) {
        epochs.add(m);
      }
    });
    assertEquals(6 * 8, steps.size(), "120 samples in batches of 16: 8 steps an epoch");
    assertEquals(8, steps.get(7).samples(), "the last batch holds the 8 left over");
    assertEquals(6, epochs.size());
    assertTrue(epochs.get(5).trainLoss() < 0.7 * epochs.get(0).trainLoss(), epochs.toString());
    assertTrue(epochs.get(5).validationAccuracy() > 0.9, epochs.toString());
    // StepLR(step_size=2, gamma=0.5): epochs 1-2 at 0.01, 3-4 at 0.005, 5-6 at 0.0025
    assertEquals(0.0025, epochs.get(5).lr(), 1e-15);
    assertEquals(0.01, steps.get(0).lr(), 0);
    // an epoch's training loss is the mean of its steps' losses weighted by their samples
    double sum = 0;
    for (StepMetrics s : steps.subList(40, 48)) {
      sum += s.loss() * s.samples();
    }
    assertEquals(sum / 120, epochs.get(5).trainLoss(), 1e-12);
  }

  @Test
  void dataOrderIsASeededPermutationPerEpoch() {
    int[] a = DataOrder.of(10, true, 5, 0);
    int[] sorted = a.clone();
    java.util.Arrays.sort(sorted);
    assertArrayEquals(DataOrder.of(10, false, 5, 0), sorted, "a permutation");
    assertArrayEquals(a, DataOrder.of(10, true, 5, 0), "the same seed and epoch, the same order");
    assertTrue(!java.util.Arrays.equals(a, DataOrder.of(10, true, 5, 1)), "epochs differ");
    // Fisher-Yates from the top with j = unsigned draw mod (i + 1), drawn by hand
    Generator g = Generator.forName(5, "epoch.0");
    int[] want = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    for (int i = 9; i > 0; i--) {
      int j = (int) Long.remainderUnsigned(g.nextLong(), i + 1);
      int t = want[i];
      want[i] = want[j];
      want[j] = t;
    }
    assertArrayEquals(want, a);
  }

  @Test
  void aResumedRunEndsBitIdenticalToAnUninterruptedOne() throws Exception {
    // with dropout: the checkpoint must bring back its mask stream, not restart it
    TensorDataset train = blobs(1, 40);
    Trainer.Options options = new Trainer.Options(16, 5, true, 3, 1.0, 5);
    Run whole = run(options, true);
    whole.trainer().fit(train, null, new Trainer.Listener() {});

    Path file = tmp.resolve(Checkpoint.FILE);
    Run first = run(options, true);
    first.trainer().checkpointTo(file);
    RuntimeException crash = assertThrows(RuntimeException.class,
        () -> first.trainer().fit(train, null, new Trainer.Listener() {
          @Override
          public void onStep(StepMetrics m) {
            if (m.step() == 23) { // mid-epoch 3, three steps after the checkpoint at 20
              throw new IllegalStateException("crash");
            }
          }
        }));
    assertEquals("crash", crash.getMessage());

    Run resumed = run(options, true);
    resumed.trainer().checkpointTo(file).resumeFrom(file);
    assertEquals(new Position(2, 4, 20, resumed.trainer().position().lossSum(),
        resumed.trainer().position().correct(), 64), resumed.trainer().position());
    resumed.trainer().fit(train, null, new Trainer.Listener() {});
    assertEquals(40, resumed.trainer().position().step());
    assertBitIdentical(whole.model().stateDict(), resumed.model().stateDict());
    assertEquals(whole.optimizer().paramGroups().get(0).lr(),
        resumed.optimizer().paramGroups().get(0).lr());
    Map<String, Tensor> a = whole.optimizer().stateDict().tensors();
    Map<String, Tensor> b = resumed.optimizer().stateDict().tensors();
    assertBitIdentical(a, b);
  }

  @Test
  void aCheckpointOfAnotherRunIsRefused() throws Exception {
    TensorDataset train = blobs(1, 10);
    Path file = tmp.resolve(Checkpoint.FILE);
    Run r = run(new Trainer.Options(16, 1, true, 3, 0, 0));
    r.trainer().checkpointTo(file).fit(train, null, new Trainer.Listener() {});
    assertTrue(Files.exists(file));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> run(new Trainer.Options(8, 1, true, 3, 0, 0)).trainer().resumeFrom(file));
    assertEquals("the checkpoint was written with batch size 16, this run uses 8; resume with"
        + " the same settings", e.getMessage());
  }

  @Test
  void generatorStateRoundTripsMidNormalPair() {
    Generator g = new Generator(11);
    g.nextGaussian(); // leaves the pair's spare
    long[] s = g.getState();
    double a = g.nextGaussian();
    double b = g.nextGaussian();
    Generator h = new Generator(0);
    h.setState(s);
    assertEquals(a, h.nextGaussian(), 0);
    assertEquals(b, h.nextGaussian(), 0);
  }

  static void assertBitIdentical(Map<String, Tensor> want, Map<String, Tensor> got) {
    assertEquals(want.keySet(), got.keySet());
    want.forEach((k, v) -> {
      Tensor g = got.get(k);
      assertArrayEquals(v.shape(), g.shape(), k);
      if (v.dtype() == dev.netspec.runtime.tensor.DType.INT64) {
        assertArrayEquals(v.toLongArray(), g.toLongArray(), k);
        return;
      }
      float[] x = v.toFloatArray();
      float[] y = g.toFloatArray();
      for (int i = 0; i < x.length; i++) {
        assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]),
            k + "[" + i + "]");
      }
    });
  }
}
