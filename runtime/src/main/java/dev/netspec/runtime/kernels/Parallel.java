package dev.netspec.runtime.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The kernels' fixed thread pool: {@code threads - 1} daemon workers, the calling thread
 * runs the first share itself. Work is split into contiguous ranges of independent output
 * blocks, so every block is computed by the same code whatever the thread count.
 *
 * <p>A worker that has just finished a share spins for a while before it parks ({@code
 * -Dnetspec.threads.spin=MICROS}, default 200; 0 parks at once): handing work to a parked
 * thread costs tens of microseconds (up to 170 on a busy virtual machine), as much as a whole
 * layer of a small model, while a spinning worker starts at once. So a worker burns its core
 * for that long after each parallel call, as ONNX Runtime's pool does by default. The pool
 * runs one parallel call at a time; a call that finds it busy (another thread's forward) runs
 * on its own thread, which gives the same results. A worker's exception is rethrown by the
 * call, once every share has finished.
 */
final class Parallel {
  static final String PROPERTY = "netspec.threads";
  static final String SPIN_PROPERTY = "netspec.threads.spin";
  /** How long an idle worker spins before it parks (the next layer usually comes sooner). */
  static final long SPIN_NANOS =
      spinMicros(System.getProperty(SPIN_PROPERTY)) * 1000L;

  private static volatile int threads = initialThreads(System.getProperty(PROPERTY));
  private static Pool pool; // guarded by Parallel.class; created on first use

  private Parallel() {}

  /** A body that handles items {@code [from, to)}. */
  interface Range {
    void run(int from, int to);
  }

  /** A body over runs of items claimed by one thread ({@link Claims#each}). */
  interface Items {
    /**
     * Items {@code [from, to)} on the thread whose share is {@code slot} ({@code 0 <= slot <
     * parts}, one per thread of the call: an index to the thread's own scratch).
     */
    void run(int slot, int from, int to);
  }

  /**
   * Items {@code [0, items)} handed out from a shared counter in runs of {@code 1 / (CLAIMS *
   * parts)} of the items still left, at least one ({@link #next}): a thread that falls behind
   * (a slower share, a core the machine gave to something else) leaves its work to the others
   * instead of making them wait, and runs that shrink as the work runs out leave at most one
   * item's imbalance at the end (runs of a fixed size, an eighth of a thread's share, could
   * leave the other thread idle for up to 1/16 of a layer on 2 threads). The one claim loop of
   * the kernels that split this way ({@link #each}); reused across calls (one per task), so a
   * call allocates nothing. Which thread takes an item must not change its result.
   */
  static final class Claims implements Range {
    /** Runs per thread at the start: each takes this fraction of its share of what is left. */
    private static final int CLAIMS = 4;
    /** The first item no thread has taken yet. */
    private final AtomicInteger claimed = new AtomicInteger();
    private int items;
    private int parts;
    /** The body of the call in progress ({@link #each}), else null. */
    private Items body;

    /**
     * Runs {@code body} over items {@code [0, items)} on up to {@code threads} threads (the
     * calling thread one of them), each taking runs from the counter until none is left;
     * returns when every item is done. One call at a time per instance.
     */
    void each(int threads, int items, Items body) {
      int n = Math.max(1, Math.min(threads, items));
      reset(items, n);
      this.body = body;
      try {
        if (n > 1) {
          forRanges(n, this); // one range per thread, [slot, slot + 1): see run
        } else {
          run(0, 1);
        }
      } finally {
        this.body = null;
      }
    }

    /**
     * One thread's share of {@link #each}: runs from the counter, whatever the range; its
     * first index is the thread's slot (the pool's fallback runs every share on one thread,
     * {@code [0, parts)}: slot 0).
     */
    @Override
    public void run(int from, int to) {
      Items b = body;
      for (long run = next(); from(run) < to(run); run = next()) {
        b.run(from, from(run), to(run));
      }
    }

    /** Items {@code [0, items)} for {@code parts} threads, none taken yet. */
    private void reset(int items, int parts) {
      this.items = items;
      this.parts = Math.max(1, parts);
      claimed.set(0);
    }

    /**
     * The next run, {@code [from, to)} as {@code from << 32 | to}; {@code from == to} when
     * none is left ({@link #from}, {@link #to}).
     */
    private long next() {
      while (true) {
        int from = claimed.get();
        if (from >= items) {
          return (long) items << 32 | items;
        }
        int to = from + Math.max(1, (items - from) / (CLAIMS * parts));
        if (claimed.compareAndSet(from, to)) {
          return (long) from << 32 | to;
        }
      }
    }

    static int from(long run) {
      return (int) (run >>> 32);
    }

    static int to(long run) {
      return (int) run;
    }
  }

  static int initialThreads(String property) {
    int cores = Runtime.getRuntime().availableProcessors();
    return (int) wholeNumber(PROPERTY, property, cores, 1, Integer.MAX_VALUE);
  }

  static long spinMicros(String property) {
    return wholeNumber(SPIN_PROPERTY, property, 200, 0, 1_000_000);
  }

  /**
   * The value of system property {@code name}, a whole number in {@code [min, max]}; {@code
   * fallback} when it is unset, and after one logged warning when it is anything else.
   */
  private static long wholeNumber(String name, String property, long fallback, long min,
      long max) {
    if (property == null || property.isBlank()) {
      return fallback;
    }
    try {
      long value = Long.parseLong(property.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    System.getLogger("dev.netspec.runtime.kernels").log(System.Logger.Level.WARNING,
        "-D" + name + "=" + property + " is not a whole number from " + min + " to " + max
            + "; using " + fallback);
    return fallback;
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
    Pool p = pool();
    // One call at a time: a call made while another thread's call holds the pool, or from
    // inside a body, runs on its own thread (with the same results).
    if (p.lock.isHeldByCurrentThread() || !p.lock.tryLock()) {
      body.run(0, count);
      return;
    }
    try {
      if (p.shutdown || p.workers.length < parts - 1) { // replaced by setThreads meanwhile
        body.run(0, count);
        return;
      }
      p.run(count, parts, body);
    } finally {
      p.lock.unlock();
    }
  }

  private static int start(int count, int parts, int t) {
    return (int) ((long) count * t / parts);
  }

  private static synchronized Pool pool() {
    if (pool == null) {
      pool = new Pool(threads - 1);
    }
    return pool;
  }

  /** The workers, and what one parallel call shares with them. */
  private static final class Pool {
    final ReentrantLock lock = new ReentrantLock();
    final Worker[] workers;
    final AtomicInteger pending = new AtomicInteger();
    volatile Throwable failure;
    volatile boolean shutdown; // written under lock

    Pool(int n) {
      workers = new Worker[n];
      for (int i = 0; i < n; i++) {
        workers[i] = new Worker(this, i + 1);
        workers[i].start();
      }
    }

    /** One parallel call; the caller holds {@link #lock}. */
    void run(int count, int parts, Range body) {
      failure = null;
      pending.set(parts - 1);
      for (int t = 1; t < parts; t++) {
        workers[t - 1].submit(body, start(count, parts, t), start(count, parts, t + 1));
      }
      Throwable own = null;
      try {
        body.run(0, start(count, parts, 1));
      } catch (RuntimeException | Error e) {
        own = e;
      }
      while (pending.get() != 0) { // the output must not be half-written when we return
        Thread.onSpinWait();
      }
      Throwable e = own != null ? own : failure;
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      if (e instanceof Error) {
        throw (Error) e;
      }
    }

    void shutdown() {
      lock.lock(); // lets a call in progress finish
      try {
        shutdown = true;
        for (Worker w : workers) {
          LockSupport.unpark(w);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** A pool thread: takes one share at a time from {@link #submit}. */
  private static final class Worker extends Thread {
    private final Pool pool;
    private volatile Range body; // published last: from and to are visible once it is
    private int from;
    private int to;
    private volatile boolean parked;

    Worker(Pool pool, int id) {
      super("netspec-kernels-" + id);
      this.pool = pool;
      setDaemon(true);
    }

    void submit(Range b, int f, int t) {
      from = f;
      to = t;
      body = b;
      if (parked) {
        LockSupport.unpark(this);
      }
    }

    @Override
    public void run() {
      long idleSince = System.nanoTime();
      while (!pool.shutdown) {
        Range b = body;
        if (b != null) {
          body = null;
          try {
            b.run(from, to);
          } catch (RuntimeException | Error e) {
            pool.failure = e;
          }
          pool.pending.decrementAndGet();
          idleSince = System.nanoTime();
        } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          parked = true;
          if (body == null && !pool.shutdown) { // submit sees parked, or we see its body
            LockSupport.park(this);
          }
          parked = false;
          idleSince = System.nanoTime();
        }
      }
    }
  }
}
