package dev.netspec.runtime.kernels;

import java.util.Objects;

/**
 * The optimizer update kernels, PyTorch's rules (1.13 single-tensor code), each one fused
 * pass over a parameter: the parameter, its gradient and its state are read and written once
 * per step. Vector API kernels when the vector backend is in use ({@link Kernels#backend}),
 * else plain loops; both do the same float operations in the same order, so they agree bit
 * for bit. {@code p} and {@code g} are located by offsets; every state array starts at 0 and
 * holds {@code n} values.
 *
 * <p>A parameter of {@value #PARALLEL_ELEMENTS} elements or more is updated on the kernels'
 * thread pool ({@link Kernels#threads}), split into blocks of {@value #BLOCK} elements: each
 * element's update is independent of the others, so the result is the same on any number of
 * threads. Allocates nothing.
 */
public final class Updates {
  private static final UpdateKernels IMPL = select();
  /** Elements from which an update is split across the kernels' threads (256 KiB of floats). */
  static final int PARALLEL_ELEMENTS = 1 << 16;
  /** Elements per block of a split update. */
  static final int BLOCK = 1 << 13;
  private static final ThreadLocal<Task> TASK = ThreadLocal.withInitial(Task::new);

  private Updates() {}

  /**
   * Told of each block of a parameter whose update has finished, while the block is still in
   * cache: a packed copy of the parameter (a GEMM's operand) rewrites its copies of elements
   * {@code [from, to)} from the parameter's new values. With a mirror, an update runs in blocks
   * of {@value #BLOCK} elements on one thread too, and each block is passed once, on the thread
   * that updated it (disjoint blocks may be passed from several threads at once).
   */
  public interface Mirror {
    void updated(int from, int to);

    /**
     * Elements per block (default {@value Updates#BLOCK}): a copy whose layout groups the
     * parameter's rows (a GEMM's row tiles) asks for blocks of whole groups. Any size gives
     * the same values: each element's update is independent of the others.
     */
    default int block() {
      return BLOCK;
    }
  }

  private static UpdateKernels select() {
    if (Kernels.backend().startsWith("vector")) {
      try {
        return (UpdateKernels) Class.forName("dev.netspec.runtime.kernels.VectorUpdates")
            .getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        return new ScalarUpdates();
      }
    }
    return new ScalarUpdates();
  }

  /** The implementation's name: {@code "vector"} or {@code "scalar"}. */
  public static String backend() {
    return IMPL instanceof ScalarUpdates ? "scalar" : "vector";
  }

  /**
   * SGD: {@code d = g + weightDecay * p}; with a momentum buffer {@code buf} (null for none),
   * {@code buf = first ? d : momentum * buf + (1 - dampening) * d} and {@code d = nesterov ?
   * d + momentum * buf : buf}; then {@code p -= lr * d}.
   */
  public static void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int n,
      float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
      boolean first) {
    sgd(p, pOff, g, gOff, buf, n, lr, momentum, dampening, weightDecay, nesterov, first, null);
  }

  /** {@link #sgd}, telling {@code mirror} (null: none) of each updated block. */
  public static void sgd(float[] p, int pOff, float[] g, int gOff, float[] buf, int n,
      float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
      boolean first, Mirror mirror) {
    check(p, pOff, g, gOff, n);
    state(buf, n);
    if (split(n) || mirror != null) {
      Task t = task(p, pOff, g, gOff, n, mirror);
      t.s1 = buf;
      t.a = lr;
      t.b = momentum;
      t.c = dampening;
      t.d = weightDecay;
      t.flag1 = nesterov;
      t.flag2 = first;
      t.run(Task.SGD, split(n));
    } else {
      IMPL.sgd(p, pOff, g, gOff, buf, 0, n, lr, momentum, dampening, weightDecay, nesterov,
          first);
    }
  }

  /**
   * Adam and AdamW: {@code d = g + weightDecay * p} (Adam's L2 term; pass 0 for AdamW), then
   * {@code p *= decay} (AdamW's decoupled {@code 1 - lr * weight_decay}; 1 for Adam), {@code
   * m = beta1 m + (1 - beta1) d}, {@code v = beta2 v + (1 - beta2) d^2}, with {@code vMax}
   * (amsgrad; null for none) {@code vMax = max(vMax, v)} read in v's place, and {@code p +=
   * stepSize * m / (sqrt(v) / bc2Sqrt + eps)}: {@code stepSize = -lr / (1 - beta1^t)},
   * {@code bc2Sqrt = sqrt(1 - beta2^t)}.
   */
  public static void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v,
      float[] vMax, int n, float decay, float weightDecay, float beta1, float beta2,
      float stepSize, float bc2Sqrt, float eps) {
    adam(p, pOff, g, gOff, m, v, vMax, n, decay, weightDecay, beta1, beta2, stepSize, bc2Sqrt,
        eps, null);
  }

  /** {@link #adam}, telling {@code mirror} (null: none) of each updated block. */
  public static void adam(float[] p, int pOff, float[] g, int gOff, float[] m, float[] v,
      float[] vMax, int n, float decay, float weightDecay, float beta1, float beta2,
      float stepSize, float bc2Sqrt, float eps, Mirror mirror) {
    check(p, pOff, g, gOff, n);
    state(Objects.requireNonNull(m, "m"), n);
    state(Objects.requireNonNull(v, "v"), n);
    state(vMax, n);
    if (split(n) || mirror != null) {
      Task t = task(p, pOff, g, gOff, n, mirror);
      t.s1 = m;
      t.s2 = v;
      t.s3 = vMax;
      t.a = decay;
      t.b = weightDecay;
      t.c = beta1;
      t.d = beta2;
      t.e = stepSize;
      t.f = bc2Sqrt;
      t.h = eps;
      t.run(Task.ADAM, split(n));
    } else {
      IMPL.adam(p, pOff, g, gOff, m, v, vMax, 0, n, decay, weightDecay, beta1, beta2, stepSize,
          bc2Sqrt, eps);
    }
  }

  /**
   * RMSprop: {@code d = g + weightDecay * p}, {@code sq = alpha sq + (1 - alpha) d^2}; centered
   * ({@code gAvg} not null) {@code gAvg = alpha gAvg + (1 - alpha) d} and {@code avg =
   * sqrt(sq - gAvg^2) + eps}, else {@code avg = sqrt(sq) + eps}; with a momentum buffer
   * {@code buf = momentum buf + d / avg; p -= lr buf}, else {@code p -= lr d / avg}.
   */
  public static void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq,
      float[] gAvg, float[] buf, int n, float lr, float alpha, float eps, float weightDecay,
      float momentum) {
    rmsprop(p, pOff, g, gOff, sq, gAvg, buf, n, lr, alpha, eps, weightDecay, momentum, null);
  }

  /** {@link #rmsprop}, telling {@code mirror} (null: none) of each updated block. */
  public static void rmsprop(float[] p, int pOff, float[] g, int gOff, float[] sq,
      float[] gAvg, float[] buf, int n, float lr, float alpha, float eps, float weightDecay,
      float momentum, Mirror mirror) {
    check(p, pOff, g, gOff, n);
    state(Objects.requireNonNull(sq, "sq"), n);
    state(gAvg, n);
    state(buf, n);
    if (split(n) || mirror != null) {
      Task t = task(p, pOff, g, gOff, n, mirror);
      t.s1 = sq;
      t.s2 = gAvg;
      t.s3 = buf;
      t.a = lr;
      t.b = alpha;
      t.c = eps;
      t.d = weightDecay;
      t.e = momentum;
      t.run(Task.RMSPROP, split(n));
    } else {
      IMPL.rmsprop(p, pOff, g, gOff, sq, gAvg, buf, 0, n, lr, alpha, eps, weightDecay,
          momentum);
    }
  }

  /** This thread's {@link Task}, given the parameter, its gradient and their length. */
  private static Task task(float[] p, int pOff, float[] g, int gOff, int n, Mirror mirror) {
    Task t = TASK.get();
    t.mirror = mirror;
    t.block = mirror == null ? BLOCK : Math.max(1, mirror.block());
    t.p = p;
    t.pOff = pOff;
    t.g = g;
    t.gOff = gOff;
    t.n = n;
    return t;
  }

  private static boolean split(int n) {
    return n >= PARALLEL_ELEMENTS && Parallel.threads() > 1;
  }

  /**
   * One split update, its arguments in fields: one per calling thread and reused (a capturing
   * lambda would allocate on every call); the pool's hand-off publishes them to the workers.
   */
  private static final class Task implements Parallel.Range {
    static final int SGD = 0;
    static final int ADAM = 1;
    static final int RMSPROP = 2;

    int kind;
    float[] p;
    int pOff;
    float[] g;
    int gOff;
    float[] s1; // sgd: buf; adam: m, v, vMax; rmsprop: sq, gAvg, buf
    float[] s2;
    float[] s3;
    int n;
    float a; // the scalars, in the order the kernel takes them
    float b;
    float c;
    float d;
    float e;
    float f;
    float h;
    boolean flag1; // sgd: nesterov, first
    boolean flag2;
    Mirror mirror; // told of each block, or null
    int block; // elements per block

    /**
     * Runs the update over all blocks, on the pool if {@code onPool} (else on this thread),
     * then drops the arrays it was given.
     */
    void run(int kind, boolean onPool) {
      this.kind = kind;
      try {
        int blocks = (int) (((long) n + block - 1) / block);
        if (onPool) {
          Parallel.forRanges(blocks, this);
        } else {
          run(0, blocks);
        }
      } finally {
        p = null;
        g = null;
        s1 = null;
        s2 = null;
        s3 = null;
        mirror = null;
      }
    }

    @Override
    public void run(int fromBlock, int toBlock) {
      if (mirror == null) {
        update(fromBlock * block, (int) Math.min(n, (long) toBlock * block));
        return;
      }
      for (int b = fromBlock; b < toBlock; b++) { // each block mirrored while in cache
        int from = b * block;
        int to = (int) Math.min(n, (long) from + block);
        update(from, to);
        mirror.updated(from, to);
      }
    }

    private void update(int from, int to) {
      switch (kind) {
        case SGD:
          IMPL.sgd(p, pOff, g, gOff, s1, from, to, a, b, c, d, flag1, flag2);
          break;
        case ADAM:
          IMPL.adam(p, pOff, g, gOff, s1, s2, s3, from, to, a, b, c, d, e, f, h);
          break;
        default:
          IMPL.rmsprop(p, pOff, g, gOff, s1, s2, s3, from, to, a, b, c, d, e);
          break;
      }
    }
  }

  private static void check(float[] p, int pOff, float[] g, int gOff, int n) {
    Objects.checkFromIndexSize(pOff, n, p.length);
    Objects.checkFromIndexSize(gOff, n, g.length);
  }

  private static void state(float[] s, int n) {
    if (s != null && s.length < n) {
      throw new IndexOutOfBoundsException("optimizer state of " + s.length
          + " values for a parameter of " + n);
    }
  }
}
