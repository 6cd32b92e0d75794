package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Functional;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/runtime.md's "Serving from many threads": one model, many threads, through
 * {@code forward(x)} and through a replica per thread, on a block written as netspec generates
 * one (a buffer of its own, {@code concurrentForward}, {@code replicaOf}); every output is the
 * single-threaded one.
 */
class ServingDocTest {
  private static final int THREADS = 4;
  private static final int CALLS = 500;

  /** The tutorial's MLP as a generated block: its hidden activation in a buffer of the instance. */
  static final class Mlp extends Module {
    final Linear hidden = addModule("0", new Linear(20, 256));
    final Linear output = addModule("2", new Linear(256, 10));
    private Tensor hiddenOut;

    @Override
    public Tensor forward(Tensor x) {
      return concurrentForward(x, Tensor.zeros(x.size(0), 10));
    }

    @Override
    public Tensor forward(Tensor x, Tensor out) {
      enterForward();
      try {
        if (hiddenOut == null || hiddenOut.size(0) != x.size(0)) {
          hiddenOut = Tensor.zeros(x.size(0), 256);
        }
        Functional.relu(hidden.forward(x, hiddenOut)).copyInto(hiddenOut);
        return output.forward(hiddenOut, out);
      } finally {
        exitForward();
      }
    }

    @Override
    public Mlp replica() {
      return replicaOf(Mlp::new);
    }

    @Override
    public Mlp eval() {
      super.eval();
      return this;
    }
  }

  @Test
  void oneModelServesManyThreads(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("mlp.safetensors");
    SafeTensors.save(new Mlp().initialize(5).stateDict(), path);
    int batch = 3;
    Tensor x = Tensor.rand(new Generator(1), batch, 20);
    float[] single = new Mlp().initialize(5).forward(x).toFloatArray();

    Mlp model = new Mlp().eval();
    model.loadStateDict(SafeTensors.load(path).tensors(), true);

    AtomicInteger right = new AtomicInteger();
    List<String> wrong = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      boolean own = t % 2 == 0;
      Thread thread = new Thread(() -> {
        if (!own) {
          for (int call = 0; call < CALLS; call++) {
            // Any thread, any number at once: always the single-threaded result.
            try (GradMode.Scope inference = GradMode.noGrad()) {
              Tensor y = model.forward(x);
              tally(single, y, right, wrong);
            }
          }
          return;
        }
        // Zero allocation per call: one replica and one output per thread.
        ThreadLocal<Mlp> mine = ThreadLocal.withInitial(model::replica);
        Tensor out = Tensor.zeros(batch, 10);      // the thread's own
        for (int call = 0; call < CALLS; call++) {
          mine.get().forward(x, out);
          tally(single, out, right, wrong);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(List.of(), wrong);
    assertEquals(THREADS * CALLS, right.get());

    Mlp replica = model.replica();
    assertSame(model.stateDict().get("0.weight"), replica.stateDict().get("0.weight"), "one weight");
    assertArrayEquals(single, replica.forward(x, Tensor.zeros(batch, 10)).toFloatArray());
  }

  private static synchronized void tally(float[] expected, Tensor y, AtomicInteger right, List<String> wrong) {
    if (java.util.Arrays.equals(expected, y.toFloatArray())) {
      right.incrementAndGet();
    } else if (wrong.size() < 5) {
      wrong.add(java.util.Arrays.toString(y.toFloatArray()));
    }
  }
}
