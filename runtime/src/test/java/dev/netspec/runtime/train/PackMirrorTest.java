package dev.netspec.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.netspec.runtime.optim.RMSprop;
import dev.netspec.runtime.optim.SGD;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The optimizers keep a Linear step's packed weights current as they update them ({@code
 * ParameterMirror}): training with those copies gives the same bits as packing every weight
 * again before each use, for SGD with momentum, Adam and RMSprop, on one thread and two (the
 * split update), with shapes that leave partial tiles, a half-wide and a dot-product panel,
 * two reduction blocks and several row blocks; and once warm nothing is packed again.
 */
class PackMirrorTest {
  private static final int BATCH = 64; // enough columns for the forward to read W's tiles

  @Test
  void mirroredPacksTrainAsFreshPacksDo() {
    List<Function<List<Parameter>, Optimizer>> optimizers = List.of(
        ps -> new SGD(ps, 0.05, 0.9, 0, 0.01, true),
        ps -> new Adam(ps, 0.01),
        ps -> new RMSprop(List.of(ParamGroup.of(ps)), 0.01, 0.99, 1e-8, 0, 0.5, true));
    int threads = Kernels.threads();
    try {
      for (int kernelThreads : new int[] {1, 2}) {
        Kernels.setThreads(kernelThreads);
        for (Function<List<Parameter>, Optimizer> make : optimizers) {
          compare(make, kernelThreads);
        }
      }
    } finally {
      Kernels.setThreads(threads);
    }
  }

  private static void compare(Function<List<Parameter>, Optimizer> make, int threads) {
    Sequential mirrored = model();
    Sequential fresh = model();
    Tensor x = Tensor.randn(new Generator(3), BATCH, 30);
    long[] labels = new long[BATCH];
    for (int i = 0; i < BATCH; i++) {
      labels[i] = (i * 7) % 10;
    }
    Tensor t = Tensor.ofLongs(labels, BATCH);
    TrainStep a = TrainStep.of(mirrored, new CrossEntropyLoss());
    TrainStep b = TrainStep.of(fresh, new CrossEntropyLoss());
    Optimizer oa = make.apply(mirrored.parameters());
    Optimizer ob = make.apply(fresh.parameters());
    String what = oa.getClass().getSimpleName() + " on " + threads + " thread(s)";
    int[] repacksAfterFirst = null;
    for (int s = 0; s < 4; s++) {
      oa.zeroGrad();
      ob.zeroGrad();
      float la = a.forwardBackward(x, t);
      float lb = b.forwardBackward(x, t);
      assertEquals(lb, la, what + ": the loss of step " + s);
      oa.step();
      ob.step();
      for (Parameter p : fresh.parameters()) {
        p.data().bumpVersion(); // as an in-place edit would: the fresh model repacks
      }
      if (s == 0) {
        repacksAfterFirst = repacks(a);
      }
    }
    List<Parameter> pa = mirrored.parameters();
    List<Parameter> pb = fresh.parameters();
    for (int i = 0; i < pa.size(); i++) {
      assertArrayEquals(pb.get(i).data().toFloatArray(), pa.get(i).data().toFloatArray(),
          what + ": parameter " + i + " after 4 steps");
    }
    assertArrayEquals(repacksAfterFirst, repacks(a), what + ": weights packed again");
    int[] freshRepacks = repacks(b);
    for (int i = 0; i < freshRepacks.length; i++) {
      assertTrue(freshRepacks[i] >= 4, what + ": the fresh model repacks layer " + i);
    }
  }

  /**
   * Two steps built over one model (one per thread, say) each keep their own packed weights,
   * and the optimizer keeps both current: each step, used in turn, gives the bits a model
   * repacking before every use gives, and neither packs again once warm (before, only the
   * last step built held the weight's mirror: the first repacked every weight at every use).
   */
  @Test
  void twoStepsOverOneModelBothKeepTheirPacksCurrent() {
    Sequential shared = model();
    Sequential fresh = model();
    Tensor x = Tensor.randn(new Generator(4), BATCH, 30);
    long[] labels = new long[BATCH];
    for (int i = 0; i < BATCH; i++) {
      labels[i] = (i * 3) % 10;
    }
    Tensor t = Tensor.ofLongs(labels, BATCH);
    TrainStep first = TrainStep.of(shared, new CrossEntropyLoss());
    TrainStep second = TrainStep.of(shared, new CrossEntropyLoss());
    TrainStep reference = TrainStep.of(fresh, new CrossEntropyLoss());
    Optimizer os = new SGD(shared.parameters(), 0.05, 0.9, 0, 0, false);
    Optimizer of = new SGD(fresh.parameters(), 0.05, 0.9, 0, 0, false);
    int[][] warm = new int[2][];
    for (int s = 0; s < 6; s++) {
      TrainStep step = s % 2 == 0 ? first : second;
      os.zeroGrad();
      of.zeroGrad();
      assertEquals(reference.forwardBackward(x, t), step.forwardBackward(x, t),
          "the loss of step " + s);
      os.step();
      of.step();
      for (Parameter p : fresh.parameters()) {
        p.data().bumpVersion();
      }
      if (s < 2) {
        warm[s] = repacks(step);
      }
    }
    List<Parameter> pa = shared.parameters();
    List<Parameter> pb = fresh.parameters();
    for (int i = 0; i < pa.size(); i++) {
      assertArrayEquals(pb.get(i).data().toFloatArray(), pa.get(i).data().toFloatArray(),
          "parameter " + i + " after 6 steps");
    }
    assertArrayEquals(warm[0], repacks(first), "the first step packed its weights again");
    assertArrayEquals(warm[1], repacks(second), "the second step packed its weights again");
  }

  /**
   * Linear(21, 300)'s W as dx reads it (300 x 21) ends in a dot-product panel of 5 columns;
   * Linear(300, 256) has two reduction blocks, a split update (76,800 elements) and rows in
   * several row blocks; Linear(30, 21) and Linear(256, 10) end in partial tiles.
   */
  private static Sequential model() {
    Sequential m = new Sequential(new Linear(30, 21), new ReLU(), new Linear(21, 300),
        new ReLU(), new Linear(300, 256), new Tanh(), new Linear(256, 10));
    m.initialize(5);
    return m;
  }

  private static int[] repacks(TrainStep step) {
    return step.linearNodes().stream().mapToInt(n -> n.repacks).toArray();
  }
}
