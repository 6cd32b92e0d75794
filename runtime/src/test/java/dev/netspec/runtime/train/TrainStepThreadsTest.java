package dev.netspec.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.loss.CrossEntropyLoss;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A {@link TrainStep} from several threads: one step refuses a second thread with one clear
 * message, and one step per thread over one model adds every thread's gradient.
 */
class TrainStepThreadsTest {
  private static final int PASSES = 150;

  private static Sequential model() {
    Generator g = new Generator(3);
    Sequential m = new Sequential(new Linear(32, 128), new ReLU(), new Linear(128, 10));
    for (Parameter p : m.parameters()) {
      p.data().copy_(Tensor.randn(g, p.shape()).mul(0.1f));
    }
    return m;
  }

  private static Tensor labels(int rows, int shift) {
    long[] l = new long[rows];
    for (int i = 0; i < rows; i++) {
      l[i] = (i + shift) % 10;
    }
    return Tensor.ofLongs(l, rows);
  }

  /**
   * Each thread's pass computes bit for bit the gradient one pass alone computes ({@code g0},
   * {@code g1}: the weights do not change, and the kernels' results do not depend on the
   * thread), and hands it to the parameter, which adds it to the {@code .grad} with one float
   * rounding. The {@code .grad} is thus a float sum of {@code PASSES} copies of each, in the
   * threads' order, within {@link #roundingBound} of the exact sum (in double). A pass lost
   * (added over by a racing thread) moves an element by {@code |g0|} or {@code |g1|}: about 180
   * times that bound where the two are alike, and the test checks that most elements would
   * show the loss of either thread's pass by 10 times the bound. (The earlier tolerance, 1e-4
   * of the sum, was exceeded by up to 1.4 times in 300 runs: where {@code g0 ~ -g1} the sum is
   * small and its rounding is not. Over 800 runs the error stayed within 0.53 of this bound.)
   */
  @Test
  void twoStepsOnTwoThreadsAddBothGradientsIntoOneModel() throws Exception {
    Sequential model = model();
    Tensor[] xs = {Tensor.randn(new Generator(5), 16, 32), Tensor.randn(new Generator(6), 16, 32)};
    Tensor[] ts = {labels(16, 0), labels(16, 3)};
    List<float[][]> alone = alonePasses(model, xs, ts);
    model.parameters().forEach(p -> p.setGrad(null));
    trainOnTwoThreads(model, xs, ts);
    List<Parameter> ps = model.parameters();
    for (int i = 0; i < ps.size(); i++) {
      float[] g0 = alone.get(i)[0];
      float[] g1 = alone.get(i)[1];
      float[] actual = ps.get(i).grad().toFloatArray();
      int[] visible = new int[2];
      for (int e = 0; e < actual.length; e++) {
        double exact = PASSES * (double) g0[e] + PASSES * (double) g1[e];
        double bound = roundingBound(g0[e], g1[e]);
        assertTrue(Math.abs(actual[e] - exact) <= bound, "parameter " + i + " [" + e + "]: "
            + actual[e] + " after " + PASSES + " passes of each thread, exact sum " + exact
            + ", float rounding at most " + bound + ", one pass of each " + g0[e] + ", "
            + g1[e]);
        visible[0] += Math.abs(g0[e]) > 10 * bound ? 1 : 0;
        visible[1] += Math.abs(g1[e]) > 10 * bound ? 1 : 0;
      }
      for (int k = 0; k < 2; k++) {
        assertTrue(visible[k] > actual.length / 2, "parameter " + i + ": a lost pass of thread "
            + k + " would show in only " + visible[k] + " of " + actual.length + " elements");
      }
    }
  }

  /**
   * The most a float sum of {@code PASSES} copies of {@code g0} and of {@code g1}, added in
   * any order, can differ from the exact sum: {@code gamma(n - 1) * sum |x_i|} for {@code n}
   * terms (Higham, Accuracy and Stability of Numerical Algorithms, (4.4)), {@code gamma(m) = m
   * u / (1 - m u)} with {@code u = 2^-24}; plus half the smallest subnormal per addition
   * (underflow, which (4.4) leaves out).
   */
  private static double roundingBound(float g0, float g1) {
    int additions = 2 * PASSES - 1;
    double u = Math.ulp(1f) / 2;
    double gamma = additions * u / (1 - additions * u);
    return gamma * PASSES * ((double) Math.abs(g0) + Math.abs(g1))
        + additions * (double) Float.MIN_VALUE / 2;
  }

  /** Each parameter's gradient from one pass of each thread's batch alone, {g0, g1}. */
  private static List<float[][]> alonePasses(Sequential model, Tensor[] xs, Tensor[] ts) {
    List<Parameter> ps = model.parameters();
    List<float[][]> alone = new ArrayList<>();
    for (int i = 0; i < ps.size(); i++) {
      alone.add(new float[2][]);
    }
    for (int k = 0; k < 2; k++) {
      ps.forEach(p -> p.setGrad(null));
      TrainStep.of(model, new CrossEntropyLoss()).forwardBackward(xs[k], ts[k]);
      for (int i = 0; i < ps.size(); i++) {
        alone.get(i)[k] = ps.get(i).grad().toFloatArray();
      }
    }
    return alone;
  }

  /** {@code PASSES} passes of batch k on thread k, one TrainStep each, both started at once. */
  private static void trainOnTwoThreads(Sequential model, Tensor[] xs, Tensor[] ts)
      throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      int which = k;
      TrainStep step = TrainStep.of(model, new CrossEntropyLoss());
      Thread t = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < PASSES; i++) {
            step.forwardBackward(xs[which], ts[which]);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "trainer-" + k);
      threads.add(t);
      t.start();
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("a training thread failed", failure.get());
    }
  }

  @Test
  void oneStepRefusesASecondThreadWithOneMessageAndStaysRight() throws Exception {
    Sequential model = model();
    Tensor x = Tensor.randn(new Generator(7), 64, 32);
    Tensor t = labels(64, 1);
    TrainStep step = TrainStep.of(model, new CrossEntropyLoss());
    float loss = step.forwardBackward(x, t);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger ran = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<String> messages = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      Thread th = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < 2_000 && refused.get() < 20; i++) {
            try {
              float l = step.forwardBackward(x, t);
              ran.incrementAndGet();
              if (l != loss) { // the weights do not change: every pass has the same loss
                throw new AssertionError("loss " + l + " != " + loss);
              }
            } catch (IllegalStateException e) {
              refused.incrementAndGet();
              synchronized (messages) {
                messages.add(e.getMessage());
              }
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "worker-" + k);
      threads.add(th);
      th.start();
    }
    start.countDown();
    for (Thread th : threads) {
      th.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("a thread failed", failure.get());
    }
    assertTrue(refused.get() > 0, "two threads calling one step at once were never refused ("
        + ran.get() + " passes ran)");
    for (String m : messages) {
      assertTrue(m.matches("TrainStep\\.forwardBackward called from thread \"worker-[01]\" "
          + "while (thread \"worker-[01]\"|another thread) runs it: a TrainStep's buffers serve "
          + "one thread at a time; make one TrainStep per thread \\(TrainStep\\.of\\)"), m);
    }
    // the refused calls left nothing behind: the step still works from this thread
    assertEquals(loss, step.forwardBackward(x, t));
  }
}
