package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A forward that writes into an instance's own buffers runs one thread at a time: a second
 * thread's call while one runs throws {@link IllegalStateException} saying what to do, and
 * the instance is free again when the first call returns or throws.
 */
class ForwardGuardTest {
  /** Doubles its input, but first waits until the test lets it go. */
  private static final class Gate extends Module {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public Tensor forward(Tensor x) {
      entered.countDown();
      try {
        assertTrue(release.await(60, TimeUnit.SECONDS), "never released");
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return x.mul(2f);
    }
  }

  @Test
  void aSecondThreadIsRefusedWhileTheFirstRuns() throws Exception {
    Gate gate = new Gate();
    Sequential net = new Sequential(gate, new ReLU());
    Tensor x = Tensor.of(1f, -2f, 3f);
    AtomicReference<Object> first = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        first.set(net.forward(x, Tensor.zeros(3)).toFloatArray());
      } catch (RuntimeException e) {
        first.set(e);
      }
    });
    t.start();
    assertTrue(gate.entered.await(60, TimeUnit.SECONDS));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> net.forward(x, Tensor.zeros(3)));
    assertEquals("Sequential: forward called from two threads at once on one instance, whose"
        + " forward buffers belong to it; give each thread its own replica() (a generated"
        + " block's, which shares the weights), or call a generated block's forward(x), which"
        + " runs on a free replica while the instance is busy", e.getMessage());
    gate.release.countDown();
    t.join();
    assertArrayEquals(new float[] {2, 0, 6}, (float[]) first.get(), "the first call is unharmed");
    assertArrayEquals(new float[] {2, 0, 6}, net.forward(x, Tensor.zeros(3)).toFloatArray());
  }

  @Test
  void aFailedForwardFreesTheInstance() {
    Sequential net = new Sequential(new Linear(3, 2));
    assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(4), Tensor.zeros(2)));
    assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(4), Tensor.zeros(2)));
    Tensor out = net.forward(Tensor.zeros(3), Tensor.zeros(2)); // not "two threads at once"
    assertArrayEquals(net.get(0, Linear.class).bias.data().toFloatArray(), out.toFloatArray());
  }
}
