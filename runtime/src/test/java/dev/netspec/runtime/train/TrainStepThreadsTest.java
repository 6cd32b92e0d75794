package dev.netspec.runtime.train;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
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

  @Test
  void twoStepsOnTwoThreadsAddBothGradientsIntoOneModel() throws Exception {
    Sequential model = model();
    Tensor[] xs = {Tensor.randn(new Generator(5), 16, 32), Tensor.randn(new Generator(6), 16, 32)};
    Tensor[] ts = {labels(16, 0), labels(16, 3)};
    // each thread's gradient, from one pass alone (the weights do not change: no optimizer)
    List<Tensor> expected = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      expected.add(null);
    }
    for (int k = 0; k < 2; k++) {
      model.parameters().forEach(p -> p.setGrad(null));
      TrainStep.of(model, new CrossEntropyLoss()).forwardBackward(xs[k], ts[k]);
      List<Parameter> ps = model.parameters();
      for (int i = 0; i < ps.size(); i++) {
        Tensor g = ps.get(i).grad().mul((float) PASSES);
        expected.set(i, expected.get(i) == null ? g : expected.get(i).add(g));
      }
    }
    model.parameters().forEach(p -> p.setGrad(null));

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
    List<Parameter> ps = model.parameters();
    for (int i = 0; i < ps.size(); i++) {
      assertClose(expected.get(i), ps.get(i).grad(), 1e-4, 1e-5,
          "parameter " + i + ": " + PASSES + " passes of each thread, none lost");
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
