package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * The kernels' pool: coverage, failures, nested and concurrent calls. A pool that deadlocks
 * fails its test after the timeout instead of hanging the build.
 */
@Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
class ParallelTest {
  private int before;

  @BeforeEach
  void threeThreads() {
    before = Parallel.threads();
    Parallel.setThreads(3);
  }

  @AfterEach
  void restore() {
    Parallel.setThreads(before);
  }

  @Test
  void everyItemRunsExactlyOnceInContiguousRanges() {
    for (int count : new int[] {1, 2, 3, 7, 1000}) {
      AtomicIntegerArray runs = new AtomicIntegerArray(count);
      List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
      for (int call = 0; call < 50; call++) { // later calls find the workers spinning
        Parallel.forRanges(count, (from, to) -> {
          ranges.add(new int[] {from, to});
          for (int i = from; i < to; i++) {
            runs.incrementAndGet(i);
          }
        });
      }
      for (int i = 0; i < count; i++) {
        assertEquals(50, runs.get(i), "item " + i + " of " + count);
      }
      int parts = Math.min(3, count);
      assertEquals(50 * parts, ranges.size(), "ranges of " + count);
    }
  }

  @Test
  void aWorkersExceptionReachesTheCallerAfterEveryShareFinished() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    CountDownLatch others = new CountDownLatch(2);
    AtomicIntegerArray done = new AtomicIntegerArray(3);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Parallel.forRanges(3, (from, to) -> {
          if (from == 2) { // the last share, on a worker
            throw boom;
          }
          others.countDown();
          sleep(20); // still running when the worker has failed
          done.set(from, 1);
        }));
    assertSame(boom, e);
    assertEquals(1, done.get(0), "the caller's share finished before the throw");
    assertEquals(1, done.get(1), "the other worker's share finished before the throw");
    assertTrue(others.await(0, TimeUnit.SECONDS));
    // The pool still works.
    AtomicIntegerArray runs = new AtomicIntegerArray(3);
    Parallel.forRanges(3, (from, to) -> runs.incrementAndGet(from));
    assertArrayEquals(new int[] {1, 1, 1}, new int[] {runs.get(0), runs.get(1), runs.get(2)});
  }

  @Test
  void theCallersOwnExceptionWinsOnceTheWorkersAreDone() {
    IllegalArgumentException own = new IllegalArgumentException("own");
    AtomicIntegerArray done = new AtomicIntegerArray(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Parallel.forRanges(3, (from, to) -> {
          if (from == 0) {
            throw own;
          }
          sleep(20);
          done.set(from, 1);
          throw new IllegalStateException("worker");
        }));
    assertSame(own, e);
    // No worker may still be writing the output when the call has returned.
    assertEquals(1, done.get(1));
    assertEquals(1, done.get(2));
  }

  @Test
  void aCallFromInsideABodyRunsOnItsThread() {
    AtomicIntegerArray inner = new AtomicIntegerArray(3 * 10);
    Parallel.forRanges(3, (from, to) -> Parallel.forRanges(10, (f, t) -> {
      for (int i = f; i < t; i++) {
        inner.incrementAndGet(from * 10 + i);
      }
    }));
    for (int i = 0; i < 30; i++) {
      assertEquals(1, inner.get(i), "inner item " + i);
    }
  }

  @Test
  void concurrentCallersGetTheSingleThreadedResults() throws Exception {
    int m = 64;
    int n = 300;
    int k = 200; // m * n * k > PARALLEL_WORK: split across the pool
    assertTrue((long) m * n * k >= VectorGemm.PARALLEL_WORK);
    Random rnd = new Random(7);
    float[][] a = new float[4][m * k];
    float[] b = new float[k * n];
    for (float[] x : a) {
      fill(rnd, x);
    }
    fill(rnd, b);
    PackedMatrix packed = PackedMatrix.pack(k, n, b, 0, n, false);
    float[][] want = new float[4][m * n];
    Parallel.setThreads(1);
    for (int t = 0; t < 4; t++) {
      Kernels.gemm(m, a[t], 0, k, packed, want[t], 0, n, null, 0, Activation.RELU);
    }
    Parallel.setThreads(2);
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int id = t;
        futures.add(callers.submit(() -> {
          float[] c = new float[m * n];
          for (int rep = 0; rep < 30; rep++) {
            Arrays.fill(c, Float.NaN);
            Kernels.gemm(m, a[id], 0, k, packed, c, 0, n, null, 0, Activation.RELU);
            assertArrayEquals(want[id], c, 0f, "caller " + id + " call " + rep);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void spinTimeProperty() {
    assertEquals(200, Parallel.spinMicros(null));
    assertEquals(0, Parallel.spinMicros("0"));
    assertEquals(50, Parallel.spinMicros(" 50 "));
    assertEquals(200, Parallel.spinMicros("-1"));
    assertEquals(200, Parallel.spinMicros("forever"));
  }

  private static void fill(Random rnd, float[] x) {
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
