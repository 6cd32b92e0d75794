package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Checks a layer's forward claims the instance ({@link Module#enterForward}) and gives it back
 * ({@link Module#exitForward}): refused while another thread is inside a forward of it, run
 * again once that thread left, and the instance free for another thread after it returned.
 */
final class ForwardGuards {
  private ForwardGuards() {}

  static void assertGuarded(Module m, Runnable forward) throws Exception {
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      other.submit(m::enterForward).get(60, TimeUnit.SECONDS);
      IllegalStateException e = assertThrows(IllegalStateException.class, forward::run,
          "a forward while another thread is inside one");
      assertEquals(m.getClass().getSimpleName() + ": forward called from two threads at once",
          e.getMessage().substring(0, e.getMessage().indexOf(" on one instance")));
      other.submit(m::exitForward).get(60, TimeUnit.SECONDS);
      forward.run();
      other.submit(() -> {
        m.enterForward(); // throws if the forward above kept its claim
        m.exitForward();
      }).get(60, TimeUnit.SECONDS);
    } finally {
      other.shutdown();
      other.awaitTermination(60, TimeUnit.SECONDS);
    }
  }
}
