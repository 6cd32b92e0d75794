package dev.netspec.runtime.kernels;

import java.util.Arrays;

/**
 * A {@code k x n} right-hand GEMM operand packed once into the layout the GEMM micro-kernel
 * reads: column panels of {@link #panelWidth()} columns, each a dense row-major {@code k x
 * width} block, the last one padded with zeros. A Linear layer packs its {@code [out, in]}
 * weight this way ({@code transposed}), so a forward reads it at unit stride and never
 * copies it again.
 *
 * <p>A last panel of at most {@code width / 2} columns (a 10-class head, say) is packed half as
 * wide (its row stride is {@code width / 2}: {@link #panelStride}), or, where the reduction is
 * long enough for it to pay ({@link #isDotPanel}), for dot products: in groups of {@code G}
 * columns ({@link #dotColumns}: 4 or 5), each group a sequence of blocks of {@code lanes}
 * ({@link #dotLanes}) rows of op(B), and in a block each column's {@code lanes} values
 * contiguous. Element {@code (p, c)} of group {@code g} is at {@code g * kPad * G + (p / lanes)
 * * G * lanes + c * lanes + p % lanes}, where {@code kPad} is {@code k} rounded up to a multiple
 * of {@code lanes}; padding is zero. A kernel then multiplies a vector of one row of A by one
 * vector per column, with no broadcasts and few or no lanes spent on missing columns, and sums
 * each column's lanes once at the end.
 *
 * <p>A packed matrix is a snapshot: after the source values change, {@link #repack} it (the
 * runtime's {@code PackedWeight} does so when the weight tensor's version changes).
 */
public final class PackedMatrix {
  /** Floats of op(B) from which {@link #repack} is split across the kernels' threads (1 MiB). */
  static final long PARALLEL_FLOATS = 1L << 18;

  private final int k;
  private final int n;
  private final int width;
  private final float[] data;
  /** Where panel 0 starts in {@link #data}: a 64-byte boundary, if {@link AlignedSlab} can. */
  private final int start;
  private Repacker repacker; // made on the first parallel repack

  private PackedMatrix(int k, int n, int width) {
    this.k = k;
    this.n = n;
    this.width = width;
    int panels = panels(n, width);
    long floats = panels == 0 ? 0
        : (long) (panels - 1) * k * width + panelFloats(n, width, panels - 1, k);
    AlignedSlab.Slice slice = AlignedSlab.allocate(Math.toIntExact(floats));
    this.data = slice.array;
    this.start = slice.offset;
  }

  /**
   * Packs op(B), {@code k x n}: if {@code transposed} is false row {@code p} of op(B) is at
   * {@code b[off + p * ld ..]}; if true, B is stored as its {@code n x k} transpose, row
   * {@code j} at {@code b[off + j * ld ..]} (a Linear weight {@code [out, in]}).
   */
  public static PackedMatrix pack(int k, int n, float[] b, int off, int ld, boolean transposed) {
    if (k < 0 || n < 0) {
      throw new IllegalArgumentException("packed matrix sizes must not be negative: k=" + k
          + ", n=" + n);
    }
    PackedMatrix p = new PackedMatrix(k, n, Kernels.panelWidth());
    p.repack(b, off, ld, transposed);
    return p;
  }

  /**
   * A {@code k x n} operand of zeros, to be filled by a kernel of this package that writes
   * the packed layout directly (a convolution's image patches, {@link Im2col}).
   */
  static PackedMatrix allocate(int k, int n) {
    if (k < 0 || n < 0) {
      throw new IllegalArgumentException("packed matrix sizes must not be negative: k=" + k
          + ", n=" + n);
    }
    return new PackedMatrix(k, n, Kernels.panelWidth());
  }

  /**
   * Packs new values of the same shape into this matrix, in place (no allocation). A matrix of
   * {@value #PARALLEL_FLOATS} floats or more is packed on the kernels' pool, split by panels
   * (a training step repacks each weight after every update). Repacks of one matrix from
   * several threads run one after the other.
   */
  public synchronized void repack(float[] b, int off, int ld, boolean transposed) {
    Kernels.checkMatrix("b", b, off, transposed ? n : k, transposed ? k : n, ld);
    int panels = panels(n, width);
    if (Parallel.threads() > 1 && panels > 1 && (long) k * n >= PARALLEL_FLOATS) {
      if (repacker == null) {
        repacker = new Repacker();
      }
      repacker.run(b, off, ld, transposed, panels);
    } else {
      repack(b, off, ld, transposed, 0, panels);
    }
  }

  /**
   * Rewrites the packed copies of elements {@code [from, to)} of B, stored row-major and not
   * transposed ({@code op(B) = B}, row {@code p} at {@code b[off + p * n ..]}), after they
   * changed; the others, and the zero padding, are left as they are. An optimizer calls it
   * block by block as it updates a weight ({@code Updates.Mirror}), so the packed copy is
   * written while the block is in cache instead of read from memory again by {@link #repack}.
   */
  public void refreshRows(float[] b, int off, int from, int to) {
    Kernels.checkMatrix("b", b, off, k, n, n);
    java.util.Objects.checkFromToIndex(from, to, k * n);
    if (n == 0) {
      return;
    }
    int first = (from + n - 1) / n; // the whole rows [first, last) are copied panel by panel
    int last = to / n;
    if (first >= last) {
      refreshRowParts(b, off, from, to);
      return;
    }
    refreshRowParts(b, off, from, first * n);
    for (int q = 0; q * width < n; q++) {
      int at = panelOffset(q) + first * width;
      if (n - q * width >= width && !isDotPanel(q)) {
        Kernels.copyPanel(b, off + first * n + q * width, n, last - first, width, data, at);
      } else {
        refreshRowParts(b, off, first * n + q * width, Math.min((first + 1) * n,
            (q + 1) * width + first * n));
        for (int p = first + 1; p < last; p++) {
          refreshRowParts(b, off, p * n + q * width, Math.min((p + 1) * n,
              (q + 1) * width + p * n));
        }
      }
    }
    refreshRowParts(b, off, last * n, to);
  }

  /** {@link #refreshRows} element by element within each row (parts of rows, short panels). */
  private void refreshRowParts(float[] b, int off, int from, int to) {
    for (int p = from / n; p < k && p * n < to; p++) {
      int j0 = Math.max(from - p * n, 0);
      int j1 = Math.min(to - p * n, n);
      int row = off + p * n;
      for (int q = j0 / width; q * width < j1; q++) {
        int c0 = Math.max(j0, q * width);
        int c1 = Math.min(j1, (q + 1) * width);
        if (isDotPanel(q)) {
          int g = dotColumns(n - q * width);
          for (int j = c0; j < c1; j++) {
            data[panelOffset(q) + dotIndex(p, j - q * width, g, k, width)] = b[row + j];
          }
        } else {
          System.arraycopy(b, row + c0, data, panelOffset(q) + p * panelStride(q) + c0 - q * width,
              c1 - c0);
        }
      }
    }
  }

  /** Panels {@code [q0, q1)} of {@link #repack}. */
  private void repack(float[] b, int off, int ld, boolean transposed, int q0, int q1) {
    for (int q = q0; q < q1; q++) {
      packPanel(b, off, ld, transposed, n, q, k, width, data, panelOffset(q));
    }
  }

  /** The body of a parallel {@link #repack}, made once per matrix (a lambda would allocate). */
  private final class Repacker implements Parallel.Range {
    private float[] b;
    private int off;
    private int ld;
    private boolean transposed;

    void run(float[] b, int off, int ld, boolean transposed, int panels) {
      this.b = b;
      this.off = off;
      this.ld = ld;
      this.transposed = transposed;
      try {
        Parallel.forRanges(panels, this);
      } finally {
        this.b = null;
      }
    }

    @Override
    public void run(int from, int to) {
      repack(b, off, ld, transposed, from, to);
    }
  }

  /** Rows of op(B): the GEMM's reduction length. */
  public int rows() {
    return k;
  }

  /** Columns of op(B): the GEMM's output width. */
  public int columns() {
    return n;
  }

  /** Columns per panel (twice the vector length of the backend that packed it). */
  public int panelWidth() {
    return width;
  }

  /**
   * The array holding the panels, from {@link #panelOffset(int) panelOffset(0)}; other
   * matrices may share it.
   */
  float[] data() {
    return data;
  }

  /** Where panel {@code q} (columns {@code q * width ..}) starts in {@link #data()}. */
  int panelOffset(int q) {
    return start + q * k * width;
  }

  /** Whether panel {@code q} is packed for dot products (see the class comment). */
  boolean isDotPanel(int q) {
    return isDotPanel(n, width, q, k);
  }

  /**
   * The row stride of panel {@code q}, unless it is a dot panel: {@link #panelWidth()}, or half
   * of it for a last panel of at most that many columns.
   */
  int panelStride(int q) {
    return panelStride(n, width, q);
  }

  /** op(B)[p][j], for tests and the scalar kernel. */
  float get(int p, int j) {
    int q = j / width;
    int c = j % width;
    if (!isDotPanel(q)) {
      return data[panelOffset(q) + p * panelStride(q) + c];
    }
    return data[panelOffset(q) + dotIndex(p, c, dotColumns(n - q * width), k, width)];
  }

  static int panels(int n, int width) {
    return (n + width - 1) / width;
  }

  /**
   * The row stride of panel {@code q} of an {@code n}-column operand packed in panels of
   * {@code width}, unless it is a dot panel: the last panel is half as wide when it holds at
   * most {@code width / 2} columns. Per-call packing follows the same rules.
   */
  static int panelStride(int n, int width, int q) {
    int cols = n - q * width;
    return cols <= width / 2 ? width / 2 : width;
  }

  /**
   * Whether panel {@code q} of a {@code k x n} operand packed in panels of {@code width} is
   * packed for dot products: a last panel of at most {@code width / 2} columns whose reduction
   * is long enough for the dot tile to beat the half-wide tile. Per row of A and row of op(B),
   * the half-wide tile costs about 9/8 of a cycle on Zen 4 (one vector of FMAs, its
   * broadcasts), the dot tile {@code slots / lanes} (its padded columns' FMAs), and the dot
   * tile's lane sums about 10 cycles per padded column; so dot products pay from {@code k *
   * (9/8 - slots / lanes) >= 10 * slots}: 46 rows for 4 columns, 62 for 5, 200 for 10, 320 for
   * 12 (all as measured). Not past 3/4 of the lanes: 16 columns lost at every {@code k} tried.
   */
  static boolean isDotPanel(int n, int width, int q, int k) {
    int cols = n - q * width;
    int lanes = dotLanes(width);
    long slots = dotSlots(cols);
    return cols <= lanes && 4 * slots <= 3L * lanes
        && (long) k * (9L * lanes - 8 * slots) >= 80L * lanes * slots;
  }

  /** Rows of op(B) per block of a dot panel: one vector ({@code width / 2}). */
  static int dotLanes(int width) {
    return width / 2;
  }

  /**
   * Columns per group of a dot panel of {@code cols} columns: 4 or 5, whichever pads fewer
   * columns (5 on a tie), so 10 columns are 2 groups of 5 and 16 are 4 groups of 4.
   */
  static int dotColumns(int cols) {
    return (cols + 3) / 4 * 4 < (cols + 4) / 5 * 5 ? 4 : 5;
  }

  /** The columns of a dot panel of {@code cols} columns, padded to whole groups. */
  static int dotSlots(int cols) {
    int g = dotColumns(cols);
    return (cols + g - 1) / g * g;
  }

  /**
   * Where element {@code (p, c)} of a dot panel with groups of {@code g} columns lies, from
   * the panel's start (see the class comment).
   */
  private static int dotIndex(int p, int c, int g, int k, int width) {
    int lanes = dotLanes(width);
    return c / g * dotRows(k, width) * g + p / lanes * g * lanes + c % g * lanes + p % lanes;
  }

  /** The reduction length of a dot panel, rounded up to whole blocks of {@link #dotLanes}. */
  static int dotRows(int k, int width) {
    int lanes = dotLanes(width);
    return (k + lanes - 1) / lanes * lanes;
  }

  /** Floats that panel {@code q} takes: {@code k} rows of its stride, or a dot panel. */
  static long panelFloats(int n, int width, int q, int k) {
    if (!isDotPanel(n, width, q, k)) {
      return (long) k * panelStride(n, width, q);
    }
    return (long) dotSlots(n - q * width) * dotRows(k, width);
  }

  /**
   * Packs panel {@code q} of op(B), {@code k x n}, into {@code panel} at {@code at}: a dot panel
   * ({@link #isDotPanel}) or a row-major {@code k x stride} block ({@link #panelStride}),
   * zero-padding the columns past {@code n}. A transposed B is read one contiguous row at a
   * time.
   */
  static void packPanel(float[] b, int off, int ld, boolean transposed, int n, int q, int k,
      int width, float[] panel, int at) {
    int j0 = q * width;
    int cols = Math.min(width, n - j0);
    if (isDotPanel(n, width, q, k)) {
      packDots(b, off, ld, transposed, j0, cols, k, width, panel, at);
      return;
    }
    packRows(b, off, ld, transposed, j0, cols, k, panelStride(n, width, q), panel, at);
  }

  /**
   * Columns {@code 0 .. kc} of 8 rows of A (from {@code s0}, row stride {@code lda}), column
   * {@code p} as 8 adjacent floats at {@code d + p * step}: eight sequential reads, one write
   * stream. A tile's strip ({@code step} 8), 8 rows of a transpose ({@link
   * Kernels#transpose}), or 8 columns of a panel packed from a transposed B. Here, not in {@link
   * RowTiles}, so the scalar backend can run it without the Vector API.
   */
  static void columns8(float[] a, int s0, int lda, int kc, float[] ap, int d, int step) {
    int s1 = s0 + lda;
    int s2 = s1 + lda;
    int s3 = s2 + lda;
    int s4 = s3 + lda;
    int s5 = s4 + lda;
    int s6 = s5 + lda;
    int s7 = s6 + lda;
    for (int p = 0; p < kc; p++, d += step) {
      ap[d] = a[s0 + p];
      ap[d + 1] = a[s1 + p];
      ap[d + 2] = a[s2 + p];
      ap[d + 3] = a[s3 + p];
      ap[d + 4] = a[s4 + p];
      ap[d + 5] = a[s5 + p];
      ap[d + 6] = a[s6 + p];
      ap[d + 7] = a[s7 + p];
    }
  }

  /**
   * Copies columns {@code j0 .. j0 + cols} of op(B) into {@code panel} at {@code at} as a
   * row-major {@code k x width} block, zero-padding columns {@code cols .. width}.
   */
  private static void packRows(float[] b, int off, int ld, boolean transposed, int j0,
      int cols, int k, int width, float[] panel, int at) {
    if (!transposed && cols == width) {
      Kernels.copyPanel(b, off + j0, ld, k, width, panel, at);
      return;
    }
    if (!transposed) {
      for (int p = 0; p < k; p++) {
        int dst = at + p * width;
        System.arraycopy(b, off + p * ld + j0, panel, dst, cols);
        if (cols < width) {
          Arrays.fill(panel, dst + cols, dst + width, 0f);
        }
      }
      return;
    }
    // Eight columns of the panel (rows of B as stored) at a time, each step of p written as 8
    // adjacent floats (columns8, as Kernels.transpose), in blocks of 64 rows of the
    // panel (8 KiB at 32 columns) that stay in L1 while each group of 8 fills its part: one
    // float a write, each to another row of the panel, was 8% of the Fashion CNN's training
    // step (its gradients, packed transposed for dW^T). The columns past the last 8 in blocks
    // of 16 rows of the panel, so the strided writes stay in L1 while each row of B is read a
    // cache line at a time.
    int whole = cols - cols % 8;
    for (int p0 = 0; p0 < k && whole > 0; p0 += 64) {
      int rows = Math.min(64, k - p0);
      for (int jj = 0; jj < whole; jj += 8) {
        columns8(b, off + (j0 + jj) * ld + p0, ld, rows, panel, at + p0 * width + jj,
            width);
      }
    }
    for (int p0 = 0; p0 < k; p0 += 16) {
      int p1 = Math.min(k, p0 + 16);
      for (int jj = whole; jj < cols; jj++) {
        int row = off + (j0 + jj) * ld;
        for (int p = p0; p < p1; p++) {
          panel[at + p * width + jj] = b[row + p];
        }
      }
      for (int p = p0; p < p1; p++) {
        Arrays.fill(panel, at + p * width + cols, at + (p + 1) * width, 0f);
      }
    }
  }

  /** Packs {@code cols} columns from {@code j0} as a dot panel (see the class comment). */
  private static void packDots(float[] b, int off, int ld, boolean transposed, int j0, int cols,
      int k, int width, float[] panel, int at) {
    int g = dotColumns(cols);
    Arrays.fill(panel, at, at + dotSlots(cols) * dotRows(k, width), 0f);
    for (int jj = 0; jj < cols; jj++) {
      for (int p = 0; p < k; p++) {
        float v = transposed ? b[off + (j0 + jj) * ld + p] : b[off + p * ld + j0 + jj];
        panel[at + dotIndex(p, jj, g, k, width)] = v;
      }
    }
  }

  @Override
  public String toString() {
    return "PackedMatrix(" + k + " x " + n + ", panels of " + width + ")";
  }
}
