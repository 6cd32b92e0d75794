package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.netspec.examples.seed.Mlp;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Training one generated model from several threads at once (Hogwild-style): each thread's
 * recording {@code forward(x)} runs on the instance or on a free replica, whose parameters
 * are the instance's, so every {@code backward()} adds into the same {@code .grad} tensors.
 * Every gradient must arrive: the accumulated {@code .grad} is what the same backward passes
 * give one after another. Before each parameter's accumulation took a lock, the threads'
 * read-add-write of {@code .grad} lost gradients (and two first gradients both became
 * {@code .grad}, one of them dropped).
 */
class ConcurrentBackwardTest {
  private static final int THREADS = 4;
  private static final int CALLS = 50;
  private static final int ROUNDS = 10;

  @Test
  void concurrentBackwardPassesLoseNoGradient() throws Exception {
    Tensor x = Tensor.rand(new Generator(3), 8, 20);
    // The gradient of one backward pass, from a model nobody else touches.
    Mlp alone = new Mlp(7);
    alone.forward(x).sum().backward();
    Map<String, Parameter> params = alone.namedParameters();
    int passes = THREADS * CALLS;
    for (int round = 0; round < ROUNDS; round++) {
      Mlp shared = new Mlp(7);
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      together(() -> {
        for (int call = 0; call < CALLS; call++) {
          shared.forward(x).sum().backward();
        }
      }, failures);
      assertEquals(List.of(), failures);
      for (Map.Entry<String, Parameter> e : shared.namedParameters().entrySet()) {
        Tensor got = e.getValue().grad();
        assertNotNull(got, e.getKey());
        // Every pass adds the same gradient g: the sum is g added passes times, whatever the
        // order; a lost update misses a whole g (1/200 of the sum), far above rounding.
        float[] one = params.get(e.getKey()).grad().toFloatArray();
        float[] sum = got.toFloatArray();
        for (int i = 0; i < one.length; i++) {
          float want = one[i] * passes;
          float tolerance = Math.abs(want) * 1e-4f + 1e-6f;
          if (Math.abs(sum[i] - want) > tolerance) {
            throw new AssertionError("round " + round + ", " + e.getKey() + "[" + i + "]: "
                + sum[i] + " after " + passes + " concurrent backward passes, expected "
                + want + " (" + one[i] + " each): " + Math.round(sum[i] / one[i])
                + " passes arrived");
          }
        }
      }
    }
  }

  /** Runs {@code body} on {@link #THREADS} threads released at once; returns when all are done. */
  private static void together(Runnable body, List<Throwable> failures) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
          body.run();
        } catch (Throwable e) {
          failures.add(e);
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
}
