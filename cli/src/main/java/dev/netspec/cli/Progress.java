package dev.netspec.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A progress line on stderr for a step that turns out to take over a second (when stderr is a
 * terminal; see {@link Streams#timed}): nothing for quick steps, {@code netspec: compiling 12 specs...} once the second has passed, and {@code done
 * (1.4 s)} when the step ends.
 *
 * <pre>{@code
 * Progress progress = Progress.start(err, "compiling 12 specs");
 * try {
 *   ...
 * } finally {
 *   progress.close();
 * }
 * }</pre>
 */
final class Progress implements AutoCloseable {
  private static final long DELAY_MILLIS = 1000;

  private final PrintWriter err;
  private final String what;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;
  private final ScheduledFuture<?> announcement;
  private boolean announced;

  private Progress(PrintWriter err, String what) {
    this.err = err;
    this.what = what;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "netspec-progress");
      t.setDaemon(true);
      return t;
    });
    this.announcement = timer.schedule(this::announce, DELAY_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Starts timing {@code what} (a lowercase phrase such as {@code "compiling 3 specs"}). */
  static Progress start(PrintWriter err, String what) {
    return new Progress(err, what);
  }

  private synchronized void announce() {
    announced = true;
    err.print("netspec: " + what + "...");
    err.flush();
  }

  @Override
  public void close() {
    announcement.cancel(false);
    timer.shutdownNow();
    synchronized (this) {
      if (announced) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        err.println(String.format(Locale.ROOT, " done (%.1f s)", seconds));
      }
    }
  }
}
