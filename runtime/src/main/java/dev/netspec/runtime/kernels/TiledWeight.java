package dev.netspec.runtime.kernels;

/**
 * A weight used as a GEMM's left-hand operand A ({@code m x k}, row-major at offset 0 of its
 * array) whose whole row tiles are kept packed as the GEMM's register tile reads them, so a
 * product with it need not pack them on every call ({@link Kernels#gemm(float[], TiledWeight,
 * PackedMatrix, float[], int, int, float[], int, Activation)}). Unlike {@link PackedRows} it
 * keeps no copy of the rows: the GEMM reads the rows past the last whole tile from the weight
 * itself. A training step's forward computes {@code y^T = W @ x^T} this way, and the
 * optimizer rewrites the tiles block by block as it updates the weight ({@link #refresh}),
 * while the block is still in cache, instead of the forward packing all of W again.
 *
 * <p>A snapshot, as a {@link PackedMatrix} is: after the weight changes, {@link #pack} it again
 * or {@link #refresh} the changed elements. On the scalar backend there is nothing to pack.
 */
public final class TiledWeight {
  /** Whether the kernels pack tiles at all (decided once; asked on every training forward). */
  private static final boolean VECTOR = Kernels.backend().startsWith("vector");

  private final int m;
  private final int k;
  private float[] tiles; // the backend's packed tiles (VectorGemm.packRows), or null

  private TiledWeight(int m, int k) {
    this.m = m;
    this.k = k;
  }

  /** An operand for an {@code m x k} weight; {@link #pack} it before use. */
  public static TiledWeight of(int m, int k) {
    if (m < 0 || k < 0) {
      throw new IllegalArgumentException("tiled weight sizes must not be negative: m=" + m
          + ", k=" + k);
    }
    return new TiledWeight(m, k);
  }

  /** Packs every whole row tile of {@code a} ({@code m x k}, row-major from index 0). */
  public void pack(float[] a) {
    Kernels.checkMatrix("a", a, 0, m, k, k);
    tiles = Kernels.packRows(m, k, a, tiles);
  }

  /**
   * Rewrites the packed copies of elements {@code [from, to)} of {@code a} (row-major, {@code
   * m x k} from index 0), after they changed; the others are left as they are.
   */
  public void refresh(float[] a, int from, int to) {
    if (tiles != null) {
      Kernels.checkMatrix("a", a, 0, m, k, k);
      java.util.Objects.checkFromToIndex(from, to, m * k);
      TileRefresh.refresh(m, k, a, from, to, tiles);
    }
  }

  /**
   * Elements per block for an optimizer's update that {@link #refresh}es a {@code k}-column
   * weight as it goes ({@code Updates.Mirror#block}): whole row tiles, about {@code
   * Updates.BLOCK} elements, so each tile is packed from rows just updated, in one pass. Every
   * packed copy of one weight asks for this size, whether or not it holds tiles, so that all
   * the copies are told of the same update.
   */
  public static int refreshBlock(int k) {
    return VECTOR ? TileRefresh.block(k) : Updates.BLOCK;
  }

  /**
   * Whether a product of this weight against {@code n} columns reads the packed tiles at all
   * (on the scalar backend, or against a few columns, the GEMM reads A in place: keeping the
   * tiles current would be wasted work).
   */
  public static boolean usedFor(int m, int n) {
    return VECTOR && TileRefresh.usedFor(m, n);
  }

  /** Rows of the weight: the product's output height. */
  public int rows() {
    return m;
  }

  /** Columns of the weight: the product's reduction length. */
  public int columns() {
    return k;
  }

  float[] tiles() {
    return tiles;
  }

  @Override
  public String toString() {
    return "TiledWeight(" + m + " x " + k + ")";
  }
}
