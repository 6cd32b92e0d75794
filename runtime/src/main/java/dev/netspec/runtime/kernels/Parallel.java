package dev.netspec.runtime.kernels;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernels' fixed thread pool: {@code threads - 1} daemon workers, the calling thread
 * runs the first share itself. Work is split into contiguous ranges of independent output
 * blocks, so every block is computed by the same code whatever the thread count.
 */
final class Parallel {
  static final String PROPERTY = "netspec.threads";

  private static volatile int threads = initialThreads(System.getProperty(PROPERTY));
  private static ExecutorService pool; // guarded by Parallel.class; created on first use

  private Parallel() {}

  /** A body that handles items {@code [from, to)}. */
  interface Range {
    void run(int from, int to);
  }

  static int initialThreads(String property) {
    int cores = Runtime.getRuntime().availableProcessors();
    if (property == null || property.isBlank()) {
      return cores;
    }
    try {
      int n = Integer.parseInt(property.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    System.getLogger("dev.netspec.runtime.kernels").log(System.Logger.Level.WARNING,
        "-D" + PROPERTY + "=" + property + " is not a positive integer; using " + cores);
    return cores;
  }

  static int threads() {
    return threads;
  }

  static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + n);
    }
    if (n != threads && pool != null) {
      pool.shutdown();
      pool = null;
    }
    threads = n;
  }

  /** Runs {@code body} over {@code [0, count)} in at most {@code threads} contiguous ranges. */
  static void forRanges(int count, Range body) {
    int parts = Math.min(threads, count);
    if (parts <= 1) {
      body.run(0, count);
      return;
    }
    ExecutorService workers = pool();
    Future<?>[] futures = new Future<?>[parts - 1];
    for (int t = 1; t < parts; t++) {
      int from = start(count, parts, t);
      int to = start(count, parts, t + 1);
      try {
        futures[t - 1] = workers.submit(() -> body.run(from, to));
      } catch (RejectedExecutionException e) { // the pool was replaced by setThreads meanwhile
        body.run(from, to);
      }
    }
    body.run(0, start(count, parts, 1));
    for (Future<?> f : futures) {
      if (f != null) {
        await(f);
      }
    }
  }

  private static int start(int count, int parts, int t) {
    return (int) ((long) count * t / parts);
  }

  private static synchronized ExecutorService pool() {
    if (pool == null) {
      AtomicInteger id = new AtomicInteger();
      pool = Executors.newFixedThreadPool(Math.max(1, threads - 1), r -> {
        Thread t = new Thread(r, "netspec-kernels-" + id.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
    return pool;
  }

  private static void await(Future<?> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // finish the call: the output must not be half-written
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
          }
          if (cause instanceof Error) {
            throw (Error) cause;
          }
          throw new IllegalStateException(cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
