package dev.netspec.runtime.kernels;

import java.util.Objects;

/**
 * The compute kernels of the runtime, on {@code float[]} arrays with offsets (BLAS-style):
 * they know nothing of tensors or modules.
 *
 * <p>Each call runs on the backend chosen once per JVM: Vector API kernels when the module
 * {@code jdk.incubator.vector} is present (run java with {@code --add-modules
 * jdk.incubator.vector}), else plain loops after one logged warning. {@code
 * -Dnetspec.kernels=scalar} forces the loops; {@code -Dnetspec.vector.bits=256} picks a
 * narrower vector species than the preferred one.
 */
public final class Kernels {
  private static final Backend BACKEND = Backends.select();

  private Kernels() {}

  /** The backend in use, such as {@code "vector (512-bit FloatVector)"} or {@code "scalar"}. */
  public static String backend() {
    return BACKEND.name();
  }

  /**
   * {@code C = act(A @ op(B) + bias)} (single-precision GEMM with a fused epilogue).
   *
   * @param a {@code m x k}, row {@code i} at {@code a[aOff + i * lda ..]}
   * @param b {@code op(B)} is {@code k x n}: if {@code transB} is false, row {@code p} of
   *     op(B) is at {@code b[bOff + p * ldb ..]}; if true, B is stored as its {@code n x k}
   *     transpose, row {@code j} at {@code b[bOff + j * ldb ..]} (a Linear weight)
   * @param c {@code m x n}, overwritten, row {@code i} at {@code c[cOff + i * ldc ..]};
   *     rows must not overlap ({@code ldc >= n}). A and B rows may (a stride of 0 repeats
   *     one row, as a broadcast does)
   * @param bias length {@code n}, added to every row, or null
   * @param act applied after the bias
   */
  public static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b,
      int bOff, int ldb, boolean transB, float[] c, int cOff, int ldc, float[] bias,
      int biasOff, Activation act) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          "gemm sizes must not be negative: m=" + m + ", n=" + n + ", k=" + k);
    }
    Objects.requireNonNull(act, "act");
    checkMatrix("a", a, aOff, m, k, lda);
    checkMatrix("b", b, bOff, transB ? n : k, transB ? k : n, ldb);
    checkOutput(m, n, c, cOff, ldc, bias, biasOff);
    BACKEND.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, transB, c, cOff, ldc, bias, biasOff, act);
  }

  /**
   * {@code C = act(A @ B + bias)} with B packed once ({@link PackedMatrix#pack}): A is
   * {@code m x b.rows()}, C {@code m x b.columns()}, other arguments as in {@link #gemm(int,
   * int, int, float[], int, int, float[], int, int, boolean, float[], int, int, float[], int,
   * Activation) gemm}. Allocates nothing once warm, on one thread or several.
   */
  public static void gemm(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c,
      int cOff, int ldc, float[] bias, int biasOff, Activation act) {
    if (m < 0) {
      throw new IllegalArgumentException("gemm: m must not be negative, got " + m);
    }
    Objects.requireNonNull(b, "b");
    int k = b.rows();
    int n = b.columns();
    Objects.requireNonNull(act, "act");
    if (b.panelWidth() != BACKEND.panelWidth()) {
      throw new IllegalArgumentException("gemm: " + b + " was packed for another backend");
    }
    checkMatrix("a", a, aOff, m, k, lda);
    checkOutput(m, n, c, cOff, ldc, bias, biasOff);
    BACKEND.gemm(m, a, aOff, lda, b, c, cOff, ldc, bias, biasOff, act);
  }

  /**
   * {@code C = act(A @ B + bias)} with both operands packed once: A ({@link PackedRows}) is
   * {@code a.rows() x b.rows()}, C {@code a.rows() x b.columns()} with row stride {@code ldc};
   * other arguments as in {@link #gemm(int, float[], int, int, PackedMatrix, float[], int, int,
   * float[], int, Activation) gemm}. A convolution runs its filters against every chunk of
   * image patches this way.
   */
  public static void gemm(PackedRows a, PackedMatrix b, float[] c, int cOff, int ldc,
      float[] bias, int biasOff, Activation act) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(act, "act");
    if (a.columns() != b.rows()) {
      throw new IllegalArgumentException("gemm: " + a + " cannot multiply " + b);
    }
    if (b.panelWidth() != BACKEND.panelWidth()) {
      throw new IllegalArgumentException("gemm: " + b + " was packed for another backend");
    }
    checkOutput(a.rows(), b.columns(), c, cOff, ldc, bias, biasOff);
    BACKEND.gemm(a.rows(), a.data(), a.tiles(), b, c, cOff, ldc, bias, biasOff, act);
  }

  /**
   * {@code C = act(A @ B + bias)} with A a weight whose row tiles are kept packed ({@link
   * TiledWeight}, packed or refreshed since {@code a} last changed) and B packed once: A is
   * {@code w.rows() x b.rows()}, {@code a} its row-major values from index 0 (the GEMM reads
   * the rows past the last whole tile there), C {@code w.rows() x b.columns()} with row stride
   * {@code ldc}; other arguments as in {@link #gemm(PackedRows, PackedMatrix, float[], int, int,
   * float[], int, Activation)}, with the same results as packing A in the call.
   */
  public static void gemm(float[] a, TiledWeight w, PackedMatrix b, float[] c, int cOff,
      int ldc, float[] bias, int biasOff, Activation act) {
    Objects.requireNonNull(w, "w");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(act, "act");
    if (w.columns() != b.rows()) {
      throw new IllegalArgumentException("gemm: " + w + " cannot multiply " + b);
    }
    if (b.panelWidth() != BACKEND.panelWidth()) {
      throw new IllegalArgumentException("gemm: " + b + " was packed for another backend");
    }
    checkMatrix("a", a, 0, w.rows(), w.columns(), w.columns());
    checkOutput(w.rows(), b.columns(), c, cOff, ldc, bias, biasOff);
    BACKEND.gemm(w.rows(), a, w.tiles(), b, c, cOff, ldc, bias, biasOff, act);
  }

  /**
   * {@code C = A^T @ B}, or {@code C += A^T @ B} if {@code accumulate}, with A read transposed
   * in place: a weight's gradient {@code dW = dY^T @ X} from the output gradient and the input
   * as they lie, added into the gradient already there in the same pass ({@link
   * GemmTransposed}). Allocates nothing once warm, on one thread or several; split across the
   * kernel threads as {@link #gemm(int, int, int, float[], int, int, float[], int, int, boolean,
   * float[], int, int, float[], int, Activation) gemm} is, with the same results on any number
   * of threads.
   *
   * @param a A's transpose, {@code k x m}: row {@code p} at {@code a[aOff + p * lda ..]}
   * @param b {@code k x n}, row {@code p} at {@code b[bOff + p * ldb ..]}
   * @param c {@code m x n}, row {@code i} at {@code c[cOff + i * ldc ..]}, rows disjoint
   * @param accumulate add the product to C instead of overwriting it: each element's product
   *     summed from zero, then added with one rounding (the bits of {@code grad += dW})
   */
  public static void gemmTransposedA(int m, int n, int k, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          "gemm sizes must not be negative: m=" + m + ", n=" + n + ", k=" + k);
    }
    checkMatrix("a", a, aOff, k, m, lda);
    checkMatrix("b", b, bOff, k, n, ldb);
    checkOutput(m, n, c, cOff, ldc, null, 0);
    GemmTransposed.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
  }

  /** A whole panel of a row-major B, copied row by row (see {@link Backend#copyPanel}). */
  static void copyPanel(float[] b, int from, int ld, int k, int width, float[] panel, int at) {
    BACKEND.copyPanel(b, from, ld, k, width, panel, at);
  }

  /** A's rows packed for this backend's GEMM (see {@link PackedRows}), or null. */
  static float[] packRows(int m, int k, float[] a, float[] into) {
    return BACKEND.packRows(m, k, a, into);
  }

  /**
   * A depthwise convolution ({@code groups == in_channels}) of every image of {@code g}, a
   * direct kernel: see {@link Convolution#conv2d}. {@code w} is {@code (outChannels, 1, kh,
   * kw)}; {@code bias} ({@code outChannels}) may be null; {@code act} follows the bias.
   */
  public static void depthwiseConv2d(ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
      float[] bias, int biasOff, Activation act, float[] y, int yOff) {
    if (!g.isDepthwise()) {
      throw new IllegalArgumentException("depthwiseConv2d: not a depthwise geometry: " + g);
    }
    Objects.requireNonNull(act, "act");
    long in = (long) g.batch() * g.inChannels() * g.inPlane();
    long out = (long) g.batch() * g.outChannels() * g.positions();
    Objects.checkFromIndexSize(xOff, in, x.length);
    Objects.checkFromIndexSize(yOff, out, y.length);
    Objects.checkFromIndexSize(wOff, (long) g.outChannels() * g.kernelH() * g.kernelW(),
        w.length);
    if (bias != null) {
      Objects.checkFromIndexSize(biasOff, g.outChannels(), bias.length);
    }
    int inImage = g.inChannels() * g.inPlane();
    int outImage = g.outChannels() * g.positions();
    for (int b = 0; b < g.batch(); b++) {
      BACKEND.depthwiseConv2d(g, x, xOff + b * inImage, w, wOff, bias, biasOff, act, y,
          yOff + b * outImage);
    }
  }

  /**
   * {@code max_pool2d} of every plane of {@code g} ({@code batch * inChannels} planes of
   * {@code height x width} from {@code xOff}, outputs {@code outHeight x outWidth} each from
   * {@code yOff}): see {@link Pooling#maxPool2d}, with {@code indices} (null: none) on this
   * backend's kernels, which compute the scalar loop's bits and indices.
   */
  public static void maxPool2d(ConvGeometry g, float[] x, int xOff, float[] y, int yOff,
      int[] indices) {
    long planes = (long) g.batch() * g.inChannels();
    Objects.checkFromIndexSize(xOff, planes * g.inPlane(), x.length);
    Objects.checkFromIndexSize(yOff, planes * g.positions(), y.length);
    if (indices != null) {
      Objects.checkFromIndexSize(0, planes * g.positions(), indices.length);
      BACKEND.maxPool2dWithIndices(g, x, xOff, y, yOff, indices);
    } else {
      BACKEND.maxPool2d(g, x, xOff, y, yOff);
    }
  }

  /** {@link Backend#convStrip} on this backend; no checks (callers are {@link DirectConv}). */
  static void convStrip(int width, int steps, float[] x, int p0, int p1, int p2, int p3,
      int p4, int p5, float[] w, int w0, float[] acc) {
    BACKEND.convStrip(width, steps, x, p0, p1, p2, p3, p4, p5, w, w0, acc);
  }

  /** {@link Backend#convStripPair} on this backend; no checks (callers are {@link DirectConv}). */
  static void convStripPair(int width, int steps, float[] x, int p0, int p1, int p2, int p3,
      int p4, int p5, float[] w, int w0, int w1, float[] acc0, float[] acc1) {
    BACKEND.convStripPair(width, steps, x, p0, p1, p2, p3, p4, p5, w, w0, w1, acc0, acc1);
  }

  /**
   * {@link Backend#convPositionPair} on this backend; no checks (callers are {@link
   * DirectConv}).
   */
  static void convPositionPair(int width, int steps, float[] x, int p, float[] w, int w0,
      int w1, float[] acc0, float[] acc1) {
    BACKEND.convPositionPair(width, steps, x, p, w, w0, w1, acc0, acc1);
  }

  /**
   * {@link Backend#convStripsBlock} on this backend; no checks (callers are {@link
   * DirectConv}).
   */
  static void convStripsBlock(int width, float[][] accs, int from, int n, float[] block,
      int stride) {
    BACKEND.convStripsBlock(width, accs, from, n, block, stride);
  }

  /**
   * Whether {@link DirectConv} runs its strips in pairs ({@link #convStripPair}): where this
   * backend has a wider tile for them (512-bit vectors, {@link WideStrips}).
   */
  static boolean pairsStrips() {
    return vectorized() && WideStrips.ENABLED;
  }

  /** Whether the Vector API kernels are in use (not the scalar loops). */
  static boolean vectorized() {
    return !(BACKEND instanceof ScalarBackend);
  }

  /** Columns per panel of the matrices {@link PackedMatrix#pack} makes for this backend. */
  static int panelWidth() {
    return BACKEND.panelWidth();
  }

  /**
   * The number of threads large GEMMs are split across: {@code -Dnetspec.threads=N}, or
   * {@link #setThreads}, else the available processors. Products below about two million
   * multiply-adds run on the calling thread, except 1 to 3 rows against a transposed B (a
   * Linear weight) of at least 2^18 elements: bound by reading B, they are split by its rows.
   * Results do not depend on the count.
   */
  public static int threads() {
    return Parallel.threads();
  }

  /** Sets the kernel thread count (1 = single-threaded); the pool is rebuilt on next use. */
  public static void setThreads(int threads) {
    Parallel.setThreads(threads);
  }

  /** {@code out[outOff + i] = op(x[xOff + i], y[yOff + i])} for {@code i < n}. */
  public static void binary(BinaryOp op, float[] x, int xOff, float[] y, int yOff, float[] out,
      int outOff, int n) {
    Objects.checkFromIndexSize(xOff, n, x.length);
    Objects.checkFromIndexSize(yOff, n, y.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
    BACKEND.binary(op, x, xOff, y, yOff, out, outOff, n);
  }

  /** {@code out[outOff + i] = op(x[xOff + i], y)} for {@code i < n}. */
  public static void binaryScalar(BinaryOp op, float[] x, int xOff, float y, float[] out,
      int outOff, int n) {
    Objects.checkFromIndexSize(xOff, n, x.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
    BACKEND.binaryScalar(op, x, xOff, y, out, outOff, n);
  }

  /** {@code out[outOff + i] = op(x[xOff + i])} for {@code i < n}. */
  public static void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
    Objects.checkFromIndexSize(xOff, n, x.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
    BACKEND.unary(op, x, xOff, out, outOff, n);
  }

  /** {@code out[outOff + i] = op(x[xOff + i], y) ? 1 : 0} for {@code i < n}. */
  public static void compareScalar(CompareOp op, float[] x, int xOff, float y, float[] out,
      int outOff, int n) {
    Objects.checkFromIndexSize(xOff, n, x.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
    BACKEND.compareScalar(op, x, xOff, y, out, outOff, n);
  }

  /** {@code out[outOff + i] = mask[maskOff + i] != 0 ? a[aOff + i] : b[bOff + i]}, i < n. */
  public static void where(float[] mask, int maskOff, float[] a, int aOff, float[] b, int bOff,
      float[] out, int outOff, int n) {
    Objects.checkFromIndexSize(maskOff, n, mask.length);
    Objects.checkFromIndexSize(aOff, n, a.length);
    Objects.checkFromIndexSize(bOff, n, b.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
    BACKEND.where(mask, maskOff, a, aOff, b, bOff, out, outOff, n);
  }

  /** {@code out[outOff + i] = mask[maskOff + i] != 0 ? value : x[xOff + i]} for i < n. */
  public static void maskedFill(float[] mask, int maskOff, float value, float[] x, int xOff,
      float[] out, int outOff, int n) {
    Objects.checkFromIndexSize(maskOff, n, mask.length);
    Objects.checkFromIndexSize(xOff, n, x.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
    BACKEND.maskedFill(mask, maskOff, value, x, xOff, out, outOff, n);
  }

  /**
   * {@code out[outOff + i] = y[yOff + i] <= 0 ? 0 : g[gOff + i]} for i < n: ReLU's backward
   * from its output (a NaN passes the gradient, as in PyTorch); {@code out} may be {@code g}.
   */
  public static void reluBackward(float[] g, int gOff, float[] y, int yOff, float[] out,
      int outOff, int n) {
    Objects.checkFromIndexSize(gOff, n, g.length);
    Objects.checkFromIndexSize(yOff, n, y.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
    BACKEND.reluBackward(g, gOff, y, yOff, out, outOff, n);
  }

  /** The sum of {@code n} values from {@code x[off]}; 0 when {@code n} is 0. */
  public static float sum(float[] x, int off, int n) {
    Objects.checkFromIndexSize(off, n, x.length);
    return BACKEND.sum(x, off, n);
  }

  /** The largest of {@code n >= 1} values from {@code x[off]}; NaN if any is NaN. */
  public static float max(float[] x, int off, int n) {
    checkNonEmpty(off, n, x.length);
    return BACKEND.max(x, off, n);
  }

  /** The smallest of {@code n >= 1} values from {@code x[off]}; NaN if any is NaN. */
  public static float min(float[] x, int off, int n) {
    checkNonEmpty(off, n, x.length);
    return BACKEND.min(x, off, n);
  }

  /** The dot product of {@code n} values from {@code x[xOff]} and {@code y[yOff]}. */
  public static float dot(float[] x, int xOff, float[] y, int yOff, int n) {
    Objects.checkFromIndexSize(xOff, n, x.length);
    Objects.checkFromIndexSize(yOff, n, y.length);
    return BACKEND.dot(x, xOff, y, yOff, n);
  }

  /**
   * {@code dst (cols x rows, from dOff) = src (rows x cols, from so)^T}, both dense, eight rows
   * of {@code src} at a time: eight sequential reads, and each column of them written as eight
   * adjacent floats of a row of {@code dst}. A loop over 16 x 16 blocks writing one float per
   * row of {@code dst} took 3.0 ns an element for a 1024 x 64 source (5% of the MLP's training
   * step, whose forward transposes {@code y^T}), this one 0.56 (Zen 4, CPU time).
   */
  public static void transpose(float[] src, int so, int rows, int cols, float[] dst,
      int dOff) {
    Objects.checkFromIndexSize(so, Math.multiplyExact(rows, cols), src.length);
    Objects.checkFromIndexSize(dOff, rows * cols, dst.length);
    int r = 0;
    for (; r + 8 <= rows; r += 8) {
      PackedMatrix.columns8(src, so + r * cols, cols, cols, dst, dOff + r, rows);
    }
    for (; r < rows; r++) {
      int row = so + r * cols;
      for (int c = 0; c < cols; c++) {
        dst[dOff + c * rows + r] = src[row + c];
      }
    }
  }

  /**
   * {@code y[yOff + i] += a * x[xOff + i]} for {@code i < n} (BLAS {@code saxpy}), each one
   * fused multiply-add, in the vector body and the tail alike.
   */
  public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    Objects.checkFromIndexSize(xOff, n, x.length);
    Objects.checkFromIndexSize(yOff, n, y.length);
    BACKEND.axpy(a, x, xOff, y, yOff, n);
  }

  /** The backend every facade call runs on (for kernels built from its primitives). */
  static Backend backendImpl() {
    return BACKEND;
  }

  /**
   * {@code out[outOff + i] = x[xOff + i] * scale + shift} (one rounding, a fused multiply-add)
   * for {@code i < n}: one channel of a normalization's per-channel affine. {@code out} may be
   * {@code x} at the same offset.
   */
  public static void scaleShift(float[] x, int xOff, float scale, float shift, float[] out,
      int outOff, int n) {
    Objects.checkFromIndexSize(xOff, n, x.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
    BACKEND.scaleShift(x, xOff, scale, shift, out, outOff, n);
  }

  /** The sum of {@code (x[off + i] - mean)^2} over {@code n} values; 0 when {@code n} is 0. */
  public static float sumSquaredDeviations(float[] x, int off, float mean, int n) {
    Objects.checkFromIndexSize(off, n, x.length);
    return BACKEND.sumSquaredDeviations(x, off, mean, n);
  }

  /**
   * One LSTM step for one row of a batch, gates in PyTorch's order i, f, g, o:
   *
   * <pre>
   * i = sigmoid(gates_i + hg_i)   f = sigmoid(gates_f + hg_f)
   * g = tanh(gates_g + hg_g)      o = sigmoid(gates_o + hg_o)
   * c = f * c + i * g             h = o * tanh(c)
   * </pre>
   *
   * @param n the hidden size
   * @param gates {@code 4n} values of {@code x W_ih^T + b_ih}, overwritten with i, f, g, o
   *     (what a backward pass needs)
   * @param hg {@code 4n} values of {@code h_{t-1} W_hh^T + b_hh}, read only
   * @param c {@code n} values, {@code c_{t-1}} in, {@code c_t} out
   * @param h {@code n} values, {@code h_t} out; must not overlap the others
   */
  public static void lstmCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] c,
      int cOff, float[] h, int hOff) {
    Objects.checkFromIndexSize(gOff, 4 * n, gates.length);
    Objects.checkFromIndexSize(hgOff, 4 * n, hg.length);
    Objects.checkFromIndexSize(cOff, n, c.length);
    Objects.checkFromIndexSize(hOff, n, h.length);
    BACKEND.lstmCell(n, gates, gOff, hg, hgOff, c, cOff, h, hOff);
  }

  /**
   * One GRU step for one row of a batch, gates in PyTorch's order r, z, n, the reset applied
   * to the hidden term including its bias:
   *
   * <pre>
   * r = sigmoid(gates_r + hg_r)   z = sigmoid(gates_z + hg_z)
   * n = tanh(gates_n + r * hg_n)  h = (1 - z) * n + z * hPrev  (computed as n + z * (hPrev - n))
   * </pre>
   *
   * @param n the hidden size
   * @param gates {@code 3n} values of {@code x W_ih^T + b_ih}, overwritten with r, z, n
   * @param hg {@code 3n} values of {@code h_{t-1} W_hh^T + b_hh}, read only
   * @param hPrev {@code n} values of {@code h_{t-1}}
   * @param h {@code n} values, {@code h_t} out; must not overlap {@code gates} or {@code hg}
   */
  public static void gruCell(int n, float[] gates, int gOff, float[] hg, int hgOff,
      float[] hPrev, int hpOff, float[] h, int hOff) {
    Objects.checkFromIndexSize(gOff, 3 * n, gates.length);
    Objects.checkFromIndexSize(hgOff, 3 * n, hg.length);
    Objects.checkFromIndexSize(hpOff, n, hPrev.length);
    Objects.checkFromIndexSize(hOff, n, h.length);
    BACKEND.gruCell(n, gates, gOff, hg, hgOff, hPrev, hpOff, h, hOff);
  }

  /** C must fit and have disjoint rows; the bias must hold {@code n} values. */
  private static void checkOutput(int m, int n, float[] c, int cOff, int ldc, float[] bias,
      int biasOff) {
    checkMatrix("c", c, cOff, m, n, ldc);
    if (m > 1 && ldc < n) {
      throw new IllegalArgumentException(
          "gemm: the row stride of c (" + ldc + ") is less than its " + n + " columns");
    }
    if (bias != null) {
      Objects.checkFromIndexSize(biasOff, n, bias.length);
    }
  }

  static void checkMatrix(String name, float[] x, int off, int rows, int cols, int ld) {
    if (rows == 0 || cols == 0) {
      return;
    }
    long end = off + (rows - 1) * (long) ld + cols;
    if (off < 0 || ld < 0 || end > x.length) {
      throw new IndexOutOfBoundsException("gemm: " + name + " (" + rows + " x " + cols
          + ", offset " + off + ", row stride " + ld + ") does not fit in an array of length "
          + x.length);
    }
  }

  private static void checkNonEmpty(int off, int n, int length) {
    if (n < 1) {
      throw new IllegalArgumentException("max/min of no values");
    }
    Objects.checkFromIndexSize(off, n, length);
  }
}
