package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Layers without forward buffers may be shared between threads for inference, their first
 * forward included: threads racing into a fresh layer's first call (a {@link LazyLinear}
 * materializing and drawing its weights, a {@link Linear} packing its weight) all get what
 * one thread alone computes.
 */
class SharedLayersTest {
  private static final int THREADS = 4;
  private static final int ROUNDS = 200;

  @Test
  void lazyLinearsFirstForwardFromManyThreads() throws Exception {
    raceFirstForward(() -> new LazyLinear(64).initialize(3));
  }

  @Test
  void linearsFirstForwardFromManyThreads() throws Exception {
    raceFirstForward(() -> new Linear(48, 64).initialize(3));
  }

  private static void raceFirstForward(Supplier<Module> fresh) throws Exception {
    Tensor x = Tensor.rand(new Generator(5), 8, 48);
    float[] expected = fresh.get().forward(x).toFloatArray();
    List<String> wrong = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      Module layer = fresh.get();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        int r = round;
        Thread thread = new Thread(() -> {
          String got;
          try {
            start.await();
            got = Arrays.equals(expected, layer.forward(x).toFloatArray()) ? null : "wrong output";
          } catch (InterruptedException | RuntimeException e) {
            got = e.toString();
          }
          if (got != null) {
            synchronized (wrong) {
              wrong.add("round " + r + ", thread " + id + ": " + got);
            }
          }
        });
        threads.add(thread);
        thread.start();
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
    }
    assertEquals(List.of(), wrong.subList(0, Math.min(5, wrong.size())), wrong.size() + " failures");
  }
}
