package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector GEMM: {@code C = act(A @ op(B) + bias)}, row-major.
 *
 * <p>op(B) is read as column panels {@code NR = 2} vectors wide, each a dense row-major
 * {@code k x NR} block: a {@link PackedMatrix} (packed once, e.g. a Linear weight) or panels
 * packed per call into a per-thread scratch array. The loops follow GotoBLAS: for each block
 * of {@code KC} rows of op(B) and each block of up to 16 row tiles of A, the row tiles of A
 * are packed into dense strips, then every panel runs over them while its {@code KC x NR}
 * slice stays in L2. The register tile is {@code MR x NR} ({@link RowTiles}: 8 rows where
 * the vectors are 512 bits wide, 6 where they are narrower and the registers fewer); the last
 * rows use 4-row (also for 3 and 5 rows), 2- and 1-row tiles that read A in place ({@link
 * EdgeTiles}). Products with few panels (n up to 96) skip packing A; so do the 8-row tiles of
 * 512-bit vectors over up to 48 panels unless A's row stride is a multiple of 1,024 floats
 * ({@link #skipsPackingA}); of those, products of 48 panels (BERT's 128 x 1536 x 384) take
 * 12-row tiles from strips of A packed per reduction block ({@link TallTiles}), which ask for
 * a cold weight's bytes at two thirds of the 8-row tile's rate.
 *
 * <p>Batches of 1 and 2 take a wide tile (1 or 2 rows x 4 panels, the epilogue on its
 * registers) over the whole reduction, and a narrow last panel a one-vector tile with the
 * reduction in 4 interleaved phases. A product with a raw transposed B (not a {@link
 * PackedMatrix}) and fewer than 4 rows is done as dot products reading B in place ({@link
 * DotTiles#dotRows}). Bias and activation are applied to each finished tile while it is in
 * L1 (the fused epilogue). A partial last panel is zero-padded and its tile goes through a
 * small scratch block, so no kernel needs masks; a last panel of at most one vector's columns
 * is packed one vector wide ({@link PackedMatrix#panelStride}) and read by one-vector tiles,
 * or, with a reduction long enough ({@link PackedMatrix#isDotPanel}: from 200 rows for a
 * 10-class head), packed for dot products and computed by {@link DotTiles#dotPanel}: vectors
 * along the reduction, no broadcasts, no lanes spent on missing columns.
 *
 * <p>Every element of C is one FMA chain over the reduction, in order, whatever the tile,
 * the blocking or the thread that computes it (only the narrow tiles split it, and they are
 * chosen by shape alone), so results do not depend on the thread count; nor on the batch,
 * except in a one-vector-wide last panel at batches of 1 and 2. Large products run
 * on {@link Parallel}'s pool, split by column panels, after the tiles of A have been packed
 * once for all of them (each thread would otherwise pack all of A); dot products against a
 * large weight are split by groups of its rows. Steady-state calls allocate nothing, on one
 * thread or several: scratch arrays and the body of a parallel call are per thread and
 * reused, and no vector is merged from two branches (C2 would box it).
 */
final class VectorGemm {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  /** Columns per panel. */
  static final int NR = 2 * L;
  /** Rows of the main register tile: {@link RowTiles#MR}. */
  private static final int MR = RowTiles.MR;
  /**
   * Rows of a panel's reduction block: a KC x NR slice is 128 KiB with 512-bit vectors, read
   * from L2 by every row tile. Taller blocks mean fewer passes over C (each pass loads and
   * stores the whole tile); on a 32 KiB-L1 core (Zen 4) 1024 ran 1.07-1.11x faster than 256
   * (a slice in L1) on the 784-1024-1024-10 MLP at batches 32 and 256. With narrower vectors
   * (AVX2) and the 6-row tile, 256 (a 16 KiB slice and the 6 KiB strip of A both in L1) ran
   * ResNet-18's 3x3 convolutions at batch 8 1.0-1.2x as fast as 512 and the MLP at batch 64
   * as fast (AMD EPYC, busy guest, CPU-time A/B).
   */
  static final int KC = VectorBackend.SPECIES.length() >= 16 ? 1024 : 256;
  /** Floats of A per row block (1 MiB): the block stays in L2 while the panels pass. */
  private static final int A_BLOCK_FLOATS = 1 << 18;
  /**
   * Floats of op(B) packed per chunk in a call without a {@link PackedMatrix} (8 MiB): A is
   * packed again for every chunk, so a 2048 x 2048 B in 2 MiB chunks cost 1.09-1.11x.
   */
  private static final int CHUNK_FLOATS = 1 << 21;
  /**
   * Rows of A per packed block, 16 row tiles: 128 x KC floats (512 KiB) with row tiles, 96
   * x KC with 6-row ones, in L2 beside a panel's slice.
   */
  static final int MC_PACKED = 16 * MR;
  /** Panels of op(B) from which packing the tiles of A pays for itself. */
  static final int PACK_A_PANELS = 4;
  static final int IN_PLACE_PANELS = 48;
  /** Rows of A below which a product with a transposed B is done as dot products. */
  static final int SMALL_M = 4;
  /**
   * Floats of A packed once per call and shared by the threads of a parallel product (8 MiB);
   * past it, each thread packs the blocks of A it needs itself.
   */
  private static final int SHARED_A_FLOATS = 1 << 21;
  /** Weight rows per dot-product group ({@link DotTiles#dotRows} takes 8 rows, or 4, at a time). */
  private static final int DOT_GROUP = 8;
  /**
   * Weight elements (1 MiB) from which a product of fewer than {@link #SMALL_M} rows is split
   * across threads: it is bound by reading the weights, not by its multiply-adds.
   */
  static final long PARALLEL_WEIGHTS = 1L << 18;
  /** Multiply-adds from which a product is worth splitting across threads. */
  static final long PARALLEL_WORK = 1L << 21;


  static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private VectorGemm() {}

  /** Per-thread buffers, made once and grown when a larger panel needs it. */
  static final class Scratch {
    final float[] edge = new float[MR * NR]; // (MR, NR): the C tile of a partial panel
    final float[] bias = new float[NR]; // the bias of a partial panel, zero-padded
    final float[] dots = new float[10]; // the results of dot2x4, dot1x8 and the dot tiles
    final float[] lanes = new float[10 * L]; // their accumulators
    float[] panels = new float[0]; // (count, k, NR): panels of op(B), packed per call

    float[] packedA = new float[0]; // row tiles of A, packed per reduction block
    float[] sharedA = new float[0]; // all of A packed by a parallel call, read by every thread
    final Task task = new Task(); // this thread's parallel calls

    float[] packedA(int size) {
      return packedA = atLeast(packedA, size);
    }

    float[] sharedA(int size) {
      return sharedA = atLeast(sharedA, size);
    }

    float[] panels(long floats) {
      return panels = atLeast(panels, Math.toIntExact(floats));
    }

    /** {@code buffer}, or a larger replacement when it holds fewer than {@code size} floats. */
    private static float[] atLeast(float[] buffer, int size) {
      return buffer.length < size ? new float[size] : buffer;
    }
  }

  /** {@code C = act(A @ op(B) + bias)} with op(B) read from {@code b}, packed per panel. */
  static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, boolean transB, float[] c, int cOff, int ldc, float[] bias, int biasOff,
      Activation act) {
    if (m == 0 || n == 0) {
      return;
    }
    if (transB && m < SMALL_M) {
      // A few rows against a [n, k] weight: dot products read it in place, no packing. Bound
      // by reading the weight, so worth splitting by weight rows (in groups of 8, as one
      // thread computes them) from far less work than a product.
      int groups = (n + DOT_GROUP - 1) / DOT_GROUP;
      if (Parallel.threads() > 1 && groups > 1 && (long) n * k >= PARALLEL_WEIGHTS) {
        Task t = SCRATCH.get().task;
        t.set(Task.DOTS, m, n, k, a, aOff, lda, null, b, bOff, ldb, true, null, c, cOff, ldc,
            bias, biasOff, act);
        t.runOnPool(groups);
      } else {
        DotTiles.dotRows(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, bias, biasOff,
            act == Activation.RELU);
        GemmEpilogue.geluIf(act, m, n, c, cOff, ldc);
      }
      return;
    }
    int panels = PackedMatrix.panels(n, NR);
    if (parallel(m, n, k, panels)) {
      Task t = SCRATCH.get().task;
      t.set(Task.RAW, m, n, k, a, aOff, lda, packShared(m, n, k, a, aOff, lda), b, bOff, ldb,
          transB, null, c, cOff, ldc, bias, biasOff, act);
      t.runOnPool(panels);
    } else {
      rawPanels(m, n, k, a, aOff, lda, null, b, bOff, ldb, transB, c, cOff, ldc, bias, biasOff,
          act, 0, panels);
    }
  }

  /**
   * {@code C = act(A @ B + bias)} with B packed once; {@code packedA}, if not null, is A's
   * whole row tiles packed once by {@link #packRows} (a convolution's filters), read instead
   * of packing them on every call.
   */
  static void gemm(int m, float[] a, int aOff, int lda, float[] packedA, PackedMatrix b,
      float[] c, int cOff, int ldc, float[] bias, int biasOff, Activation act) {
    int n = b.columns();
    int k = b.rows();
    if (m == 0 || n == 0) {
      return;
    }
    int panels = PackedMatrix.panels(n, NR);
    if (parallel(m, n, k, panels)) {
      Task t = SCRATCH.get().task;
      t.set(Task.PACKED, m, n, k, a, aOff, lda,
          packedA != null ? packedA : packShared(m, n, k, a, aOff, lda), null, 0, 0,
          true, b, c, cOff, ldc, bias, biasOff, act);
      t.runOnPool(panels);
    } else {
      packedPanels(m, a, aOff, lda, packedA, b, c, cOff, ldc, bias, biasOff, act, 0, panels);
    }
  }

  /**
   * Every whole row tile of A ({@code m x k}) packed in the layout a parallel product shares
   * ({@link #packShared}), once for many products: {@code packedRowBlocks} reads it in place of
   * packing A per call. Rows past the last whole tile are read from A itself. Reuses {@code
   * into} when it is large enough.
   */
  static float[] packRows(int m, int k, float[] a, int aOff, int lda, float[] into) {
    int tiles = m / MR;
    int size = tiles * RowTiles.STEP * k;
    float[] ap = into != null && into.length >= size ? into : new float[size];
    int kBlocks = (k + KC - 1) / KC;
    int rowBlocks = (tiles * MR + MC_PACKED - 1) / MC_PACKED;
    packSharedBlocks(m, k, a, aOff, lda, ap, 0, rowBlocks * kBlocks);
    return ap;
  }

  /**
   * Whether a product is split across the pool by panels: one with enough multiply-adds, or a
   * product of a few rows against enough weights (bound by reading them, so each thread brings
   * its own share of the memory bandwidth).
   */
  private static boolean parallel(int m, int n, int k, int panels) {
    return Parallel.threads() > 1 && panels > 1 && ((long) m * n * k >= PARALLEL_WORK
        || m < SMALL_M && (long) n * k >= PARALLEL_WEIGHTS);
  }

  /**
   * For a parallel product that packs A ({@link #packedRowBlocks}): every whole row tile of
   * A packed once before the split, into the calling thread's scratch, block by block in the
   * layout each thread would otherwise pack (and again in every thread). The blocks are packed
   * by the pool too (a second hand-off costs little while its workers spin), so the packing is
   * not a serial part of the product. Returns null where A is not packed (read in place, or
   * too few panels) or is too large to pack whole.
   */
  private static float[] packShared(int m, int n, int k, float[] a, int aOff, int lda) {
    int tiles = m / MR;
    if (skipsPackingA(n, lda) || m <= 2 || PackedMatrix.panels(n, NR) < PACK_A_PANELS || tiles == 0
        || (long) tiles * RowTiles.STEP * k > SHARED_A_FLOATS) {
      return null;
    }
    Scratch s = SCRATCH.get();
    float[] ap = s.sharedA(tiles * RowTiles.STEP * k);
    int kBlocks = (k + KC - 1) / KC;
    int rowBlocks = (tiles * MR + MC_PACKED - 1) / MC_PACKED;
    s.task.set(Task.PACK_A, m, 0, k, a, aOff, lda, ap, null, 0, 0, false, null, null, 0, 0, null,
        0, Activation.NONE);
    s.task.runOnPool(rowBlocks * kBlocks);
    return ap;
  }

  /** Blocks {@code [u0, u1)} of a shared packed A (see {@link #packShared}). */
  private static void packSharedBlocks(int m, int k, float[] a, int aOff, int lda, float[] ap,
      int u0, int u1) {
    int kBlocks = (k + KC - 1) / KC;
    for (int u = u0; u < u1; u++) {
      int ib = u / kBlocks * MC_PACKED;
      int kb = u % kBlocks * KC;
      int blockTiles = Math.min(MC_PACKED, m - ib) / MR;
      RowTiles.packA(a, aOff + ib * lda + kb, lda, blockTiles, Math.min(KC, k - kb), ap,
          sharedOffset(ib, k, blockTiles, kb));
    }
  }

  /**
   * The body of a parallel call, one per calling thread and reused (a capturing lambda would
   * allocate on every call): the caller fills it, runs it on the pool and clears it, and the
   * pool's hand-off publishes the fields to the workers.
   */
  private static final class Task implements Parallel.Range {
    static final int DOTS = 0; // dot products, items = groups of DOT_GROUP weight rows
    static final int PACK_A = 1; // shared packing of A, items = (row block, reduction block)
    static final int RAW = 2; // panels of a B packed per call
    static final int PACKED = 3; // panels of a PackedMatrix

    private int kind;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private int aOff;
    private int lda;
    private float[] sharedA;
    private float[] b;
    private int bOff;
    private int ldb;
    private boolean transB;
    private PackedMatrix packed;
    private float[] c;
    private int cOff;
    private int ldc;
    private float[] bias;
    private int biasOff;
    private Activation act;

    void set(int kind, int m, int n, int k, float[] a, int aOff, int lda, float[] sharedA,
        float[] b, int bOff, int ldb, boolean transB, PackedMatrix packed, float[] c, int cOff,
        int ldc, float[] bias, int biasOff, Activation act) {
      this.kind = kind;
      this.m = m;
      this.n = n;
      this.k = k;
      this.a = a;
      this.aOff = aOff;
      this.lda = lda;
      this.sharedA = sharedA;
      this.b = b;
      this.bOff = bOff;
      this.ldb = ldb;
      this.transB = transB;
      this.packed = packed;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
      this.bias = bias;
      this.biasOff = biasOff;
      this.act = act;
    }

    /** Runs items {@code [0, count)} on the pool, then drops the references it was given. */
    void runOnPool(int count) {
      try {
        Parallel.forRanges(count, this);
      } finally {
        a = null;
        sharedA = null;
        b = null;
        packed = null;
        c = null;
        bias = null;
      }
    }

    @Override
    public void run(int from, int to) {
      switch (kind) {
        case DOTS: {
          int j0 = from * DOT_GROUP;
          int j1 = Math.min(n, to * DOT_GROUP);
          DotTiles.dotRows(m, j1 - j0, k, a, aOff, lda, b, bOff + j0 * ldb, ldb, c, cOff + j0, ldc, bias,
              biasOff + j0, act == Activation.RELU);
          GemmEpilogue.geluIf(act, m, j1 - j0, c, cOff + j0, ldc);
          break;
        }
        case PACK_A:
          packSharedBlocks(m, k, a, aOff, lda, sharedA, from, to);
          break;
        case RAW:
          rawPanels(m, n, k, a, aOff, lda, sharedA, b, bOff, ldb, transB, c, cOff, ldc, bias,
              biasOff, act, from, to);
          break;
        default:
          packedPanels(m, a, aOff, lda, sharedA, packed, c, cOff, ldc, bias, biasOff, act,
              from, to);
          break;
      }
    }
  }

  /**
   * Where the tiles of row block {@code ib} (of {@code tiles} whole tiles) for the reduction
   * block from {@code kb} start in a shared packed A: each row block holds its reduction
   * blocks one after another, each as {@link #packA} lays it out.
   */
  static int sharedOffset(int ib, int k, int tiles, int kb) {
    return ib / MR * RowTiles.STEP * k + tiles * RowTiles.STEP * kb;
  }

  private static void rawPanels(int m, int n, int k, float[] a, int aOff, int lda,
      float[] sharedA, float[] b, int bOff, int ldb, boolean transB, float[] c, int cOff, int ldc,
      float[] bias, int biasOff, Activation act, int q0, int q1) {
    Scratch s = SCRATCH.get();
    if (!transB && m < MR) {
      // Each panel is used by one short row tile: read B in place (only a partial panel is
      // copied, as packing would lay it out). The row tile never runs here: it reads packed
      // panels (row stride NR) only.
      for (int q = q0; q < q1; q++) {
        int j = q * NR;
        int cols = Math.min(NR, n - j);
        float[] bp = b;
        int bo = bOff + j;
        int ld = ldb;
        if (cols < NR) {
          bp = s.panels(PackedMatrix.panelFloats(n, NR, q, k));
          PackedMatrix.packPanel(b, bOff, ldb, false, n, q, k, NR, bp, 0);
          bo = 0;
          if (PackedMatrix.isDotPanel(n, NR, q, k)) {
            DotTiles.dotPanel(m, k, a, aOff, lda, bp, 0, c, cOff + j, ldc, cols, bias, biasOff + j,
                act == Activation.RELU, s, SmallPanels.plain(m, n, k, L, cols));
            GemmEpilogue.geluIf(act, m, cols, c, cOff + j, ldc);
            continue;
          }
          ld = PackedMatrix.panelStride(n, NR, q);
        }
        panel(m, k, a, aOff, lda, bp, bo, ld, c, cOff + j, ldc, cols, bias, biasOff + j, act,
            s);
      }
      return;
    }
    // Pack a chunk of panels once, then run every row block of A against it.
    int chunk = Math.max(1, CHUNK_FLOATS / Math.max(1, k * NR));
    for (int qc = q0; qc < q1; qc += chunk) {
      int qe = Math.min(qc + chunk, q1);
      float[] bp = s.panels((long) (qe - qc - 1) * k * NR
          + PackedMatrix.panelFloats(n, NR, qe - 1, k));
      for (int q = qc; q < qe; q++) {
        PackedMatrix.packPanel(b, bOff, ldb, transB, n, q, k, NR, bp, (q - qc) * k * NR);
      }
      rowBlocks(m, n, k, a, aOff, lda, sharedA, bp, -qc * k * NR, c, cOff, ldc, bias, biasOff,
          act, qc, qe, s);
    }
  }

  private static void packedPanels(int m, float[] a, int aOff, int lda, float[] sharedA,
      PackedMatrix b, float[] c, int cOff, int ldc, float[] bias, int biasOff, Activation act,
      int q0, int q1) {
    rowBlocks(m, b.columns(), b.rows(), a, aOff, lda, sharedA, b.data(), b.panelOffset(0), c,
        cOff, ldc, bias, biasOff, act, q0, q1, SCRATCH.get());
  }

  /**
   * Panels {@code [q0, q1)} of C, whose panel {@code q} of op(B) starts at {@code bp[base + q
   * * k * NR]}, one block of rows of A at a time: a block of A ({@code mc x k}, about 1 MiB)
   * stays in L2 while every panel passes. Blocks are multiples of the row tile, so every
   * element of C is computed the same way whatever the blocking.
   */
  private static void rowBlocks(int m, int n, int k, float[] a, int aOff, int lda,
      float[] sharedA, float[] bp, int base, float[] c, int cOff, int ldc, float[] bias,
      int biasOff, Activation act, int q0, int q1, Scratch s) {
    if (q1 > q0 && PackedMatrix.isDotPanel(n, NR, q1 - 1, k)) {
      // A narrow last panel: dot products over all rows, reading A in place.
      q1--;
      int j = q1 * NR;
      DotTiles.dotPanel(m, k, a, aOff, lda, bp, base + q1 * k * NR, c, cOff + j, ldc, n - j, bias,
          biasOff + j, act == Activation.RELU, s, SmallPanels.plain(m, n, k, L, n - j));
      GemmEpilogue.geluIf(act, m, n - j, c, cOff + j, ldc);
    }
    if (m <= 2) {
      // Batches of 1 and 2: groups of 4 whole panels in one wide tile, the rest one by one.
      // Groups start at multiples of 4, so the split does not depend on [q0, q1).
      int q = q0;
      for (; q < q1; q++) {
        int g = q - q % WideTiles.PANELS;
        if (g >= q0 && g + WideTiles.PANELS <= q1 && (g + WideTiles.PANELS) * NR <= n && q == g) {
          WideTiles.wide(m, k, a, aOff, lda, bp, base + q * k * NR, c, cOff + q * NR, ldc, bias,
              biasOff + q * NR, act);
          q += WideTiles.PANELS - 1;
        } else {
          int j = q * NR;
          panel(m, k, a, aOff, lda, bp, base + q * k * NR, PackedMatrix.panelStride(n, NR, q), c,
              cOff + j, ldc,
              Math.min(NR, n - j), bias, biasOff + j, act, s);
        }
      }
      return;
    }
    if (PackedMatrix.panels(n, NR) < PACK_A_PANELS) {
      // Few panels share each row of A: read A in place. A tail of fewer rows than a tile
      // joins the block before it: alone, a block of one or two rows runs the plain-Java
      // tiles of a batch of 1 or 2 (the last of a convolution's 9 weight-gradient rows over
      // 50,176 positions took 4% of the Fashion CNN's training step, JFR).
      int mc = Math.max(MR, A_BLOCK_FLOATS / Math.max(1, k) / MR * MR);
      for (int ib = 0, mb; ib < m; ib += mb) {
        mb = m - ib < mc + MR ? m - ib : mc;
        for (int q = q0; q < q1; q++) {
          int j = q * NR;
          panel(mb, k, a, aOff + ib * lda, lda, bp, base + q * k * NR,
              PackedMatrix.panelStride(n, NR, q), c,
              cOff + ib * ldc + j, ldc, Math.min(NR, n - j), bias, biasOff + j, act, s);
        }
      }
      return;
    }
    packedRowBlocks(m, n, k, a, aOff, lda, sharedA, bp, base, c, cOff, ldc, bias, biasOff,
        act, q0, q1, s);
  }

  /**
   * The GotoBLAS loop order: for each block of {@code KC} rows of op(B) and each block of
   * rows of A, the row tiles of that A block are packed once (each a dense {@code KC x MR}
   * strip, so a tile reads A as one stream, free of the cache-set conflicts of a power-of-two
   * row stride), then every panel runs over them while its {@code KC x NR} slice stays in
   * L2. Rows past the last whole tile read A in place, and so do the 8-row tiles where {@link
   * #readsInPlace} says (nothing is packed then, unless a parallel call shared a packed A).
   */
  private static void packedRowBlocks(int m, int n, int k, float[] a, int aOff, int lda,
      float[] sharedA, float[] bp, int base, float[] c, int cOff, int ldc, float[] bias,
      int biasOff, Activation act, int q0, int q1, Scratch s) {
    for (int ib = 0; ib < m; ib += MC_PACKED) {
      int mb = Math.min(MC_PACKED, m - ib);
      int tiles = mb / MR;
      int kb = 0;
      do { // runs once when k == 0: C = act(bias)
        int kc = Math.min(KC, k - kb);
        boolean first = kb == 0;
        boolean last = kb + kc == k;
        float[] ap = sharedA;
        int apOff = sharedOffset(ib, k, tiles, kb);
        boolean inPlace = ap == null && skipsPackingA(n, lda);
        if (ap == null && !inPlace) {
          ap = s.packedA(tiles * RowTiles.STEP * kc);
          apOff = 0;
          RowTiles.packA(a, aOff + ib * lda + kb, lda, tiles, kc, ap, 0);
        }
        float[] tallA = null; // the 12-row strips of an A otherwise read in place
        int tallTiles = inPlace && PackedMatrix.panels(n, NR) >= TallTiles.PANELS
            ? TallTiles.tiles(mb) : 0;
        if (tallTiles > 0) {
          tallA = s.packedA(tallTiles * TallTiles.STEP * kc);
          TallTiles.pack(a, aOff + ib * lda + kb, lda, tallTiles, kc, tallA);
        }
        for (int q = q0; q < q1; q++) {
          int j = q * NR;
          int cols = Math.min(NR, n - j);
          float[] bv = bias;
          int bvOff = biasOff + j;
          if (bias != null && cols < NR) {
            System.arraycopy(bias, bvOff, s.bias, 0, cols);
            Arrays.fill(s.bias, cols, NR, 0f);
            bv = s.bias;
            bvOff = 0;
          }
          int stride = PackedMatrix.panelStride(n, NR, q); // L for a half-wide last panel
          int bk = base + q * k * NR + kb * stride;
          boolean twelves = tallA != null && cols == NR && stride != L;
          for (int i = 0; i < mb; ) {
            int rows = mb - i < MR ? Math.min(mb - i, 4) : twelves ? TallTiles.rows(mb - i) : MR;
            int ci = cOff + (ib + i) * ldc + j;
            float[] t = c;
            int t0 = ci;
            int tld = ldc;
            if (cols < NR) { // a partial panel: its tile goes through the scratch block
              t = s.edge;
              t0 = 0;
              tld = NR;
              if (!first) {
                copyRows(c, ci, ldc, s.edge, 0, NR, rows, cols);
              }
            }
            int ai = aOff + (ib + i) * lda + kb;
            if (stride == L) { // one vector wide, reading A in place
              EdgeTiles.narrow(rows, kc, a, ai, lda, bp, bk, t, t0, tld, first,
                  SmallPanels.plain(m, n, k, L, L));
            } else if (rows == TallTiles.ROWS) {
              TallTiles.tile12x2(kc, tallA, i / TallTiles.ROWS * TallTiles.STEP * kc, bp, bk, t,
                  t0, tld, first);
            } else if (rows == MR && inPlace) {
              EdgeTiles.tile8x2(kc, a, ai, lda, bp, bk, t, t0, tld, first);
            } else if (rows == MR) {
              RowTiles.tile(kc, ap, apOff + i / MR * RowTiles.STEP * kc, bp, bk, t, t0, tld,
                  first);
            } else {
              EdgeTiles.tile(rows, kc, a, ai, lda, bp, bk, NR, t, t0, tld, first);
            }
            if (last) {
              GemmEpilogue.apply(rows, t, t0, tld, bv, bvOff, act);
            }
            if (cols < NR) {
              copyRows(s.edge, 0, NR, c, ci, ldc, rows, cols);
            }
            i += rows;
          }
          if (last) { // the panel's rows of this block, in L1
            GemmEpilogue.geluIf(act, mb, cols, c, cOff + ib * ldc + j, ldc);
          }
        }
        kb += kc;
      } while (kb < k);
    }
  }

  /**
   * Columns {@code 0 .. cols} of C (at {@code c0}) from one panel of op(B) at {@code b0} with
   * row stride {@code ldb} (NR wide, zero-padded past {@code cols}).
   */
  private static void panel(int m, int k, float[] a, int aOff, int lda, float[] b, int b0,
      int ldb, float[] c, int c0, int ldc, int cols, float[] bias, int biasOff, Activation act,
      Scratch s) {
    float[] bv = bias;
    int bvOff = biasOff;
    if (bias != null && cols < NR) {
      System.arraycopy(bias, biasOff, s.bias, 0, cols);
      Arrays.fill(s.bias, cols, NR, 0f);
      bv = s.bias;
      bvOff = 0;
    }
    if (m <= 2) {
      // A batch of 1 or 2: the panels the wide tile leaves, in plain Java. They run once or
      // a few times per call, and a method of vector code runs as plain Java, boxing every
      // vector, until C2 compiles it, which took hundreds of calls (docs/performance.md).
      float[] bz = bv == null ? WideTiles.NEGATIVE_ZEROS : bv;
      int bzOff = bv == null ? 0 : bvOff;
      float below = act == Activation.RELU ? 0f : Float.NEGATIVE_INFINITY;
      if (ldb == L) { // a half-wide last panel: only those have a row stride of L
        SmallPanels.half(m, k, a, aOff, lda, b, b0, L, c, c0, ldc, cols, bz, bzOff, below);
      } else {
        SmallPanels.whole(m, k, a, aOff, lda, b, b0, ldb, c, c0, ldc, cols, bz, bzOff, below);
      }
      GemmEpilogue.geluIf(act, m, cols, c, c0, ldc);
      return;
    }
    int kb = 0;
    do { // runs once when k == 0: C = act(bias)
      int kc = Math.min(KC, k - kb);
      boolean first = kb == 0;
      boolean last = kb + kc == k;
      int i = 0;
      while (i < m) {
        // The narrow tile reads A in place, up to 8 rows; whole panels 8 rows on 512-bit
        // vectors, else up to 4 (A read in place either way). A row stride of 4 KiB puts the 8
        // rows in one L1 set, which held the 8-row tile back on Zen 4 (8 ways); on Zen 5 (12
        // ways) it ran 1024 x 64 x 1024 1.31x faster than the 4-row tile, the MLP's training
        // step (its 1024 x 1024 forward) 1.05-1.08x.
        int rows = ldb == L ? Math.min(m - i, MR)
            : m - i >= 8 && ldb == NR && MR == 8 ? 8 : Math.min(m - i, 4);
        int ai = aOff + i * lda + kb;
        int bk = b0 + kb * ldb;
        int ci = c0 + i * ldc;
        if (cols == NR && rows == 8) {
          EdgeTiles.tile8x2(kc, a, ai, lda, b, bk, c, ci, ldc, first);
          if (last) {
            GemmEpilogue.apply(rows, c, ci, ldc, bv, bvOff, act);
          }
        } else if (cols == NR) {
          EdgeTiles.tile(rows, kc, a, ai, lda, b, bk, ldb, c, ci, ldc, first);
          if (last) {
            GemmEpilogue.apply(rows, c, ci, ldc, bv, bvOff, act);
          }
        } else {
          if (!first) {
            copyRows(c, ci, ldc, s.edge, 0, NR, rows, cols);
          }
          if (ldb == L) {
            EdgeTiles.narrow(rows, kc, a, ai, lda, b, bk, s.edge, 0, NR, first, false);
          } else if (rows == 8) {
            EdgeTiles.tile8x2(kc, a, ai, lda, b, bk, s.edge, 0, NR, first);
          } else {
            EdgeTiles.tile(rows, kc, a, ai, lda, b, bk, ldb, s.edge, 0, NR, first);
          }
          if (last) {
            GemmEpilogue.apply(rows, s.edge, 0, NR, bv, bvOff, act);
          }
          copyRows(s.edge, 0, NR, c, ci, ldc, rows, cols);
        }
        i += rows;
      }
      if (last) {
        GemmEpilogue.geluIf(act, m, cols, c, c0, ldc);
      }
      kb += kc;
    } while (kb < k);
  }

  /**
   * Whether the 8-row tile reads A in place ({@link EdgeTiles#tile8x2}) instead of a packed
   * strip: with 8-row tiles (512-bit vectors) and a row stride that does not put the 8 rows in
   * one L1 set (a multiple of 1,024 floats, 4 KiB, does). Packing copied A once per reduction
   * block for one stream instead of 8; on Zen 4 the 8 streams cost nothing and the copy did:
   * 128 x 384 x 384 and 2048 x 384 x 384 ran 1.04-1.06x faster in place, 128 x 384 x 1536
   * (a stride of 1,536: 4 rows a set) 1.01-1.06x, BERT 1.00-1.03x (AbCompare, CPU time, both
   * orders). The 6-row tile of narrower vectors keeps its packed strips (their layout is tuned
   * per JDK: {@link RowTiles}).
   */
  private static boolean readsInPlace(int lda) {
    return MR == 8 && lda % 1024 != 0;
  }

  /**
   * Whether a product of many panels leaves A unpacked ({@link #readsInPlace}): only up to
   * {@link #IN_PLACE_PANELS} panels. Past them the copy is paid back: GPT-2's 128 x 2304 x 768,
   * 128 x 3072 x 768 and its 50,257-column head ran 3-3.5% slower in place (AbCompare, CPU
   * time, both orders), its prefill 3%.
   */
  private static boolean skipsPackingA(int n, int lda) {
    return readsInPlace(lda) && PackedMatrix.panels(n, NR) <= IN_PLACE_PANELS;
  }

  private static void copyRows(float[] src, int srcOff, int srcLd, float[] dst, int dstOff,
      int dstLd, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(src, srcOff + r * srcLd, dst, dstOff + r * dstLd, cols);
    }
  }
}
