package dev.netspec.runtime.kernels;

import java.util.Arrays;

/**
 * Direct convolution (no image patches) for the Vector API backend: the batch is copied into a
 * zero-padded channels-last buffer {@code (batch, hp, wp, in)} (on one thread row by row as
 * the strips reach the rows, into a ring of rows where the images are tall enough, {@link
 * #ringRows}, else in passes of whole images, {@link #PASS_FLOATS}), and
 * each strip of {@value #POSITIONS} output positions by {@code width} output channels (two
 * vectors: {@link Kernels#panelWidth}) accumulates in registers over the taps and input
 * channels ({@link Backend#convStrip}): filters from a packed copy, {@code (out / width, kh,
 * kw, in, width)}, one broadcast input per position and step. With a dilation of 1 along the
 * width, the {@code kw * in} inputs a kernel row reads for one position are consecutive, so a
 * strip takes {@code kh} calls. With 512-bit vectors and an even number of strips of output
 * channels, two strips run side by side in one wider tile ({@link Backend#convStripPair},
 * {@link WideStrips}).
 * The positions of a strip run across rows and images (those of the whole batch in order), so
 * small images waste no columns; the last strip repeats its last position. The bias starts the
 * sums; the residual and the activation are applied as the strip is written out to the {@code
 * (batch, out, outHeight, outWidth)} output.
 *
 * <p>Every output is the bias followed by one FMA chain over the taps (row by row) and input
 * channels, whatever the batch, split or thread count: the results do not depend on them.
 */
final class DirectConv {
  /** Output positions per strip. */
  static final int POSITIONS = 6;
  /** Strips per work item along the positions: their inputs stay in L2 across the filters. */
  private static final int GROUP = 16;
  /**
   * Input channels from which the direct kernel is used: ResNet's 7x7 stem (3 channels, 21
   * steps per kernel row) ran 1.14x faster than on image patches; fewer are not measured.
   */
  static final int MIN_IN = 3;
  /**
   * Floats of padded images per pass (2 MB): on one thread, a strided convolution whose padded
   * batch is larger runs in passes of as many whole images as fit, each padded just before its
   * strips, which then read it from cache instead of memory (the batch-8 copy of ResNet's
   * 64-channel stride-2 layer is 6.7 MB; the copy ran 1.1 ns a float inside the network, 0.42
   * alone): that layer 1.02-1.04x (AbCompare, loaded, both orders). On 2 threads it ran
   * 0.60x (each thread's strips read the image the other had just padded, from the other
   * core's cache), and stride 1 at 64 channels 0.95-0.99x: those keep one pass.
   */
  private static final long PASS_FLOATS = 1L << 19;
  /**
   * Padded floats {@link Task#padThrough} copies in one call at most (30 KB, within L1 across
   * the copy's eight-channel passes, which each write a part of every cache line): each input
   * plane read in one run of those rows. Two rows at 64 channels (56x56) and 128 (28x28), one
   * at 256 (14x14) and 512 (7x7), where seven rows at a time ran 0.93x (loaded, one order).
   */
  private static final int PAD_FLOATS = 7680;
  /** Multiply-adds below which a call runs on one thread. */
  private static final long PARALLEL_MACS = 1L << 21;
  /**
   * Input channels from which strips run in pairs ({@link Kernels#pairsStrips}): at 64 (a 3x3
   * row of 192 steps) the pair was no faster than two strips, alone (0.94-0.99x) or in the
   * layer (AbCompare, JDK 17, loaded: 0.99 [0.92, 1.00]); at 128 to 512 0.97-1.12x by run on a
   * loaded machine (docs/performance.md, "Convolutions", session 16).
   */
  private static final int MIN_PAIR_IN = 128;
  /** {@code -Dnetspec.conv.direct=false} keeps every convolution on the GEMM path. */
  private static final boolean ENABLED =
      !"false".equalsIgnoreCase(System.getProperty("netspec.conv.direct"));
  /** The padded channels-last batch of the calling thread (one call at a time per thread). */
  private static final ThreadLocal<float[][]> PADDED =
      ThreadLocal.withInitial(() -> new float[][] {new float[0]});

  private DirectConv() {}

  /**
   * Whether {@code g} runs here: the vector backend, one group, at least {@link #MIN_IN}
   * input channels, whole strips of output channels and a kernel larger than 1x1. Depends on
   * the channels and kernel only, so filters packed for one input size fit every other.
   */
  static boolean applies(ConvGeometry g) {
    return ENABLED && Kernels.vectorized() && g.groups() == 1 && g.inChannels() >= MIN_IN
        && g.outChannels() % Kernels.panelWidth() == 0 && g.kernelH() * g.kernelW() > 1;
  }

  /**
   * The filters {@code w} ({@code (out, in, kh, kw)} from {@code wOff}) in strips, element
   * {@code (o, ci, i, j)} at {@code (((o / width * kh + i) * kw + j) * in + ci) * width + o %
   * width}, then the bias ({@code out} floats, zeros when null) once per position of a strip,
   * {@code (out / width, POSITIONS, width)}: a strip's accumulators start as one copy of it.
   * Into {@code into} when it has the size ({@link #packedSize}).
   */
  static float[] pack(ConvGeometry g, float[] w, int wOff, float[] bias, int biasOff,
      float[] into) {
    int width = Kernels.panelWidth();
    int out = g.outChannels();
    int in = g.inChannels();
    int taps = g.kernelH() * g.kernelW();
    int size = packedSize(g);
    float[] p = into != null && into.length == size ? into : new float[size];
    for (int o = 0; o < out; o++) {
      int strip = o / width * taps;
      int c = o % width;
      for (int ci = 0; ci < in; ci++) {
        int src = wOff + (o * in + ci) * taps;
        for (int t = 0; t < taps; t++) {
          p[((strip + t) * in + ci) * width + c] = w[src + t];
        }
      }
      float b = bias == null ? 0f : bias[biasOff + o];
      for (int j = 0; j < POSITIONS; j++) {
        p[out * in * taps + (o / width * POSITIONS + j) * width + c] = b;
      }
    }
    return p;
  }

  /** The floats {@link #pack} writes for {@code g}: the filters, then the bias per position. */
  static int packedSize(ConvGeometry g) {
    return g.outChannels() * (g.reduction() + POSITIONS);
  }

  /**
   * {@code y = act(conv2d(x, w) + bias + add)} with the filters packed by {@link #pack};
   * {@code add} may be null. Arguments as {@link Convolution#conv2d}.
   */
  static void conv2d(ConvGeometry g, float[] x, int xOff, float[] packed, Activation act,
      float[] add, int addOff, float[] y, int yOff, Task task) {
    if (g.positions() == 0 || g.batch() == 0) {
      return;
    }
    long macs = (long) g.batch() * g.outChannels() * g.positions() * g.reduction();
    int threads = macs < PARALLEL_MACS ? 1 : Kernels.threads();
    int unit = imagesPerUnit(g, threads);
    if (unit > 0) {
      task.split().run(threads, g, unit, x, xOff, packed, act, add, addOff, y, yOff);
      return;
    }
    passes(threads, g, x, xOff, packed, act, add, addOff, y, yOff, task);
  }

  /**
   * The images of a unit when {@code threads} threads split the batch into units of whole
   * images ({@link Split}), or 0: a unit per quarter of a thread's share of the batch (ResNet
   * at batch 8 on 2 threads: 2 images) where each thread gets two at least; else the threads
   * share every strip group of the whole batch.
   */
  static int imagesPerUnit(ConvGeometry g, int threads) {
    return threads < 2 || g.batch() < 2 * threads ? 0 : g.batch() / (2 * threads);
  }

  /** {@link #conv2d} on {@code threads} threads sharing the strip groups of the whole batch. */
  private static void passes(int threads, ConvGeometry g, float[] x, int xOff, float[] packed,
      Activation act, float[] add, int addOff, float[] y, int yOff, Task task) {
    int hp = paddedRows(g);
    int wp = paddedColumns(g);
    int ring = threads == 1 ? ringRows(g, hp) : 0;
    int per = ring > 0 ? g.batch() : imagesPerPass(g, threads);
    long rows = ring > 0 ? ring + (g.kernelH() - 1) * g.dilationH() : per * (long) hp;
    long floats = rows * wp * g.inChannels();
    if (floats > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("conv2d: the padded input is too large: " + g);
    }
    float[][] holder = PADDED.get();
    if (holder[0].length < floats) {
      holder[0] = new float[(int) floats];
    }
    if (per == g.batch()) {
      task.run(threads, g, hp, wp, x, xOff, holder[0], packed, act, add, addOff, y, yOff);
      return;
    }
    int in = g.inChannels() * g.inPlane();
    int out = g.outChannels() * g.positions();
    for (int i0 = 0; i0 < g.batch(); i0 += per) {
      ConvGeometry pass = task.pass(g, Math.min(per, g.batch() - i0));
      task.run(threads, pass, hp, wp, x, xOff + i0 * in, holder[0], packed, act, add,
          addOff + i0 * out, y, yOff + i0 * out);
    }
  }

  /**
   * The rows of the ring that the padded rows go round on one thread ({@link Task#padThrough}):
   * twice the most padded rows, {@code img * hp + row}, one strip group reads from its first
   * to its last, so no row is overwritten while a group still reads it, followed by a copy of
   * the first {@code (kh - 1) * dilation} (every window's rows consecutive); 0 where that is
   * no smaller than the batch. The copy then stays in L1/L2 between its pad and its strips and
   * is never written back to memory (ResNet's 64-channel batch is 6.9 MB, its ring 9 rows).
   */
  static int ringRows(ConvGeometry g, int hp) {
    int positions = g.positions();
    long total = (long) g.batch() * positions;
    int ow = g.outWidth();
    int reach = (g.kernelH() - 1) * g.dilationH() + 1;
    long span = 0;
    for (long first = 0; first < total; first += GROUP * POSITIONS) {
      long last = Math.min(total, first + GROUP * POSITIONS) - 1;
      long i0 = first / positions;
      long i1 = last / positions;
      long b0 = i0 * hp + (first - i0 * positions) / ow * g.strideH();
      long b1 = i1 * hp + (last - i1 * positions) / ow * g.strideH() + reach;
      span = Math.max(span, b1 - b0);
    }
    return span + reach - 1 < (long) g.batch() * hp ? (int) span : 0;
  }

  /** The rows of a padded image: those the windows reach. */
  private static int paddedRows(ConvGeometry g) {
    return (g.outHeight() - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
  }

  /** The columns of a padded image: those the windows reach. */
  private static int paddedColumns(ConvGeometry g) {
    return (g.outWidth() - 1) * g.strideW() + (g.kernelW() - 1) * g.dilationW() + 1;
  }

  /**
   * The images of a pass on {@code threads} threads: with a stride on one thread, as many as
   * fit in {@link #PASS_FLOATS} padded, at least one; else the whole batch.
   */
  static int imagesPerPass(ConvGeometry g, int threads) {
    if (threads > 1 || (g.strideH() == 1 && g.strideW() == 1)) {
      return g.batch();
    }
    long image = (long) paddedRows(g) * paddedColumns(g) * g.inChannels();
    return (int) Math.max(1, Math.min(g.batch(), PASS_FLOATS / Math.max(1, image)));
  }

  /**
   * On several threads, the batch in units of whole images ({@link #imagesPerUnit}), each
   * thread taking units from a shared counter ({@link Parallel.Claims}) and running each as one
   * thread runs a batch: its rows padded into its own ring (or passes) in its own cache right
   * before its strips read them. Where the threads shared every strip group, the whole batch
   * was padded first, through memory, and each thread's strips read rows the other had padded,
   * from the other core's cache. Each output is the same FMA chain whatever the unit, so the
   * bits do not change. Reused across calls (one per layer).
   */
  static final class Split implements Parallel.Items {
    private final Parallel.Claims claims = new Parallel.Claims();
    /** Per thread: the task that runs its units. */
    private Task[] tasks = new Task[0];
    /** Per thread: the geometries of its units ({@link Task#pass}: at most two sizes). */
    private Task[] cuts = new Task[0];
    private ConvGeometry g;
    private int unit;
    private float[] x;
    private int xOff;
    private float[] packed;
    private Activation act;
    private float[] add;
    private int addOff;
    private float[] y;
    private int yOff;

    void run(int threads, ConvGeometry g, int unit, float[] x, int xOff, float[] packed,
        Activation act, float[] add, int addOff, float[] y, int yOff) {
      if (tasks.length < threads) {
        Task[] t = Arrays.copyOf(tasks, threads);
        Task[] c = Arrays.copyOf(cuts, threads);
        for (int i = tasks.length; i < threads; i++) {
          t[i] = new Task();
          c[i] = new Task();
        }
        tasks = t;
        cuts = c;
      }
      this.g = g;
      this.unit = unit;
      this.x = x;
      this.xOff = xOff;
      this.packed = packed;
      this.act = act;
      this.add = add;
      this.addOff = addOff;
      this.y = y;
      this.yOff = yOff;
      try {
        claims.each(threads, (g.batch() + unit - 1) / unit, this);
      } finally {
        this.x = null;
        this.packed = null;
        this.add = null;
        this.y = null;
      }
    }

    /** Units {@code [from, to)}, a run the thread with tasks {@code slot} claimed. */
    @Override
    public void run(int slot, int from, int to) {
      // More shares than tasks only if setThreads raised the count meanwhile.
      Task task = slot < tasks.length ? tasks[slot] : new Task();
      Task cut = slot < cuts.length ? cuts[slot] : new Task();
      int in = g.inChannels() * g.inPlane();
      int out = g.outChannels() * g.positions();
      for (int u = from; u < to; u++) {
        int i0 = u * unit;
        ConvGeometry part = cut.pass(g, Math.min(unit, g.batch() - i0));
        passes(1, part, x, xOff + i0 * in, packed, act, add, addOff + i0 * out, y,
            yOff + i0 * out, task);
      }
    }
  }

  /**
   * One call's work, reused across calls (one per layer): first the images padded (items:
   * images), then the strips (items: groups of {@link #GROUP} strips of positions by strips
   * of output channels, position-group major). Each thread takes runs of items from a shared
   * counter ({@link Parallel.Claims}) and has its own scratch (its slot).
   */
  static final class Task implements Parallel.Items {
    /** Hands out the items of the current pass in runs. */
    private final Parallel.Claims claims = new Parallel.Claims();
    /**
     * Per thread: the accumulators of a group's strips, {@code (2 * GROUP, POSITIONS *
     * width)}: the first output-channel strip of an item's, then the second's ({@link #span}).
     */
    private float[][][] accs = new float[0][][];
    /** Per thread: where each position of a group reads its inputs. */
    private int[][] offsets = new int[0][];
    /** Per thread: a strip group's outputs, {@code (width, GROUP * POSITIONS)}. */
    private float[][] blocks = new float[0][];
    private boolean padding;
    /**
     * Whether the strips pad their own rows as they reach them ({@link #padThrough}): on one
     * thread, where the items run in order, so each group's new rows are copied right before
     * its strips read them, from L1/L2, instead of the whole batch first (through memory).
     */
    private boolean lazy;
    /** With {@link #lazy}: the padded rows done, {@code img * hp + row}, of the batch. */
    private int padDone;
    /**
     * With {@link #lazy}: the rows of the ring the padded rows go round ({@link #ringRows}),
     * row {@code img * hp + r} at {@code (img * hp + r) % ring}; 0 for the whole batch.
     */
    private int ring;
    /**
     * Output-channel strips per item: 2 where the backend runs strips in pairs ({@link
     * Kernels#pairsStrips}), their count is even (every ResNet width) and there are at least
     * {@link #MIN_PAIR_IN} input channels, else 1.
     */
    private int span;
    private ConvGeometry g;
    private int hp;
    private int wp;
    private float[] x;
    private int xOff;
    private float[] padded;
    private float[] packed;
    private Activation act;
    private float[] add;
    private int addOff;
    private float[] y;
    private int yOff;
    /** The geometry {@link #pass} last split, and its passes' (null: not made yet). */
    private ConvGeometry batch;
    private ConvGeometry full;
    private ConvGeometry rest;
    /** The split by units of images on several threads (made at its first use). */
    private Split split;

    /** The split of this layer's batch by units of whole images ({@link #imagesPerUnit}). */
    Split split() {
      if (split == null) {
        split = new Split();
      }
      return split;
    }

    /**
     * {@code g} for {@code n} of its images: made once per layer geometry and pass size (at
     * most two: the full passes and the last), so a warm call allocates nothing.
     */
    ConvGeometry pass(ConvGeometry g, int n) {
      if (g != batch) {
        batch = g;
        full = null;
        rest = null;
      }
      if (full != null && full.batch() == n) {
        return full;
      }
      if (rest != null && rest.batch() == n) {
        return rest;
      }
      ConvGeometry made = new ConvGeometry(n, g.inChannels(), g.height(), g.width(),
          g.outChannels(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padTop(),
          g.padLeft(), g.dilationH(), g.dilationW(), g.groups(), g.outHeight(), g.outWidth());
      if (full == null) {
        full = made;
      } else {
        rest = made;
      }
      return made;
    }

    void run(int threads, ConvGeometry g, int hp, int wp, float[] x, int xOff, float[] padded,
        float[] packed, Activation act, float[] add, int addOff, float[] y, int yOff) {
      int width = Kernels.panelWidth();
      if (accs.length < threads || accs[0][0].length != POSITIONS * width) {
        accs = new float[Math.max(threads, accs.length)][2 * GROUP][POSITIONS * width];
        offsets = new int[accs.length][GROUP * POSITIONS];
        blocks = new float[accs.length][width * GROUP * POSITIONS];
      }
      this.g = g;
      this.hp = hp;
      this.wp = wp;
      this.x = x;
      this.xOff = xOff;
      this.padded = padded;
      this.packed = packed;
      this.act = act;
      this.add = add;
      this.addOff = addOff;
      this.y = y;
      this.yOff = yOff;
      int chunks = g.outChannels() / width;
      span = Kernels.pairsStrips() && chunks % 2 == 0 && g.inChannels() >= MIN_PAIR_IN ? 2 : 1;
      try {
        lazy = threads == 1;
        padDone = 0;
        ring = lazy ? ringRows(g, hp) : 0;
        if (!lazy) {
          padding = true;
          claims.each(threads, g.batch(), this);
          padding = false;
        }
        int strips = (g.batch() * g.positions() + POSITIONS - 1) / POSITIONS;
        int groups = (strips + GROUP - 1) / GROUP;
        claims.each(threads, groups * (chunks / span), this);
      } finally {
        this.x = null;
        this.padded = null;
        this.packed = null;
        this.add = null;
        this.y = null;
      }
    }

    /**
     * Items {@code [from, to)} of the current pass, a run the thread with scratch {@code slot}
     * claimed: images to pad, or strip groups by output-channel strips.
     */
    @Override
    public void run(int slot, int from, int to) {
      if (padding) {
        for (int img = from; img < to; img++) {
          pad(g, img, x, xOff, hp, wp, padded);
        }
        return;
      }
      // More shares than scratch only if setThreads raised the count meanwhile.
      float[][] a = slot < accs.length ? accs[slot] : new float[2 * GROUP][accs[0][0].length];
      int[] at = slot < offsets.length ? offsets[slot] : new int[GROUP * POSITIONS];
      float[] b = slot < blocks.length ? blocks[slot] : new float[blocks[0].length];
      int chunks = g.outChannels() / Kernels.panelWidth() / span; // items per group
      int located = -1; // the group whose offsets are in at: one per run of its chunks
      for (int item = from; item < to; item++) {
        int group = item / chunks;
        if (group != located) {
          locate(group, at);
          located = group;
          if (lazy) {
            padThrough(group);
          }
        }
        strips(group, item % chunks * span, a, at, b);
      }
    }

    /**
     * Pads the rows of the batch that group {@code group}'s strips read and are not padded
     * yet: every row up to the last one its last position's window reaches (rows are padded in
     * order, so those before are done too), those of one image in one call ({@link #padRows}:
     * each input plane read in one run of them).
     */
    private void padThrough(int group) {
      int positions = g.positions();
      int last = Math.min(g.batch() * positions, (group + 1) * GROUP * POSITIONS) - 1;
      int img = last / positions;
      int oh = (last - img * positions) / g.outWidth();
      int through = img * hp + oh * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
      int rowFloats = wp * g.inChannels();
      int extra = (g.kernelH() - 1) * g.dilationH();
      int rowsTogether = Math.max(1, PAD_FLOATS / rowFloats);
      while (padDone < through) { // the image's rows together: each plane read in one run
        int i = padDone / hp;
        int r0 = padDone - i * hp;
        int r1 = Math.min(Math.min(hp, r0 + through - padDone), r0 + rowsTogether);
        padRows(g, i, r0, r1, x, xOff, hp, wp, padded, ring);
        for (int row = padDone; row < padDone + r1 - r0; row++) {
          int slot = ring > 0 ? row % ring : row;
          if (ring > 0 && slot < extra) { // again after the ring, for windows that wrap
            System.arraycopy(padded, slot * rowFloats, padded, (ring + slot) * rowFloats,
                rowFloats);
          }
        }
        padDone += r1 - r0;
      }
    }

    /**
     * Where each position of strip group {@code group} starts reading the padded input,
     * {@code at[s * POSITIONS + j]} for position {@code j} of strip {@code s}; a ragged last
     * strip repeats its last position. The same for every output-channel strip, so computed
     * once for a run of them (with one division, stepping through columns, rows and images).
     */
    private void locate(int group, int[] at) {
      int in = g.inChannels();
      int positions = g.positions();
      int ow = g.outWidth();
      int first = group * GROUP * POSITIONS;
      int last = Math.min(g.batch() * positions, first + GROUP * POSITIONS);
      int img = first / positions;
      int p = first - img * positions;
      int oh = p / ow;
      int col = p - oh * ow;
      int n = last - first;
      int filled = (n + POSITIONS - 1) / POSITIONS * POSITIONS;
      for (int u = 0; u < filled; u++) {
        if (u >= n) { // the ragged last strip: its last position again
          at[u] = at[n - 1];
          continue;
        }
        int row = img * hp + oh * g.strideH();
        at[u] = ((ring > 0 ? row % ring : row) * wp + col * g.strideW()) * in;
        if (++col == ow) {
          col = 0;
          if (++oh == g.outHeight()) {
            oh = 0;
            img++;
          }
        }
      }
    }

    /**
     * Strips of positions {@code [group * GROUP, ..)} by output-channel strips {@code [chunk,
     * chunk + span)} ({@code at} from {@link #locate}), kernel row by kernel row, each row for
     * every strip of the group in turn: a row's filters (12 KB for a 3x3 on 64 channels) stay
     * in L1 across the group, where strip by strip each strip read all of them (36 KB, past L1)
     * from L2 again. Two output-channel strips run as a pair ({@link Kernels#convStripPair}),
     * the second's accumulators at {@code accs[GROUP + s]}. Each accumulator still runs one FMA
     * chain over the rows in order.
     */
    private void strips(int group, int chunk, float[][] accs, int[] at, float[] block) {
      int width = Kernels.panelWidth();
      int in = g.inChannels();
      int kh = g.kernelH();
      int kw = g.kernelW();
      int positions = g.positions();
      int total = g.batch() * positions;
      int rowStep = g.dilationH() * wp * in;
      int chunkFloats = kh * kw * in * width; // one output-channel strip's packed filters
      int wBase = chunk * chunkFloats;
      int biasAt = g.outChannels() * in * kh * kw + chunk * POSITIONS * width;
      int first = group * GROUP * POSITIONS;
      int last = Math.min(total, first + GROUP * POSITIONS);
      int strips = (last - first + POSITIONS - 1) / POSITIONS;
      for (int k = 0; k < span; k++) { // the bias, once per position
        for (int s = 0; s < strips; s++) {
          System.arraycopy(packed, biasAt + k * POSITIONS * width, accs[k * GROUP + s], 0,
              POSITIONS * width);
        }
      }
      // With a dilation of 1 along the width a kernel row's kw * in inputs are consecutive
      // (one call per strip); otherwise each tap is a call of in steps.
      int taps = g.dilationW() == 1 ? 1 : kw;
      int steps = g.dilationW() == 1 ? kw * in : in;
      // A pair's last strip with one position (49 = 8 * 6 + 1: the 7x7 stage at batch 1) runs
      // that position alone, not six copies of it.
      int lone = span == 2 && last - first == (strips - 1) * POSITIONS + 1 ? strips - 1 : -1;
      for (int i = 0; i < kh; i++) {
        for (int t = 0; t < taps; t++) {
          int d = i * rowStep + t * g.dilationW() * in;
          int w0 = wBase + (i * taps + t) * steps * width;
          for (int s = 0; s < strips; s++) {
            int a = s * POSITIONS;
            if (s == lone) {
              Kernels.convPositionPair(width, steps, padded, at[a] + d, packed, w0,
                  w0 + chunkFloats, accs[s], accs[GROUP + s]);
            } else if (span == 2) {
              Kernels.convStripPair(width, steps, padded, at[a] + d, at[a + 1] + d,
                  at[a + 2] + d, at[a + 3] + d, at[a + 4] + d, at[a + 5] + d, packed, w0,
                  w0 + chunkFloats, accs[s], accs[GROUP + s]);
            } else {
              Kernels.convStrip(width, steps, padded, at[a] + d, at[a + 1] + d, at[a + 2] + d,
                  at[a + 3] + d, at[a + 4] + d, at[a + 5] + d, packed, w0, accs[s]);
            }
          }
        }
      }
      for (int k = 0; k < span; k++) {
        out(group, chunk + k, accs, k * GROUP, block);
      }
    }

    /**
     * The sums of output-channel strip {@code chunk} of group {@code group} ({@code accs[from +
     * s]} for strip {@code s}) through {@code block} to the output, with the residual and the
     * activation.
     */
    private void out(int group, int chunk, float[][] accs, int from, float[] block) {
      int width = Kernels.panelWidth();
      int positions = g.positions();
      int total = g.batch() * positions;
      int first = group * GROUP * POSITIONS;
      int last = Math.min(total, first + GROUP * POSITIONS);
      // Into the block, (width, positions of the group).
      Kernels.convStripsBlock(width, accs, from, last - first, block, GROUP * POSITIONS);
      // Without a residual, ReLU once over the whole block (one call instead of one per
      // channel and run).
      boolean blockRelu = add == null && act == Activation.RELU;
      if (blockRelu) {
        Kernels.unary(UnaryOp.RELU, block, 0, block, 0, block.length);
      }
      // Out to (batch, out, oh, ow): a run of positions per image and channel, the residual
      // added and the activation applied on the way.
      for (int v = first; v < last; ) {
        int img = v / positions;
        int p = v - img * positions;
        int run = Math.min(positions - p, last - v);
        for (int c = 0; c < width; c++) {
          int to = yOff + (img * g.outChannels() + chunk * width + c) * positions + p;
          int at = c * GROUP * POSITIONS + v - first;
          if (add == null) {
            System.arraycopy(block, at, y, to, run);
          } else {
            Kernels.binary(BinaryOp.ADD, block, at, add, addOff + to - yOff, y, to, run);
          }
          if (act == Activation.RELU && !blockRelu) {
            Kernels.unary(UnaryOp.RELU, y, to, y, to, run);
          }
        }
        v += run;
      }
    }
  }

  /**
   * Image {@code img} of {@code x} into {@code padded} channels-last, {@code (hp, wp, in)} at
   * {@code img * hp * wp * in}, the input at row {@code padTop}, column {@code padLeft}, zeros
   * around (inputs past {@code hp} or {@code wp} are never read and not copied).
   */
  static void pad(ConvGeometry g, int img, float[] x, int xOff, int hp, int wp,
      float[] padded) {
    for (int r = 0; r < hp; r++) { // row by row: the rows written stay in L1/L2
      padRows(g, img, r, r + 1, x, xOff, hp, wp, padded, 0);
    }
  }

  /**
   * Rows {@code [r0, r1)} of the padded image {@code img}, as {@link #pad} writes them, row
   * {@code r} at row {@code (img * hp + r) % ring} of {@code padded} ({@code ring} 0: no
   * ring). Eight channels at a time over all the rows, so each input plane is read in one run
   * of {@code r1 - r0} rows ({@link Task#padThrough} passes the rows one strip group reaches):
   * row by row, a 28-wide row of a plane was under two cache lines and the 128-channel copy
   * from memory ran 1.0 ns a float, three or four rows at a time 0.6 (a probe of the copy
   * alone, 8 x 128 x 28 x 28, AMD EPYC Zen 5, loaded).
   */
  static void padRows(ConvGeometry g, int img, int r0, int r1, float[] x, int xOff, int hp,
      int wp, float[] padded, int ring) {
    int in = g.inChannels();
    int h = g.height();
    int w = g.width();
    int plane = g.inPlane();
    int src = xOff + img * in * plane;
    int left = Math.min(wp, g.padLeft());
    int cols = Math.max(0, Math.min(w, wp - left)); // input columns copied
    int rowFloats = wp * in;
    for (int r = r0; r < r1; r++) { // the zeros: whole padding rows, else the edge columns
      int row = padRowAt(img, r, hp, ring) * rowFloats;
      int ih = r - g.padTop();
      if (ih < 0 || ih >= h) {
        Arrays.fill(padded, row, row + rowFloats, 0f);
      } else {
        Arrays.fill(padded, row, row + left * in, 0f);
        Arrays.fill(padded, row + (left + cols) * in, row + rowFloats, 0f);
      }
    }
    int first = Math.max(r0, g.padTop()); // the rows that hold inputs
    int end = Math.min(r1, g.padTop() + h);
    // (in, w) -> (w, in), eight channels at a time: read along eight rows, write each
    // column's eight floats together. One channel at a time wrote one float per column, in
    // floats apart: 1.7 ns an input at 64 channels (56x56), 3.3 at 128 (28x28), 12% of those
    // layers; this way 1.0 (CPU time, AMD EPYC Zen 4, loaded).
    int c = 0;
    for (; c + 8 <= in; c += 8) {
      for (int r = first; r < end; r++) {
        int s = src + (r - g.padTop()) * w + c * plane;
        int to = padRowAt(img, r, hp, ring) * rowFloats + left * in + c;
        for (int col = 0, t = to; col < cols; col++, t += in) {
          padded[t] = x[s + col];
          padded[t + 1] = x[s + plane + col];
          padded[t + 2] = x[s + 2 * plane + col];
          padded[t + 3] = x[s + 3 * plane + col];
          padded[t + 4] = x[s + 4 * plane + col];
          padded[t + 5] = x[s + 5 * plane + col];
          padded[t + 6] = x[s + 6 * plane + col];
          padded[t + 7] = x[s + 7 * plane + col];
        }
      }
    }
    for (; c < in; c++) { // the rest one at a time
      for (int r = first; r < end; r++) {
        int s = src + (r - g.padTop()) * w + c * plane;
        int to = padRowAt(img, r, hp, ring) * rowFloats + left * in + c;
        for (int col = 0; col < cols; col++) {
          padded[to + col * in] = x[s + col];
        }
      }
    }
  }

  /** Where padded row {@code r} of image {@code img} goes: its row of the batch, or of the ring. */
  private static int padRowAt(int img, int r, int hp, int ring) {
    int row = img * hp + r;
    return ring > 0 ? row % ring : row;
  }
}
