package dev.netspec.runtime.autograd;

/**
 * Whether operations record the graph a backward pass walks ({@code torch.is_grad_enabled}),
 * per thread, on by default as in PyTorch. {@link #noGrad()} turns recording off for a scope
 * ({@code with torch.no_grad():}):
 *
 * <pre>{@code
 * try (var scope = GradMode.noGrad()) {
 *   Tensor y = model.forward(x);   // no grad_fn, no saved activations
 * }
 * }</pre>
 *
 * <p>The backward pass itself runs with recording off (PyTorch's {@code create_graph=False}).
 * The zero-allocation {@code forward(x, out)} never records, whatever the mode: it is the
 * inference path.
 */
public final class GradMode {
  private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

  private GradMode() {}

  /** Whether this thread records operations for a backward pass. */
  public static boolean isEnabled() {
    return ENABLED.get()[0];
  }

  /** Sets this thread's mode ({@code torch.set_grad_enabled}); returns the previous one. */
  public static boolean setEnabled(boolean enabled) {
    boolean[] flag = ENABLED.get();
    boolean previous = flag[0];
    flag[0] = enabled;
    return previous;
  }

  /** Turns recording off until the returned scope is closed ({@code torch.no_grad()}). */
  public static Scope noGrad() {
    return new Scope(setEnabled(false));
  }

  /** Turns recording on until the returned scope is closed ({@code torch.enable_grad()}). */
  public static Scope enableGrad() {
    return new Scope(setEnabled(true));
  }

  /** A scope of {@link #noGrad()} or {@link #enableGrad()}: closing it restores the mode. */
  public static final class Scope implements AutoCloseable {
    private final boolean previous;
    private boolean closed;

    private Scope(boolean previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        setEnabled(previous);
      }
    }
  }
}
