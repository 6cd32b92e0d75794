package dev.netspec.runtime.kernels;

/**
 * A left-hand GEMM operand A ({@code m x k}) kept for many products, as {@link PackedMatrix}
 * keeps a right-hand one: a row-major copy, and, for the vector backend, its whole 8-row
 * tiles packed in the layout the GEMM's register tile reads, so a product against many
 * right-hand sides (a convolution's filters against every chunk of image patches) does not
 * pack A again each time.
 *
 * <p>A snapshot: after the source values change, {@link #repack} it.
 */
public final class PackedRows {
  private final int m;
  private final int k;
  private final float[] rows; // (m, k)
  private float[] tiles; // the backend's packed tiles, or null

  private PackedRows(int m, int k) {
    this.m = m;
    this.k = k;
    this.rows = new float[Math.multiplyExact(m, k)];
  }

  /** Packs A, {@code m x k}, row {@code i} at {@code a[off + i * lda ..]}. */
  public static PackedRows pack(int m, int k, float[] a, int off, int lda) {
    if (m < 0 || k < 0) {
      throw new IllegalArgumentException("packed rows sizes must not be negative: m=" + m
          + ", k=" + k);
    }
    PackedRows p = new PackedRows(m, k);
    p.repack(a, off, lda);
    return p;
  }

  /** Packs new values of the same shape into this operand, in place. */
  public void repack(float[] a, int off, int lda) {
    Kernels.checkMatrix("a", a, off, m, k, lda);
    for (int i = 0; i < m; i++) {
      System.arraycopy(a, off + i * lda, rows, i * k, k);
    }
    tiles = Kernels.packRows(m, k, rows, tiles);
  }

  /** Rows of A: the GEMM's output height. */
  public int rows() {
    return m;
  }

  /** Columns of A: the GEMM's reduction length. */
  public int columns() {
    return k;
  }

  float[] data() {
    return rows;
  }

  float[] tiles() {
    return tiles;
  }

  @Override
  public String toString() {
    return "PackedRows(" + m + " x " + k + ")";
  }
}
