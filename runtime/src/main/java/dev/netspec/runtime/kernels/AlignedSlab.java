package dev.netspec.runtime.kernels;

/**
 * Storage for packed matrices whose vector loads should each read one 64-byte cache line.
 *
 * <p>Java cannot ask where an array lives, and the JVM only promises 8-byte alignment, so a
 * 512-bit load from an arbitrary {@code float[]} usually straddles two cache lines, and on the
 * kernels whose loads outnumber their FMAs (batches of 1 and 2) that costs up to twice the
 * time. But G1, HotSpot's default collector, places a humongous array (at least half a heap
 * region: 1 MiB with the 2 MiB regions of a heap of a few GiB) at the start of a region and
 * never moves it, and the elements of a {@code float[]} start 16 bytes after the array (the
 * default object header). So the offsets 12, 28, 44, ... of such an array are 64-byte
 * aligned.
 *
 * <p>A matrix of {@link #SHARED_MAX} floats (2 MiB) or more gets an array of its own (humongous
 * for regions of up to 4 MiB). Smaller ones share slabs of {@link #SLAB} floats (4 MiB,
 * humongous for regions of up to 8 MiB), each at an aligned offset. A slab lives as long as a
 * matrix in it does; only the slab being filled is held here. Where the premise does not hold
 * (another collector, larger regions, compact object headers), matrices are merely
 * unaligned: the results never depend on where the data lies, only the speed does.
 */
final class AlignedSlab {
  /** Floats from an array's first element to the first 64-byte aligned one (assumed). */
  static final int FIRST_ALIGNED = 12;
  /** Floats per cache line. */
  private static final int LINE = 16;
  /** Floats per shared slab. */
  static final int SLAB = 1 << 20;
  /** Matrices of this many floats or more get an array of their own. */
  static final int SHARED_MAX = SLAB / 2;

  private static float[] slab; // guarded by AlignedSlab.class
  private static int next; // the next free aligned offset in slab

  private AlignedSlab() {}

  /** Room for {@code size} floats: the array and the aligned offset where they start. */
  static synchronized Slice allocate(int size) {
    if (size >= SHARED_MAX) {
      return new Slice(new float[FIRST_ALIGNED + size], FIRST_ALIGNED);
    }
    if (slab == null || next + size > SLAB) {
      slab = new float[SLAB];
      next = FIRST_ALIGNED;
    }
    Slice s = new Slice(slab, next);
    next += (size + LINE - 1) / LINE * LINE;
    return s;
  }

  /** A region of an array. */
  static final class Slice {
    final float[] array;
    final int offset;

    Slice(float[] array, int offset) {
      this.array = array;
      this.offset = offset;
    }
  }
}
