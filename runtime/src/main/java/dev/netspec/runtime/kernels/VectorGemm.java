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
 * rows use 4-row (also for 3 and 5 rows), 2- and 1-row tiles that read A in place. Products with few panels (n up to 96) skip
 * packing A.
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
  /** Panels per wide tile (batches of 1 and 2). */
  private static final int WIDE = 4;
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

  /** Zeros to start the accumulators from (two vectors). */
  private static final float[] ZEROS = new float[NR];
  /** The bias of a wide tile when there is none: adding {@code -0.0} is exact for every float. */
  private static final float[] NEGATIVE_ZEROS = new float[WIDE * NR];

  static {
    Arrays.fill(NEGATIVE_ZEROS, -0f);
  }

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
   * not a serial part of the product. Returns null where A is not packed or is too large to
   * pack whole.
   */
  private static float[] packShared(int m, int n, int k, float[] a, int aOff, int lda) {
    int tiles = m / MR;
    if (m <= 2 || PackedMatrix.panels(n, NR) < PACK_A_PANELS || tiles == 0
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
        int g = q - q % WIDE;
        if (g >= q0 && g + WIDE <= q1 && (g + WIDE) * NR <= n && q == g) {
          wide(m, k, a, aOff, lda, bp, base + q * k * NR, c, cOff + q * NR, ldc, bias,
              biasOff + q * NR, act);
          q += WIDE - 1;
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
      // Few panels share each row of A: read A in place.
      int mc = Math.max(MR, A_BLOCK_FLOATS / Math.max(1, k) / MR * MR);
      for (int ib = 0; ib < m; ib += mc) {
        int mb = Math.min(mc, m - ib);
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
   * L2. Rows past the last whole tile read A in place.
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
        if (ap == null) {
          ap = s.packedA(tiles * RowTiles.STEP * kc);
          apOff = 0;
          RowTiles.packA(a, aOff + ib * lda + kb, lda, tiles, kc, ap, 0);
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
          for (int i = 0; i < mb; ) {
            int rows = mb - i >= MR ? MR : Math.min(mb - i, 4);
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
              narrow(rows, kc, a, ai, lda, bp, bk, t, t0, tld, first,
                  SmallPanels.plain(m, n, k, L, L));
            } else if (rows == MR) {
              RowTiles.tile(kc, ap, apOff + i / MR * RowTiles.STEP * kc, bp, bk, t, t0, tld,
                  first);
            } else {
              tile(rows, kc, a, ai, lda, bp, bk, NR, t, t0, tld, first);
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
      float[] bz = bv == null ? NEGATIVE_ZEROS : bv;
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
        // The 8 x 2-vector tile needs a packed A; the narrow ones read it in place.
        int rows = Math.min(m - i, ldb == L ? MR : 4);
        int ai = aOff + i * lda + kb;
        int bk = b0 + kb * ldb;
        int ci = c0 + i * ldc;
        if (cols == NR) {
          tile(rows, kc, a, ai, lda, b, bk, ldb, c, ci, ldc, first);
          if (last) {
            GemmEpilogue.apply(rows, c, ci, ldc, bv, bvOff, act);
          }
        } else {
          if (!first) {
            copyRows(c, ci, ldc, s.edge, 0, NR, rows, cols);
          }
          if (ldb == L) {
            narrow(rows, kc, a, ai, lda, b, bk, s.edge, 0, NR, first, false);
          } else {
            tile(rows, kc, a, ai, lda, b, bk, ldb, s.edge, 0, NR, first);
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
   * One or two rows of C over {@code WIDE} whole panels, the epilogue applied on the registers
   * before the only store: the sum plus the bias (or plus {@code -0.0}, which changes nothing,
   * not even a {@code -0.0}), then {@code x < below ? 0 : x} with {@code below} 0 for ReLU and
   * minus infinity (never true) otherwise. The same operations in the same order as {@link
   * GemmEpilogue#apply}, so the results equal those of the other tiles. The tiles write it out
   * per accumulator: a helper taking the vectors is not inlined into them, and C2 then boxes
   * every vector (the tutorial MLP ran 2-3x slower that way).
   */
  private static void wide(int m, int k, float[] a, int aOff, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, float[] bias, int biasOff, Activation act) {
    float[] bv = bias == null ? NEGATIVE_ZEROS : bias;
    int bvOff = bias == null ? 0 : biasOff;
    float below = act == Activation.RELU ? 0f : Float.NEGATIVE_INFINITY;
    if (m == 2) {
      tile2x8(k, a, aOff, aOff + lda, b, b0, c, c0, c0 + ldc, bv, bvOff, below);
    } else {
      tile1x8(k, a, aOff, b, b0, c, c0, bv, bvOff, below);
    }
    GemmEpilogue.geluIf(act, m, WIDE * NR, c, c0, ldc);
  }

  private static void copyRows(float[] src, int srcOff, int srcLd, float[] dst, int dstOff,
      int dstLd, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(src, srcOff + r * srcLd, dst, dstOff + r * dstLd, cols);
    }
  }

  private static void tile(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      int ldb, float[] c, int c0, int ldc, boolean first) {
    switch (rows) {
      case 4:
      case 3:
        tile4x2(rows, kc, a, a0, lda, b, b0, ldb, c, c0, ldc, first);
        break;
      case 2:
        tile2x2(kc, a, a0, lda, b, b0, ldb, c, c0, ldc, first);
        break;
      default:
        tile1x2(kc, a, a0, b, b0, ldb, c, c0, first);
        break;
    }
  }

  /**
   * 3 or 4 rows of C, two vectors wide: 8 accumulators, 4 broadcasts and 2 loads per step. With
   * 3 rows the last row is computed twice and stored once, so 3 rows cost one pass over the
   * panel instead of two (a 2-row and a 1-row tile).
   */
  private static void tile4x2(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      int ldb, float[] c, int c0, int ldc, boolean first) {
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int sld = first ? 0 : ldc;
    int s3 = rows > 3 ? s0 + 3 * sld : s0 + 2 * sld;
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = rows > 3 ? a2 + lda : a2;
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, src, s0 + L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld + L));
    FloatVector c20 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld));
    FloatVector c21 = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld + L));
    FloatVector c30 = EXACT.cast(FloatVector.fromArray(S, src, s3));
    FloatVector c31 = EXACT.cast(FloatVector.fromArray(S, src, s3 + L));
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * ldb;
      FloatVector b0v = EXACT.cast(FloatVector.fromArray(S, b, bp));
      FloatVector b1v = EXACT.cast(FloatVector.fromArray(S, b, bp + L));
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c00 = x.fma(b0v, c00);
      c01 = x.fma(b1v, c01);
      x = EXACT.cast(FloatVector.broadcast(S, a[a1 + p]));
      c10 = x.fma(b0v, c10);
      c11 = x.fma(b1v, c11);
      x = EXACT.cast(FloatVector.broadcast(S, a[a2 + p]));
      c20 = x.fma(b0v, c20);
      c21 = x.fma(b1v, c21);
      x = EXACT.cast(FloatVector.broadcast(S, a[a3 + p]));
      c30 = x.fma(b0v, c30);
      c31 = x.fma(b1v, c31);
    }
    EXACT.cast(c00).intoArray(c, c0);
    EXACT.cast(c01).intoArray(c, c0 + L);
    EXACT.cast(c10).intoArray(c, c0 + ldc);
    EXACT.cast(c11).intoArray(c, c0 + ldc + L);
    EXACT.cast(c20).intoArray(c, c0 + 2 * ldc);
    EXACT.cast(c21).intoArray(c, c0 + 2 * ldc + L);
    if (rows > 3) {
      EXACT.cast(c30).intoArray(c, c0 + 3 * ldc);
      EXACT.cast(c31).intoArray(c, c0 + 3 * ldc + L);
    }
  }

  /** 2 rows of C, two vectors wide: one FMA chain per accumulator, as in the wide tile. */
  private static void tile2x2(int kc, float[] a, int a0, int lda, float[] b, int b0, int ldb,
      float[] c, int c0, int ldc, boolean first) {
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int sld = first ? 0 : ldc;
    int a1 = a0 + lda;
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, src, s0 + L));
    FloatVector c10 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld));
    FloatVector c11 = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld + L));
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * ldb;
      FloatVector u = EXACT.cast(FloatVector.fromArray(S, b, bp));
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, b, bp + L));
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c00 = x.fma(u, c00);
      c01 = x.fma(v, c01);
      x = EXACT.cast(FloatVector.broadcast(S, a[a1 + p]));
      c10 = x.fma(u, c10);
      c11 = x.fma(v, c11);
    }
    EXACT.cast(c00).intoArray(c, c0);
    EXACT.cast(c01).intoArray(c, c0 + L);
    EXACT.cast(c10).intoArray(c, c0 + ldc);
    EXACT.cast(c11).intoArray(c, c0 + ldc + L);
  }

  /** One row of C, two vectors wide. */
  private static void tile1x2(int kc, float[] a, int a0, float[] b, int b0, int ldb,
      float[] c, int c0, boolean first) {
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    FloatVector c00 = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c01 = EXACT.cast(FloatVector.fromArray(S, src, s0 + L));
    for (int p = 0; p < kc; p++) {
      int bp = b0 + p * ldb;
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c00 = x.fma(EXACT.cast(FloatVector.fromArray(S, b, bp)), c00);
      c01 = x.fma(EXACT.cast(FloatVector.fromArray(S, b, bp + L)), c01);
    }
    EXACT.cast(c00).intoArray(c, c0);
    EXACT.cast(c01).intoArray(c, c0 + L);
  }

  /**
   * Rows {@code a0} and {@code a1} of A against 4 consecutive packed panels (8 vectors, 16
   * accumulators) over the whole reduction: the tile for batches of 1 and 2, where a panel
   * has no other row tile to share it with. Row 0 goes to {@code c[c0 ..]}, row 1 to {@code
   * c[d0 ..]}, each with the epilogue of {@link #wide}. Each accumulator is one FMA chain over
   * k, so the results equal those of {@link #tile2x2} and {@link #tile1x2}.
   */
  private static void tile2x8(int k, float[] a, int a0, int a1, float[] b, int b0, float[] c,
      int c0, int d0, float[] bias, int bo, float below) {
    // Each panel's index is (its start) + p * NR: C2 hoists the bounds checks of such indices
    // out of the loop, but not of (first start) + p * NR + (multiple of k).
    int b1 = b0 + k * NR;
    int b2 = b1 + k * NR;
    int b3 = b2 + k * NR;
    FloatVector c00 = EXACT.cast(FloatVector.zero(S));
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c03 = c00;
    FloatVector c04 = c00;
    FloatVector c05 = c00;
    FloatVector c06 = c00;
    FloatVector c07 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c13 = c00;
    FloatVector c14 = c00;
    FloatVector c15 = c00;
    FloatVector c16 = c00;
    FloatVector c17 = c00;
    for (int p = 0; p < k; p++) {
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      FloatVector y = EXACT.cast(FloatVector.broadcast(S, a[a1 + p]));
      FloatVector v = EXACT.cast(FloatVector.fromArray(S, b, b0 + p * NR));
      c00 = x.fma(v, c00);
      c10 = y.fma(v, c10);
      v = EXACT.cast(FloatVector.fromArray(S, b, b0 + p * NR + L));
      c01 = x.fma(v, c01);
      c11 = y.fma(v, c11);
      v = EXACT.cast(FloatVector.fromArray(S, b, b1 + p * NR));
      c02 = x.fma(v, c02);
      c12 = y.fma(v, c12);
      v = EXACT.cast(FloatVector.fromArray(S, b, b1 + p * NR + L));
      c03 = x.fma(v, c03);
      c13 = y.fma(v, c13);
      v = EXACT.cast(FloatVector.fromArray(S, b, b2 + p * NR));
      c04 = x.fma(v, c04);
      c14 = y.fma(v, c14);
      v = EXACT.cast(FloatVector.fromArray(S, b, b2 + p * NR + L));
      c05 = x.fma(v, c05);
      c15 = y.fma(v, c15);
      v = EXACT.cast(FloatVector.fromArray(S, b, b3 + p * NR));
      c06 = x.fma(v, c06);
      c16 = y.fma(v, c16);
      v = EXACT.cast(FloatVector.fromArray(S, b, b3 + p * NR + L));
      c07 = x.fma(v, c07);
      c17 = y.fma(v, c17);
    }
    // At C2's node budget, as tile1x8: the epilogue uses the species' own calls and casts
    // each sum to the exact class (see there).
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector bias0 = FloatVector.fromArray(S, bias, bo);
    FloatVector v = EXACT.cast(c00.lanewise(VectorOperators.ADD, bias0));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0);
    v = EXACT.cast(c10.lanewise(VectorOperators.ADD, bias0));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0);
    FloatVector bias1 = FloatVector.fromArray(S, bias, bo + L);
    v = EXACT.cast(c01.lanewise(VectorOperators.ADD, bias1));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + L);
    v = EXACT.cast(c11.lanewise(VectorOperators.ADD, bias1));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + L);
    FloatVector bias2 = FloatVector.fromArray(S, bias, bo + 2 * L);
    v = EXACT.cast(c02.lanewise(VectorOperators.ADD, bias2));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 2 * L);
    v = EXACT.cast(c12.lanewise(VectorOperators.ADD, bias2));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 2 * L);
    FloatVector bias3 = FloatVector.fromArray(S, bias, bo + 3 * L);
    v = EXACT.cast(c03.lanewise(VectorOperators.ADD, bias3));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 3 * L);
    v = EXACT.cast(c13.lanewise(VectorOperators.ADD, bias3));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 3 * L);
    FloatVector bias4 = FloatVector.fromArray(S, bias, bo + 4 * L);
    v = EXACT.cast(c04.lanewise(VectorOperators.ADD, bias4));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 4 * L);
    v = EXACT.cast(c14.lanewise(VectorOperators.ADD, bias4));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 4 * L);
    FloatVector bias5 = FloatVector.fromArray(S, bias, bo + 5 * L);
    v = EXACT.cast(c05.lanewise(VectorOperators.ADD, bias5));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 5 * L);
    v = EXACT.cast(c15.lanewise(VectorOperators.ADD, bias5));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 5 * L);
    FloatVector bias6 = FloatVector.fromArray(S, bias, bo + 6 * L);
    v = EXACT.cast(c06.lanewise(VectorOperators.ADD, bias6));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 6 * L);
    v = EXACT.cast(c16.lanewise(VectorOperators.ADD, bias6));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 6 * L);
    FloatVector bias7 = FloatVector.fromArray(S, bias, bo + 7 * L);
    v = EXACT.cast(c07.lanewise(VectorOperators.ADD, bias7));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 7 * L);
    v = EXACT.cast(c17.lanewise(VectorOperators.ADD, bias7));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, d0 + 7 * L);
  }

  /**
   * Row {@code a0} of A against 4 consecutive packed panels (8 accumulators) over the whole
   * reduction: the batch-1 tile, bound by streaming the panels from memory (8 loads per 8
   * FMAs). Each accumulator is one FMA chain over k, with the epilogue of {@link #wide}, as
   * in {@link #tile2x8}.
   */
  private static void tile1x8(int k, float[] a, int a0, float[] b, int b0, float[] c, int c0,
      float[] bias, int bo, float below) {
    int b1 = b0 + k * NR; // per-panel starts: see tile2x8
    int b2 = b1 + k * NR;
    int b3 = b2 + k * NR;
    FloatVector c0v = EXACT.cast(FloatVector.zero(S));
    FloatVector c1v = c0v;
    FloatVector c2v = c0v;
    FloatVector c3v = c0v;
    FloatVector c4v = c0v;
    FloatVector c5v = c0v;
    FloatVector c6v = c0v;
    FloatVector c7v = c0v;
    for (int p = 0; p < k; p++) {
      FloatVector x = EXACT.cast(FloatVector.broadcast(S, a[a0 + p]));
      c0v = x.fma(FloatVector.fromArray(S, b, b0 + p * NR), c0v);
      c1v = x.fma(FloatVector.fromArray(S, b, b0 + p * NR + L), c1v);
      c2v = x.fma(FloatVector.fromArray(S, b, b1 + p * NR), c2v);
      c3v = x.fma(FloatVector.fromArray(S, b, b1 + p * NR + L), c3v);
      c4v = x.fma(FloatVector.fromArray(S, b, b2 + p * NR), c4v);
      c5v = x.fma(FloatVector.fromArray(S, b, b2 + p * NR + L), c5v);
      c6v = x.fma(FloatVector.fromArray(S, b, b3 + p * NR), c6v);
      c7v = x.fma(FloatVector.fromArray(S, b, b3 + p * NR + L), c7v);
    }
    // This method is at C2's node budget: past it C2 inlines only force-inlined JDK methods
    // and intrinsics, so a method of ours here would box (even with no other species). The
    // species' own lanewise, dispatched at this call site (its profile sees one class), and a
    // cast to the constant exact class (Class.cast, an intrinsic) type the sums and the
    // blends: without the casts, lt() and intoArray() dispatch at the JDK's own call sites,
    // whose profiles see every species in the JVM, and box once another species ran (1-3.6
    // KB a call).
    FloatVector zero = EXACT.cast(FloatVector.zero(S));
    FloatVector v = EXACT.cast(
        c0v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0);
    v = EXACT.cast(
        c1v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + L);
    v = EXACT.cast(
        c2v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 2 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 2 * L);
    v = EXACT.cast(
        c3v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 3 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 3 * L);
    v = EXACT.cast(
        c4v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 4 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 4 * L);
    v = EXACT.cast(
        c5v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 5 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 5 * L);
    v = EXACT.cast(
        c6v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 6 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 6 * L);
    v = EXACT.cast(
        c7v.lanewise(VectorOperators.ADD, FloatVector.fromArray(S, bias, bo + 7 * L)));
    v = EXACT.cast(v.blend(zero, v.lt(below)));
    v.intoArray(c, c0 + 7 * L);
  }

  /**
   * Up to 8 rows of C against a half-wide last panel, A read in place; in plain Java when
   * {@code plain} (the whole product's panel has few multiply-adds: {@link SmallPanels#plain}).
   */
  private static void narrow(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, boolean first, boolean plain) {
    if (plain) { // the panel of a small product, which runs once per call: SmallPanels.plain
      SmallPanels.narrow(rows, kc, a, a0, lda, b, b0, L, c, c0, ldc, first);
    } else if (rows > 4) {
      tile8x1(rows, kc, a, a0, lda, b, b0, c, c0, ldc, first);
    } else {
      tile4x1(rows, kc, a, a0, lda, b, b0, c, c0, ldc, first);
    }
  }

  /**
   * 5 to 8 rows of C against a half-wide last panel (one vector, row stride L): as {@link
   * #tile4x1}, with 8 FMA chains in flight instead of 4, so the FMA latency is hidden (a
   * 10-class head at batch 32 or more).
   */
  private static void tile8x1(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, boolean first) {
    int a4 = a0 + 4 * lda;
    int a5 = rows > 5 ? a4 + lda : a4;
    int a6 = rows > 6 ? a5 + lda : a5;
    int a7 = rows > 7 ? a6 + lda : a6;
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int sld = first ? 0 : ldc;
    int s4 = s0 + 4 * sld;
    int s5 = rows > 5 ? s4 + sld : s4;
    int s6 = rows > 6 ? s5 + sld : s5;
    int s7 = rows > 7 ? s6 + sld : s6;
    FloatVector c0v = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c1v = EXACT.cast(FloatVector.fromArray(S, src, s0 + sld));
    FloatVector c2v = EXACT.cast(FloatVector.fromArray(S, src, s0 + 2 * sld));
    FloatVector c3v = EXACT.cast(FloatVector.fromArray(S, src, s0 + 3 * sld));
    FloatVector c4v = EXACT.cast(FloatVector.fromArray(S, src, s4));
    FloatVector c5v = EXACT.cast(FloatVector.fromArray(S, src, s5));
    FloatVector c6v = EXACT.cast(FloatVector.fromArray(S, src, s6));
    FloatVector c7v = EXACT.cast(FloatVector.fromArray(S, src, s7));
    int a1 = a0 + lda;
    int a2 = a1 + lda;
    int a3 = a2 + lda;
    for (int p = 0; p < kc; p++) {
      FloatVector u = EXACT.cast(FloatVector.fromArray(S, b, b0 + p * L));
      c0v = EXACT.cast(FloatVector.broadcast(S, a[a0 + p])).fma(u, c0v);
      c1v = EXACT.cast(FloatVector.broadcast(S, a[a1 + p])).fma(u, c1v);
      c2v = EXACT.cast(FloatVector.broadcast(S, a[a2 + p])).fma(u, c2v);
      c3v = EXACT.cast(FloatVector.broadcast(S, a[a3 + p])).fma(u, c3v);
      c4v = EXACT.cast(FloatVector.broadcast(S, a[a4 + p])).fma(u, c4v);
      c5v = EXACT.cast(FloatVector.broadcast(S, a[a5 + p])).fma(u, c5v);
      c6v = EXACT.cast(FloatVector.broadcast(S, a[a6 + p])).fma(u, c6v);
      c7v = EXACT.cast(FloatVector.broadcast(S, a[a7 + p])).fma(u, c7v);
    }
    EXACT.cast(c0v).intoArray(c, c0);
    EXACT.cast(c1v).intoArray(c, c0 + ldc);
    EXACT.cast(c2v).intoArray(c, c0 + 2 * ldc);
    EXACT.cast(c3v).intoArray(c, c0 + 3 * ldc);
    EXACT.cast(c4v).intoArray(c, c0 + 4 * ldc);
    if (rows > 5) {
      EXACT.cast(c5v).intoArray(c, c0 + 5 * ldc);
    }
    if (rows > 6) {
      EXACT.cast(c6v).intoArray(c, c0 + 6 * ldc);
    }
    if (rows > 7) {
      EXACT.cast(c7v).intoArray(c, c0 + 7 * ldc);
    }
  }

  /**
   * Up to 4 rows of C against a half-wide last panel (one vector, row stride L, a constant):
   * {@code rows} rows of A from {@code a0} read in place, each element one FMA chain over p as
   * in the other tiles. Rows past {@code rows} repeat the last one and are not stored.
   */
  private static void tile4x1(int rows, int kc, float[] a, int a0, int lda, float[] b, int b0,
      float[] c, int c0, int ldc, boolean first) {
    int a1 = rows > 1 ? a0 + lda : a0;
    int a2 = rows > 2 ? a1 + lda : a1;
    int a3 = rows > 3 ? a2 + lda : a2;
    float[] src = first ? ZEROS : c;
    int s0 = first ? 0 : c0;
    int s1 = first ? 0 : rows > 1 ? c0 + ldc : c0;
    int s2 = first ? 0 : rows > 2 ? c0 + 2 * ldc : s1;
    int s3 = first ? 0 : rows > 3 ? c0 + 3 * ldc : s2;
    FloatVector c0v = EXACT.cast(FloatVector.fromArray(S, src, s0));
    FloatVector c1v = EXACT.cast(FloatVector.fromArray(S, src, s1));
    FloatVector c2v = EXACT.cast(FloatVector.fromArray(S, src, s2));
    FloatVector c3v = EXACT.cast(FloatVector.fromArray(S, src, s3));
    for (int p = 0; p < kc; p++) {
      FloatVector u = EXACT.cast(FloatVector.fromArray(S, b, b0 + p * L));
      c0v = EXACT.cast(FloatVector.broadcast(S, a[a0 + p])).fma(u, c0v);
      c1v = EXACT.cast(FloatVector.broadcast(S, a[a1 + p])).fma(u, c1v);
      c2v = EXACT.cast(FloatVector.broadcast(S, a[a2 + p])).fma(u, c2v);
      c3v = EXACT.cast(FloatVector.broadcast(S, a[a3 + p])).fma(u, c3v);
    }
    EXACT.cast(c0v).intoArray(c, c0);
    if (rows > 1) {
      EXACT.cast(c1v).intoArray(c, c0 + ldc);
    }
    if (rows > 2) {
      EXACT.cast(c2v).intoArray(c, c0 + 2 * ldc);
    }
    if (rows > 3) {
      EXACT.cast(c3v).intoArray(c, c0 + 3 * ldc);
    }
  }
}
