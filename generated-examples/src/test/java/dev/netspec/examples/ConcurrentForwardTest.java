package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.examples.seed.FixedHiddenMlp;
import dev.netspec.examples.seed.Mlp;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * One generated model called from several threads at once. {@code forward(x)} is always
 * right: a call while another thread is inside the instance runs on a free replica (weights
 * shared). {@code forward(x, out)} on one instance either returns exactly what a single thread
 * computes or throws the documented {@link IllegalStateException}; never a wrong number, never
 * another exception. Before the guard, the threads overwrote each other's forward buffers and
 * got wrong outputs and shape errors; before the replicas, {@code forward(x)} threw too.
 */
class ConcurrentForwardTest {
  private static final int THREADS = 4;
  private static final int CALLS = 2000;
  private static final int MAX_ROUNDS = 20;

  @Test
  void sequentialBlockIsRightOrFailsLoudly() throws Exception {
    check(Mlp::new, 20);
  }

  @Test
  void customForwardBlockIsRightOrFailsLoudly() throws Exception {
    check(FixedHiddenMlp::new, 20);
  }

  @Test
  void anAllocatingForwardWithAnLstmIsRightFromEveryThread() throws Exception {
    LstmTagger reference = new LstmTagger(7).eval();
    Tensor[] inputs = {ids(5, 1), ids(9, 2)};
    allRight(new LstmTagger(7).eval(), inputs, reference);
  }

  @Test
  void anEncoderWithAttentionIsRightFromEveryThread() throws Exception {
    TinyEncoder reference = new TinyEncoder(7).eval();
    Tensor[] inputs = {Tensor.rand(new Generator(1), 2, 5, 16), Tensor.rand(new Generator(2), 1, 7, 16)};
    allRight(new TinyEncoder(7).eval(), inputs, reference);
  }

  /** {@link #THREADS} threads calling {@code shared.forward(x)}: every output the reference's. */
  private static void allRight(Module shared, Tensor[] inputs, Module reference) throws Exception {
    float[][] expected = new float[inputs.length][];
    for (int i = 0; i < inputs.length; i++) {
      expected[i] = reference.forward(inputs[i]).toFloatArray();
    }
    Tally tally = new Tally();
    together(THREADS, id -> {
      for (int call = 0; call < CALLS / 4; call++) {
        int which = (call + id) % inputs.length;
        try {
          if (Arrays.equals(expected[which], shared.forward(inputs[which]).toFloatArray())) {
            tally.right.incrementAndGet();
          } else {
            tally.fail("thread " + id + ", call " + call + ": wrong output");
          }
        } catch (RuntimeException e) {
          tally.fail("thread " + id + ", call " + call + ": " + e);
        }
      }
    });
    assertEquals(List.of(), tally.failures, tally.right + " right");
    assertEquals(THREADS * (CALLS / 4), tally.right.get());
  }

  @Test
  void aReplicaSharesTheWeightsAndSeesTheirUpdates() {
    Mlp net = new Mlp(7).eval();
    Mlp replica = net.replica();
    assertEquals(net.stateDict().keySet(), replica.stateDict().keySet());
    net.stateDict().forEach((k, v) -> assertSame(v, replica.stateDict().get(k), k + ": one tensor"));
    assertEquals(net.toString(), replica.toString());
    Tensor x = Tensor.rand(new Generator(3), 4, 20);
    Tensor out = Tensor.zeros(4, 10);
    assertArrayEquals(net.forward(x).toFloatArray(), replica.forward(x, out).toFloatArray());

    net.stateDict().get("0.weight").mul_(0.5f); // an in-place update of the original...
    Mlp fresh = new Mlp(7).eval();
    fresh.stateDict().get("0.weight").mul_(0.5f);
    float[] updated = fresh.forward(x).toFloatArray();
    assertArrayEquals(updated, replica.forward(x, out).toFloatArray()); // ...is the replica's
    assertArrayEquals(updated, net.forward(x).toFloatArray());

    net.train(); // the mode follows the original at the next forward
    replica.forward(x, out);
    assertTrue(replica.isTraining());
  }

  @Test
  void eachThreadWithItsOwnReplicaNeverWaitsAndIsRight() throws Exception {
    Mlp shared = new Mlp(7).eval();
    Tensor x = Tensor.rand(new Generator(1), 3, 20);
    float[] expected = new Mlp(7).eval().forward(x).toFloatArray();
    ThreadLocal<Mlp> mine = ThreadLocal.withInitial(shared::replica);
    Tally tally = new Tally();
    together(THREADS, id -> {
      Tensor out = Tensor.zeros(3, 10);
      for (int call = 0; call < CALLS; call++) {
        try {
          if (Arrays.equals(expected, mine.get().forward(x, out).toFloatArray())) {
            tally.right.incrementAndGet();
          } else {
            tally.fail("call " + call + ": wrong output");
          }
        } catch (RuntimeException e) {
          tally.fail("call " + call + ": " + e);
        }
      }
    });
    assertEquals(List.of(), tally.failures);
    assertEquals(THREADS * CALLS, tally.right.get());
  }

  private static Tensor ids(int n, int seed) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i * 7L + seed) % 5;
    }
    return Tensor.ofLongs(v, n);
  }

  /** Runs {@code body(id)} on {@code n} threads released at once; returns when all are done. */
  private static void together(int n, IntConsumer body) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      int id = t;
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        body.accept(id);
      });
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
  }

  /**
   * Runs rounds of {@link #THREADS} threads, each calling one shared instance {@link #CALLS}
   * times on inputs of two batch sizes (so the buffers are also resized), until some call has
   * met another thread's.
   */
  private static void check(LongFunction<Module> model, int features) throws Exception {
    Module shared = model.apply(7).eval();
    Module reference = model.apply(7).eval();
    Tensor[] inputs = {
      Tensor.rand(new Generator(1), 3, features), Tensor.rand(new Generator(2), 5, features),
    };
    float[][] expected = new float[inputs.length][];
    for (int i = 0; i < inputs.length; i++) {
      expected[i] = reference.forward(inputs[i]).toFloatArray();
    }
    int[][] shapes = {reference.forward(inputs[0]).shape(), reference.forward(inputs[1]).shape()};
    Tally total = new Tally();
    for (int round = 0; round < MAX_ROUNDS && total.refused.get() == 0; round++) {
      Tally tally = run(shared, inputs, expected, shapes);
      assertEquals(List.of(), tally.failures,
          "round " + round + ": " + tally.right + " right, " + tally.refused + " refused");
      total.refused.addAndGet(tally.refused.get());
      total.right.addAndGet(tally.right.get());
    }
    assertTrue(total.refused.get() > 0,
        "no two calls met in " + MAX_ROUNDS + " rounds, so the guard was never exercised");
    // Once the threads are gone, the instance works again from any thread.
    assertArrayEquals(expected[1], shared.forward(inputs[1]).toFloatArray());
  }

  private static Tally run(Module net, Tensor[] inputs, float[][] expected, int[][] shapes)
      throws InterruptedException {
    Tally tally = new Tally();
    together(THREADS, id -> {
      Tensor[] outs = {Tensor.zeros(shapes[0]), Tensor.zeros(shapes[1])};
      for (int call = 0; call < CALLS; call++) {
        int which = (call + id) % 2;
        boolean buffered = call % 4 >= 2;
        try {
          // Alternately the allocating forward (never refused) and the buffered one.
          Tensor y = buffered ? net.forward(inputs[which], outs[which]) : net.forward(inputs[which]);
          if (java.util.Arrays.equals(expected[which], y.toFloatArray())) {
            tally.right.incrementAndGet();
          } else {
            tally.fail("thread " + id + ", call " + call + ": wrong output");
          }
        } catch (IllegalStateException e) {
          if (buffered && e.getMessage().contains("forward called from two threads at once on one"
              + " instance")) {
            tally.refused.incrementAndGet();
          } else {
            tally.fail("thread " + id + ", call " + call + ": " + e);
          }
        } catch (RuntimeException e) {
          tally.fail("thread " + id + ", call " + call + ": " + e);
        }
      }
    });
    return tally;
  }

  /** What the calls of one round gave: right outputs, refusals, and the first failures. */
  private static final class Tally {
    final AtomicInteger right = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final List<String> failures = new ArrayList<>();

    synchronized void fail(String what) {
      if (failures.size() < 5) {
        failures.add(what);
      }
    }
  }
}
