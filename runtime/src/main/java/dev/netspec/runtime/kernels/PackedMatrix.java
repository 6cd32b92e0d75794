package dev.netspec.runtime.kernels;

import java.util.Arrays;

/**
 * A {@code k x n} right-hand GEMM operand packed once into the layout the GEMM micro-kernel
 * reads: column panels of {@link #panelWidth()} columns, each a dense row-major {@code k x
 * width} block, the last one padded with zeros. A Linear layer packs its {@code [out, in]}
 * weight this way ({@code transposed}), so a forward reads it at unit stride and never
 * copies it again.
 *
 * <p>A last panel of at most {@code width / 2} columns is packed half as wide (its row stride
 * is {@code width / 2}), so a narrow layer such as a 10-class head takes half the memory and
 * cache: {@link #panelStride}.
 *
 * <p>A packed matrix is a snapshot: after the source values change, {@link #repack} it (the
 * runtime's {@code PackedWeight} does so when the weight tensor's version changes).
 */
public final class PackedMatrix {
  private final int k;
  private final int n;
  private final int width;
  private final float[] data;
  /** Where panel 0 starts in {@link #data}: a 64-byte boundary, if {@link AlignedSlab} can. */
  private final int start;

  private PackedMatrix(int k, int n, int width) {
    this.k = k;
    this.n = n;
    this.width = width;
    int panels = panels(n, width);
    long floats = panels == 0 ? 0
        : (long) (panels - 1) * k * width + (long) k * panelStride(n, width, panels - 1);
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

  /** Packs new values of the same shape into this matrix, in place (no allocation). */
  public void repack(float[] b, int off, int ld, boolean transposed) {
    Kernels.checkMatrix("b", b, off, transposed ? n : k, transposed ? k : n, ld);
    for (int j = 0; j < n; j += width) {
      packPanel(b, off, ld, transposed, j, Math.min(width, n - j), k,
          panelStride(j / width), data, panelOffset(j / width));
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

  /**
   * The row stride of panel {@code q}: {@link #panelWidth()}, or half of it for a last panel of
   * at most that many columns.
   */
  int panelStride(int q) {
    return panelStride(n, width, q);
  }

  /** op(B)[p][j], for tests and the scalar kernel. */
  float get(int p, int j) {
    int q = j / width;
    return data[panelOffset(q) + p * panelStride(q) + j % width];
  }

  static int panels(int n, int width) {
    return (n + width - 1) / width;
  }

  /**
   * The row stride of panel {@code q} of an {@code n}-column operand packed in panels of
   * {@code width}: the last panel is half as wide when it holds at most {@code width / 2}
   * columns. Per-call packing follows the same rule.
   */
  static int panelStride(int n, int width, int q) {
    int cols = n - q * width;
    return cols <= width / 2 ? width / 2 : width;
  }

  /**
   * Copies columns {@code j0 .. j0 + cols} of op(B) into {@code panel} at {@code at} as a
   * row-major {@code k x width} block, zero-padding columns {@code cols .. width}. A
   * transposed B is read one contiguous row at a time.
   */
  static void packPanel(float[] b, int off, int ld, boolean transposed, int j0, int cols, int k,
      int width, float[] panel, int at) {
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
    // In blocks of 16 rows of the panel (2 KiB at 32 columns), so the strided writes stay in
    // L1 while each row of B is read a cache line at a time.
    for (int p0 = 0; p0 < k; p0 += 16) {
      int p1 = Math.min(k, p0 + 16);
      for (int jj = 0; jj < cols; jj++) {
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

  @Override
  public String toString() {
    return "PackedMatrix(" + k + " x " + n + ", panels of " + width + ")";
  }
}
