package dev.netspec.runtime.kernels;

import java.util.Objects;

/**
 * 2-D convolution on {@code float[]} arrays (row-major {@code (batch, channels, height,
 * width)}), through the packed GEMM: for each image, group and chunk of output positions, the
 * image patches are written straight into a packed right-hand operand ({@link Im2col}), and
 * the filters, packed once ({@link Filters}), multiply them into the output rows: {@code
 * y[o, p] = act(sum_r w[o, r] * cols[r, p] + bias[o])}. The bias is the filters' last column
 * against a row of ones, so it and the activation are done by the GEMM. Images of at most
 * {@link #BATCH_POSITIONS} positions share GEMMs ({@link #images}). A 1x1 convolution with
 * stride 1 and no padding reads its input planes as they are. A depthwise convolution runs a
 * direct kernel ({@link Kernels#depthwiseConv2d}).
 */
public final class Convolution {
  /** The floats of patches per chunk (512 KiB): a chunk stays in L2 while the filters pass. */
  private static final int CHUNK_FLOATS = 1 << 17;
  /** Panels per chunk at least: fewer make the GEMM read the filters in place, 4 rows a time. */
  private static final int MIN_PANELS = 4;
  /** Multiply-adds below which a call runs on one thread (as the GEMM's own threshold). */
  private static final long PARALLEL_MACS = 1L << 21;
  /** Output positions per image up to which the images of a call share GEMMs ({@link #images}). */
  static final int BATCH_POSITIONS = 256;

  private Convolution() {}

  /**
   * A convolution's filters {@code (out, in / groups, kh, kw)} and bias packed once per
   * group as the GEMM's left operand, {@code (out / groups) x (in / groups * kh * kw [+ 1])}.
   * A snapshot: {@link #repack} after the weights change.
   */
  public static final class Filters {
    private final PackedRows[] groups;
    private final boolean bias;
    /** The filters in strips for {@link DirectConv}, when it runs the geometry; else null. */
    private float[] direct;
    private float[] staging = new float[0];

    private Filters(PackedRows[] groups, boolean bias) {
      this.groups = groups;
      this.bias = bias;
    }

    /**
     * Packs {@code w} ({@code g.outChannels() x g.reduction()} floats from {@code wOff}) and
     * {@code bias} ({@code g.outChannels()} floats, or null).
     */
    public static Filters pack(ConvGeometry g, float[] w, int wOff, float[] bias, int biasOff) {
      Filters f = new Filters(new PackedRows[g.groups()], bias != null);
      f.repack(g, w, wOff, bias, biasOff);
      return f;
    }

    /** Whether these filters were packed for {@code g}'s channels, kernel and groups. */
    public boolean fits(ConvGeometry g, boolean withBias) {
      if (DirectConv.applies(g) || direct != null) {
        return direct != null && DirectConv.applies(g) && bias == withBias
            && direct.length == DirectConv.packedSize(g);
      }
      return groups.length == g.groups() && bias == withBias && groups[0] != null
          && groups[0].rows() == g.outPerGroup()
          && groups[0].columns() == g.reduction() + (bias ? 1 : 0);
    }

    /** Packs new values of the same shapes in place. */
    public void repack(ConvGeometry g, float[] w, int wOff, float[] bias, int biasOff) {
      int m = g.outPerGroup();
      int k = g.reduction();
      int ka = k + (this.bias ? 1 : 0);
      Objects.checkFromIndexSize(wOff, (long) g.outChannels() * k, w.length);
      if (bias != null) {
        Objects.checkFromIndexSize(biasOff, g.outChannels(), bias.length);
      }
      if (DirectConv.applies(g)) {
        direct = DirectConv.pack(g, w, wOff, this.bias ? bias : null, biasOff, direct);
        return;
      }
      if (staging.length < m * ka) {
        staging = new float[m * ka];
      }
      for (int grp = 0; grp < g.groups(); grp++) {
        for (int o = 0; o < m; o++) { // (m, k) filter rows, then the bias column
          System.arraycopy(w, wOff + (grp * m + o) * k, staging, o * ka, k);
          if (this.bias) {
            staging[o * ka + k] = bias[biasOff + grp * m + o];
          }
        }
        if (groups[grp] == null || groups[grp].rows() != m || groups[grp].columns() != ka) {
          groups[grp] = PackedRows.pack(m, ka, staging, 0, ka);
        } else {
          groups[grp].repack(staging, 0, ka);
        }
      }
    }
  }

  /**
   * The buffers a convolution reuses across calls: one {@link Buffers} per thread that runs
   * its images, and the task that hands the images out. One per layer; not for concurrent use.
   */
  public static final class Workspace {
    private Buffers[] buffers = new Buffers[0];
    private final Images images = new Images();
    private final DirectConv.Task direct = new DirectConv.Task();
    private final StemConv.Task stem = new StemConv.Task();

    /** An empty workspace: the first call sizes it. */
    public Workspace() {}

    /** Buffers for {@code threads} threads at least, the first at index 0. */
    Buffers[] buffers(int threads) {
      if (buffers.length < threads) {
        Buffers[] grown = java.util.Arrays.copyOf(buffers, threads);
        for (int t = buffers.length; t < threads; t++) {
          grown[t] = new Buffers();
        }
        buffers = grown;
      }
      return buffers;
    }
  }

  /**
   * One thread's buffers: the packed patches of a chunk (one per chunk width in use), a copy
   * for dot panels, the padded image and the output block of the padded-row path.
   */
  static final class Buffers {
    private PackedMatrix full;
    private PackedMatrix last;
    private float[] scratch = new float[0];
    private final int[] segments = new int[4 * Kernels.panelWidth()];
    private float[] padded = new float[0];
    private float[] block = new float[0];

    float[] padded(int size) {
      return padded = padded.length >= size ? padded : new float[size];
    }

    float[] block(int size) {
      return block = block.length >= size ? block : new float[size];
    }

    PackedMatrix cols(int k, int n, boolean isLast) {
      PackedMatrix m = isLast ? last : full;
      if (m == null || m.rows() != k || m.columns() != n) {
        m = PackedMatrix.allocate(k, n);
        if (isLast) {
          last = m;
        } else {
          full = m;
        }
      }
      return m;
    }
  }

  /**
   * The (image, group) pairs of one call, in units that the threads take from a shared
   * counter ({@link Parallel.Claims}): each thread writes its units' patches into its own
   * {@link Buffers} and runs their GEMMs itself, so the patches are built in parallel, in the
   * cache of the core that reads them; and a thread the machine holds up leaves its units to
   * the others (a static half each made the caller wait for a descheduled worker: the 1x1
   * downsamples scaled 1.05-1.20x on 2 threads). Batched images ({@link #images}) are claimed
   * in units of a thread's share (4 images at batch 8 on 2 threads), so a GEMM keeps the
   * columns of a static split (units of 2 images read the 7x7 stage's filters twice as often:
   * 0.90x); the bits do not depend on the split. Reused across calls
   * (set, run, then its references dropped), so a call allocates nothing.
   */
  private static final class Images implements Parallel.Items {
    private final Parallel.Claims claims = new Parallel.Claims();
    private Buffers[] buffers;
    private ConvGeometry g;
    private int unit;
    private float[] x;
    private int xOff;
    private Filters filters;
    private Activation act;
    private float[] add;
    private int addOff;
    private float[] y;
    private int yOff;

    void run(int threads, Buffers[] buffers, ConvGeometry g, float[] x, int xOff,
        Filters filters, Activation act, float[] add, int addOff, float[] y, int yOff) {
      this.buffers = buffers;
      this.g = g;
      this.x = x;
      this.xOff = xOff;
      this.filters = filters;
      this.act = act;
      this.add = add;
      this.addOff = addOff;
      this.y = y;
      this.yOff = yOff;
      try {
        int items = g.batch() * g.groups();
        boolean batched = !Im2col.rowsOfPaddedWidth(g) && batchesImages(g);
        unit = batched ? Math.max(1, g.batch() / threads) : 1;
        if (threads > 1) {
          claims.each(threads, (items + unit - 1) / unit, this);
        } else {
          unit = items;
          run(0, 0, 1);
        }
      } finally {
        this.buffers = null;
        this.x = null;
        this.filters = null;
        this.add = null;
        this.y = null;
      }
    }

    /** Units {@code [fromUnit, toUnit)} on the thread whose buffers are {@code slot}'s. */
    @Override
    public void run(int slot, int fromUnit, int toUnit) {
      int from = fromUnit * unit;
      int to = Math.min(toUnit * unit, g.batch() * g.groups());
      // More shares than buffers only if setThreads raised the count meanwhile.
      Buffers bf = slot < buffers.length ? buffers[slot] : new Buffers();
      boolean padded = Im2col.rowsOfPaddedWidth(g);
      if (!padded && batchesImages(g)) { // items are images: one group
        images(g, from, to, x, xOff, filters, act, add, addOff, y, yOff, bf);
        return;
      }
      for (int item = from; item < to; item++) {
        if (padded) {
          imagePadded(g, item, x, xOff, filters, act, add, addOff, y, yOff, bf);
        } else {
          image(g, item, x, xOff, filters, act, add, addOff, y, yOff, bf);
        }
      }
    }
  }

  /**
   * {@code y = act(conv2d(x, w) + bias)} for every image of {@code g}: {@code x} is {@code
   * (batch, in, height, width)} from {@code xOff}, {@code y} {@code (batch, out, outHeight,
   * outWidth)} from {@code yOff}, both contiguous, zero padding (other padding modes pad the
   * input first: {@link #pad}). {@code filters} are {@code w} and {@code bias} packed ({@link
   * Filters#pack}); a depthwise geometry reads {@code w} and {@code bias} directly instead.
   * Allocates nothing once {@code ws} is sized.
   */
  public static void conv2d(ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
      float[] bias, int biasOff, Filters filters, Activation act, float[] y, int yOff,
      Workspace ws) {
    conv2d(g, x, xOff, w, wOff, bias, biasOff, filters, act, null, 0, y, yOff, ws);
  }

  /**
   * {@code y = act(conv2d(x, w) + bias + add)}: {@link #conv2d(ConvGeometry, float[], int,
   * float[], int, float[], int, Filters, Activation, float[], int, Workspace) conv2d} with a
   * residual operand {@code add} (null: none) of {@code y}'s layout from {@code addOff}, as a
   * ResNet block ends ({@code relu(bn2(conv2(...)) + identity)}). The sum and the activation
   * are applied to each chunk of output right after its GEMM, while it is still in cache (in
   * the padded-row path, while the chunk is copied out), so they cost no pass of their own
   * over the output. {@code add} must not overlap {@code y}.
   */
  public static void conv2d(ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
      float[] bias, int biasOff, Filters filters, Activation act, float[] add, int addOff,
      float[] y, int yOff, Workspace ws) {
    Objects.requireNonNull(act, "act");
    if (add != null) {
      Objects.checkFromIndexSize(addOff, (long) g.batch() * g.outChannels() * g.positions(),
          add.length);
    }
    if (g.isDepthwise()) {
      Kernels.depthwiseConv2d(g, x, xOff, w, wOff, bias, biasOff, add == null ? act
          : Activation.NONE, y, yOff);
      if (add != null) { // the direct kernel has no chunks: one pass over the output
        residual(add, addOff, y, yOff, g.batch() * g.outChannels() * g.positions(), act);
      }
      return;
    }
    if (!filters.fits(g, bias != null)) {
      throw new IllegalArgumentException("conv2d: the packed filters do not fit " + g);
    }
    Objects.checkFromIndexSize(xOff, (long) g.batch() * g.inChannels() * g.inPlane(),
        x.length);
    Objects.checkFromIndexSize(yOff, (long) g.batch() * g.outChannels() * g.positions(),
        y.length);
    if (filters.direct != null && StemConv.applies(g)) {
      StemConv.conv2d(g, x, xOff, filters.direct, act, add, addOff, y, yOff, ws.stem);
      return;
    }
    if (filters.direct != null) {
      DirectConv.conv2d(g, x, xOff, filters.direct, act, add, addOff, y, yOff, ws.direct);
      return;
    }
    int items = g.batch() * g.groups();
    int threads = Math.min(Kernels.threads(), items);
    long macs = (long) g.batch() * g.outChannels() * g.positions() * g.reduction();
    // Whole images to each thread when they split evenly enough, each thread building its
    // own patches (at batch 8 on 2 threads that took the serial patch building out of every
    // layer: see docs/performance.md); else one image at a time, the GEMM split by panels.
    if (threads < 2 || macs < PARALLEL_MACS
        || (items % threads != 0 && items < 4 * threads)) {
      threads = 1;
    }
    ws.images.run(threads, ws.buffers(threads), g, x, xOff, filters, act, add, addOff, y,
        yOff);
  }

  /**
   * Image and group {@code item} ({@code image * groups + group}) of the chunked path; with a
   * column stride above 1, its patches come from phase planes ({@link Im2col#phasePlanes}).
   */
  private static void image(ConvGeometry g, int item, float[] x, int xOff, Filters filters,
      Activation act, float[] add, int addOff, float[] y, int yOff, Buffers ws) {
    int k = g.reduction() + (filters.bias ? 1 : 0);
    int positions = g.positions();
    int chunk = chunkColumns(k, positions);
    int grp = item % g.groups();
    int xg = xOff + item * g.inPerGroup() * g.inPlane();
    int yg = yOff + item * g.outPerGroup() * positions;
    boolean phased = Im2col.phased(g);
    float[] phases = phased ? ws.padded(Im2col.phaseFloats(g)) : null;
    if (phased) {
      Im2col.phasePlanes(g, x, xg, phases);
    }
    for (int p0 = 0; p0 < positions; p0 += chunk) {
      int n = Math.min(chunk, positions - p0);
      PackedMatrix cols = ws.cols(k, n, n != chunk);
      ws.scratch = phased
          ? Im2col.packPhased(g, phases, p0, filters.bias, cols, ws.scratch, ws.segments)
          : Im2col.pack(g, x, xg, p0, filters.bias, cols, ws.scratch, ws.segments);
      if (add == null) {
        Kernels.gemm(filters.groups[grp], cols, y, yg + p0, positions, null, 0, act);
      } else {
        Kernels.gemm(filters.groups[grp], cols, y, yg + p0, positions, null, 0,
            Activation.NONE);
        int ag = addOff + yg - yOff;
        for (int o = 0; o < g.outPerGroup(); o++) { // (m, n) of the chunk, still in cache
          residual(add, ag + o * positions + p0, y, yg + o * positions + p0, n, act);
        }
      }
    }
  }

  /**
   * Whether the images of {@code g} (one group) take the batched path ({@link #images}):
   * images of at most {@link #BATCH_POSITIONS} output positions, where one image's patches
   * fill few panels and end in a ragged one (ResNet-18's 14x14 and 7x7 layers).
   */
  static boolean batchesImages(ConvGeometry g) {
    return g.groups() == 1 && g.positions() <= BATCH_POSITIONS;
  }

  /**
   * Images {@code [from, to)} (one group) as one GEMM: their positions side by side, image
   * after image, so the chunks of patches are full and only the last panel of the range is
   * ragged (per image, 7x7 = 49 positions would be 3 panels and a lone column, too few panels
   * to pack the filters for). Each chunk is multiplied into a scratch block and copied out to
   * its images' planes, the residual added and the activation applied on the way.
   */
  private static void images(ConvGeometry g, int from, int to, float[] x, int xOff,
      Filters filters, Activation act, float[] add, int addOff, float[] y, int yOff,
      Buffers ws) {
    int k = g.reduction() + (filters.bias ? 1 : 0);
    int positions = g.positions();
    int total = (to - from) * positions;
    int width = Kernels.panelWidth();
    int chunk = chunkColumns(k, total);
    chunk = (chunk + width - 1) / width * width; // whole panels, the last one too (see below)
    int m = g.outChannels();
    float[] block = ws.block(m * chunk); // (m, chunk): a chunk of C
    int xg = xOff + from * g.inChannels() * g.inPlane();
    for (int v0 = 0; v0 < total; v0 += chunk) {
      int n = Math.min(chunk, total - v0);
      // The last chunk is widened to whole panels too, its extra columns computed and
      // dropped: so no column goes to a narrow or dot-product panel, whose sums run in
      // another order, and each output has the same bits whatever the images' count and
      // split across threads.
      int wide = (n + width - 1) / width * width;
      PackedMatrix cols = ws.cols(k, wide, wide != chunk);
      ws.scratch = Im2col.pack(g, x, xg, v0, n, filters.bias, cols, ws.scratch, ws.segments);
      Kernels.gemm(filters.groups[0], cols, block, 0, wide, null, 0,
          add == null ? act : Activation.NONE);
      for (int v = v0; v < v0 + n; ) { // the run of the chunk in each image it touches
        int img = from + v / positions;
        int p = v % positions;
        int run = Math.min(positions - p, v0 + n - v);
        for (int o = 0; o < m; o++) {
          int at = yOff + (img * m + o) * positions + p;
          copyOut(block, o * wide + v - v0, add, addOff + at - yOff, act, y, at, run);
        }
        v += run;
      }
    }
  }

  /**
   * Stride 1 over a zero-padded copy of each image (planes of {@code hp x wp}, {@code hp =
   * outHeight + (kh - 1) * dh}, {@code wp = outWidth + (kw - 1) * dw}), computing every column
   * {@code ow < wp} of each output row: then the inputs of one patch row are consecutive across
   * output rows, so the patches are copied a whole panel row at a time ({@link
   * Im2col#packPadded}). The {@code wp - outWidth} extra columns per row are computed into a
   * scratch block and dropped when the valid ones are copied out. Image and group {@code
   * item}.
   */
  private static void imagePadded(ConvGeometry g, int item, float[] x, int xOff,
      Filters filters, Activation act, float[] add, int addOff, float[] y, int yOff,
      Buffers ws) {
    int k = g.reduction() + (filters.bias ? 1 : 0);
    int hp = g.outHeight() + (g.kernelH() - 1) * g.dilationH();
    int wp = g.outWidth() + (g.kernelW() - 1) * g.dilationW();
    int virtual = (g.outHeight() - 1) * wp + g.outWidth(); // the last row's extra columns: none
    int chunk = chunkColumns(k, virtual);
    int m = g.outPerGroup();
    int positions = g.positions();
    float[] padded = ws.padded(g.inPerGroup() * hp * wp);
    float[] block = ws.block(m * chunk); // (m, chunk): a chunk of C, extra columns included
    int grp = item % g.groups();
    int xg = xOff + item * g.inPerGroup() * g.inPlane();
    int yg = yOff + item * m * positions;
    Im2col.padPlanes(g, x, xg, hp, wp, padded);
    for (int v0 = 0; v0 < virtual; v0 += chunk) {
      int n = Math.min(chunk, virtual - v0);
      PackedMatrix cols = ws.cols(k, n, n != chunk);
      ws.scratch = Im2col.packPadded(g, padded, hp, wp, v0, filters.bias, cols, ws.scratch);
      Kernels.gemm(filters.groups[grp], cols, block, 0, n, null, 0,
          add == null ? act : Activation.NONE);
      // Copy out the valid columns of each output row the chunk touches (adding the
      // residual and applying the activation on the way, when there is one).
      for (int v = v0; v < v0 + n; ) {
        int oh = v / wp;
        int ow = v - oh * wp;
        int run = Math.min(v0 + n, oh * wp + g.outWidth()) - v;
        if (run > 0) {
          for (int o = 0; o < m; o++) {
            int at = yg + o * positions + oh * g.outWidth() + ow;
            copyOut(block, o * n + v - v0, add, addOff + at - yOff, act, y, at, run);
          }
        }
        v = (oh + 1) * wp;
      }
    }
  }

  /**
   * {@code run} floats of a scratch block from {@code src} to {@code y[at]}: copied as they
   * are (the GEMM applied the activation) without a residual, else {@code act(block + add)}
   * with {@code add} read from {@code addAt}.
   */
  private static void copyOut(float[] block, int src, float[] add, int addAt, Activation act,
      float[] y, int at, int run) {
    if (add == null) {
      System.arraycopy(block, src, y, at, run);
    } else {
      Kernels.binary(BinaryOp.ADD, block, src, add, addAt, y, at, run);
      if (act == Activation.RELU) {
        Kernels.unary(UnaryOp.RELU, y, at, y, at, run);
      }
    }
  }

  /** {@code y = act(y + add)} over {@code n} floats. */
  private static void residual(float[] add, int addOff, float[] y, int yOff, int n,
      Activation act) {
    Kernels.binary(BinaryOp.ADD, y, yOff, add, addOff, y, yOff, n);
    if (act == Activation.RELU) {
      Kernels.unary(UnaryOp.RELU, y, yOff, y, yOff, n);
    }
  }

  /**
   * Output positions per chunk: as many whole panels as keep the chunk's patches within
   * {@link #CHUNK_FLOATS}, at least {@link #MIN_PANELS}, and all of them when that covers the
   * image.
   */
  static int chunkColumns(int k, int positions) {
    int width = Kernels.panelWidth();
    int panels = Math.max(MIN_PANELS, CHUNK_FLOATS / Math.max(1, k) / width);
    long columns = (long) panels * width;
    return columns >= positions ? Math.max(1, positions) : (int) columns;
  }

  /**
   * Copies {@code x} ({@code planes} planes of {@code height x width}) into {@code y}
   * ({@code planes} planes of {@code (height + top + bottom) x (width + left + right)}), padded
   * by {@code mode}: {@code "reflect"} (mirrored without repeating the edge, {@code pad <
   * size}) or {@code "replicate"} (the edge repeated), as {@code F.pad}. The pads must not be
   * negative.
   */
  public static void pad(String mode, int planes, int height, int width, int top, int bottom,
      int left, int right, float[] x, int xOff, float[] y, int yOff) {
    boolean reflect;
    switch (mode) {
      case "reflect":
        reflect = true;
        break;
      case "replicate":
        reflect = false;
        break;
      default:
        throw new IllegalArgumentException("pad: mode must be reflect or replicate, got '"
            + mode + "'");
    }
    int h2 = height + top + bottom;
    int w2 = width + left + right;
    for (int c = 0; c < planes; c++) {
      int src = xOff + c * height * width;
      int dst = yOff + c * h2 * w2;
      for (int r = 0; r < h2; r++) {
        int ir = source(r - top, height, reflect);
        int row = src + ir * width;
        int out = dst + r * w2;
        for (int q = 0; q < left; q++) {
          y[out + q] = x[row + source(q - left, width, reflect)];
        }
        System.arraycopy(x, row, y, out + left, width);
        for (int q = 0; q < right; q++) {
          y[out + left + width + q] = x[row + source(width + q, width, reflect)];
        }
      }
    }
  }

  /**
   * The input index that padded index {@code i} (in {@code [-pad, size + pad)}) copies, for
   * {@link #pad} and the backward that folds a padded gradient back.
   */
  public static int source(int i, int size, boolean reflect) {
    if (i < 0) {
      return reflect ? -i : 0;
    }
    if (i >= size) {
      return reflect ? 2 * (size - 1) - i : size - 1;
    }
    return i;
  }
}
