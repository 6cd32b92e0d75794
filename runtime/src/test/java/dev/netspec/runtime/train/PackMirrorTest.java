package dev.netspec.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netspec.runtime.kernels.Kernels;
import dev.netspec.runtime.kernels.PackedMatrix;
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
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The optimizers keep a Linear step's packed weights current as they update them ({@code
 * ParameterMirror}): training with those copies gives the same bits as packing every weight
 * again before each use, for SGD with momentum, Adam and RMSprop, on one thread and two (the
 * split update), with shapes that leave partial tiles, half-wide and dot-product panels,
 * several row blocks and (256-bit vectors) two reduction blocks; and once warm nothing is
 * packed again. At both batches: with 512-bit vectors the forward reads W's tiles from 97
 * rows on, and at 64 only {@code dx}'s panels of W are kept (they were repacked after every
 * step until the mirror kept a node with panels and no tiles). The vector width is fixed per
 * JVM: on a machine with wider vectors the same checks run again in a child JVM on 256-bit
 * ones ({@link #theChecksPassOn256BitVectorsToo}).
 */
class PackMirrorTest {
  /** Batches: the forward reads W's tiles at both with 256-bit vectors, at 128 with 512-bit. */
  private static final int[] BATCHES = {64, 128};

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
          for (int batch : BATCHES) {
            compare(make, kernelThreads, batch);
          }
        }
      }
    } finally {
      Kernels.setThreads(threads);
    }
  }

  private static void compare(Function<List<Parameter>, Optimizer> make, int threads,
      int batch) {
    Sequential mirrored = model();
    Sequential fresh = model();
    Tensor x = Tensor.randn(new Generator(3), batch, 30);
    Tensor t = labels(batch, 7);
    TrainStep a = TrainStep.of(mirrored, new CrossEntropyLoss());
    TrainStep b = TrainStep.of(fresh, new CrossEntropyLoss());
    Optimizer oa = make.apply(mirrored.parameters());
    Optimizer ob = make.apply(fresh.parameters());
    String what = oa.getClass().getSimpleName() + " on " + threads + " thread(s), batch "
        + batch;
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
      // Every layer holds packs but the first where its forward reads W in place: it has no
      // dx to compute either (512-bit vectors at batch 64).
      boolean packless = i == 0 && repacksAfterFirst[i] == 0;
      assertTrue(packless || freshRepacks[i] >= 4,
          what + ": the fresh model repacks layer " + i);
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
    for (int batch : BATCHES) {
      twoSteps(batch);
    }
  }

  private static void twoSteps(int batch) {
    Sequential shared = model();
    Sequential fresh = model();
    Tensor x = Tensor.randn(new Generator(4), batch, 30);
    Tensor t = labels(batch, 3);
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
          "batch " + batch + ": the loss of step " + s);
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
          "batch " + batch + ": parameter " + i + " after 6 steps");
    }
    assertArrayEquals(warm[0], repacks(first),
        "batch " + batch + ": the first step packed its weights again");
    assertArrayEquals(warm[1], repacks(second),
        "batch " + batch + ": the second step packed its weights again");
  }

  /**
   * Where this JVM's vectors are wider than 256 bits, both checks above pass in a child JVM
   * run with {@code -Dnetspec.vector.bits=256} (the AVX2 machines' tiles and panels: 6-row
   * tiles, 16-column panels, reduction blocks of 256). Not the other way round: 512-bit
   * vectors on a 256-bit machine are emulated, far too slowly.
   */
  @Test
  void theChecksPassOn256BitVectorsToo() throws Exception {
    int width = PackedMatrix.pack(1, 1, new float[1], 0, 1, false).panelWidth();
    assumeTrue(Kernels.backend().startsWith("vector") && width > 16,
        "this JVM's vectors are 256 bits or narrower (panels of " + width + ")");
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector", "-Dnetspec.vector.bits=256",
        "-cp", System.getProperty("java.class.path"), PackMirrorChild.class.getName())
        .redirectErrorStream(true).start();
    List<String> lines = child.inputReader().lines().toList();
    assertTrue(child.waitFor(5, TimeUnit.MINUTES), "the 256-bit child did not finish");
    assertEquals(List.of("panels of 16: passed"), lines.stream()
        .filter(l -> !l.startsWith("WARNING")).toList(), "the 256-bit child's report");
  }

  /**
   * W as dx reads it ({@code out x in}) ends, on 256-bit and 512-bit vectors (panels of 16
   * and 32 columns): for Linear(37, 300) in a dot-product panel of 5 columns on both; for
   * Linear(300, 262) in a padded full panel of 12 columns / a half-wide one; for Linear(262,
   * 10) in a half-wide panel of 6 on both. Linear(300, 262) also has a split update (78,600
   * elements), rows in several row blocks and (256-bit) two reduction blocks; Linear(30, 37)
   * and Linear(262, 10) end in partial row tiles.
   */
  private static Sequential model() {
    Sequential m = new Sequential(new Linear(30, 37), new ReLU(), new Linear(37, 300),
        new ReLU(), new Linear(300, 262), new Tanh(), new Linear(262, 10));
    m.initialize(5);
    return m;
  }

  private static Tensor labels(int batch, int stride) {
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = (i * stride) % 10;
    }
    return Tensor.ofLongs(labels, batch);
  }

  private static int[] repacks(TrainStep step) {
    return step.linearNodes().stream().mapToInt(n -> n.repacks).toArray();
  }
}
