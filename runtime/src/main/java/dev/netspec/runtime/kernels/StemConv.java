package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.Vectors.EXACT;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The direct convolution of a network's stem (ResNet's 7x7 stride-2 on 3 channels): few input
 * channels, so {@link DirectConv}'s strips reduce over only {@code kw * in} inputs a kernel row
 * (21) and their six positions' accumulators make a round trip through memory between rows,
 * and a strip's 6 x 32 sums are transposed one float at a time on the way out. Here the
 * vectors run along the output positions instead: a tile of {@value #CHANNELS} output channels
 * by {@value #VECTORS} vectors of consecutive positions keeps 24 accumulators in registers over
 * all {@code kh * kw * in} taps (one call, one loop), with per tap {@value #VECTORS} vector loads
 * of inputs and {@value #CHANNELS} broadcast filters, and its sums are already in the output's
 * {@code (N, C, H, W)} order.
 *
 * <p>For consecutive outputs to read consecutive inputs at a stride {@code s}, each image is
 * first split into {@code sh * sw} phase planes per channel, zero-padded: plane {@code (a, b)}
 * holds padded input {@code (r * sh + a, c * sw + b)} at {@code (r, c)}, {@code pw} columns a
 * row. Output {@code (oh, ow)} is then position {@code v = oh * pw + ow} of a flat range, and
 * tap {@code (i, j, ci)} reads every position at one offset from {@code v}: the {@code pw - outWidth}
 * positions past each row's end (3 of 115 in ResNet's stem) are computed and dropped.
 *
 * <p>The filters are read as {@link DirectConv#pack} laid them out (the four channels of a tile
 * are consecutive for each tap), and every output is the bias then one FMA chain over the kernel
 * rows, their taps and the input channels, in {@link DirectConv}'s order: the same bits as its
 * strips and their scalar twin ({@code StemConvTest}).
 */
final class StemConv {
  private static final VectorSpecies<Float> S = VectorBackend.SPECIES;
  private static final int L = S.length();
  /** Output channels per tile. */
  static final int CHANNELS = 4;
  /** Vectors of positions per tile. */
  static final int VECTORS = 6;
  /** Positions per tile. */
  static final int TILE = VECTORS * L;
  /** Tiles per work item: each channel group's filters stay in L1 across them. */
  private static final int SPAN = 4;
  /** Output columns from which a convolution runs here (ResNet's stem: 112). */
  static final int MIN_WIDTH = 64;
  /** Input channels up to which a convolution runs here (ResNet's stem: 3). */
  static final int MAX_IN = 4;
  /** Multiply-adds below which a call runs on one thread. */
  private static final long PARALLEL_MACS = 1L << 21;
  /** {@code -Dnetspec.conv.stem=false} keeps the stem on {@link DirectConv}'s strips (A/B). */
  private static final boolean ENABLED =
      !"false".equalsIgnoreCase(System.getProperty("netspec.conv.stem"));
  /** The phase planes of the calling thread's batch (one call at a time per thread). */
  private static final ThreadLocal<float[][]> PLANES =
      ThreadLocal.withInitial(() -> new float[][] {new float[0]});

  private StemConv() {}

  /**
   * Whether {@code g} (which {@link DirectConv} runs) runs here: at most {@link #MAX_IN} input
   * channels, output rows of at least {@link #MIN_WIDTH} (the columns computed and dropped per
   * row are few beside them), and 512-bit vectors (the tile's 24 accumulators, 6 inputs and a
   * filter fit 32 registers, not AVX2's 16).
   */
  static boolean applies(ConvGeometry g) {
    return ENABLED && L >= 16 && DirectConv.applies(g) && g.inChannels() <= MAX_IN
        && g.outWidth() >= MIN_WIDTH;
  }

  /**
   * {@code y = act(conv2d(x, w) + bias + add)}, the filters packed by {@link DirectConv#pack};
   * {@code add} may be null. Arguments as {@link Convolution#conv2d}.
   */
  static void conv2d(ConvGeometry g, float[] x, int xOff, float[] packed, Activation act,
      float[] add, int addOff, float[] y, int yOff, Task task) {
    if (g.positions() == 0 || g.batch() == 0) {
      return;
    }
    int hp = (g.outHeight() - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
    int wp = (g.outWidth() - 1) * g.strideW() + (g.kernelW() - 1) * g.dilationW() + 1;
    int ph = (hp + g.strideH() - 1) / g.strideH();
    int pw = (wp + g.strideW() - 1) / g.strideW();
    long image = (long) g.inChannels() * g.strideH() * g.strideW() * ph * pw;
    long floats = g.batch() * image + TILE; // a last tile reads past the last row
    if (floats > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("conv2d: the padded input is too large: " + g);
    }
    float[][] holder = PLANES.get();
    if (holder[0].length < floats) {
      holder[0] = new float[(int) floats];
    }
    long macs = (long) g.batch() * g.outChannels() * g.positions() * g.reduction();
    int threads = macs < PARALLEL_MACS ? 1 : Kernels.threads();
    task.run(threads, g, ph, pw, (int) image, x, xOff, holder[0], packed, act, add, addOff, y,
        yOff);
  }

  /**
   * One call's work, reused across calls (one per layer): first the phase planes (items: an
   * image's input channel), then the tiles (items: an image's run of {@link #SPAN} tiles, all
   * output channels).
   */
  static final class Task implements Parallel.Items {
    /** Hands out the items of the current pass in runs. */
    private final Parallel.Claims claims = new Parallel.Claims();
    /** Per thread: a tile's outputs, {@code (CHANNELS, TILE)}. */
    private float[][] blocks = new float[0][];
    /** Where each tap reads, from a position's index in its image's planes. */
    private int[] offsets = new int[0];
    private boolean planesPass;
    private ConvGeometry g;
    private int ph;
    private int pw;
    private int image;
    private int tiles;
    private int spans;
    private float[] x;
    private int xOff;
    private float[] planes;
    private float[] packed;
    private Activation act;
    private float[] add;
    private int addOff;
    private float[] y;
    private int yOff;

    void run(int threads, ConvGeometry g, int ph, int pw, int image, float[] x, int xOff,
        float[] planes, float[] packed, Activation act, float[] add, int addOff, float[] y,
        int yOff) {
      if (blocks.length < threads) {
        blocks = new float[threads][CHANNELS * TILE];
      }
      this.g = g;
      this.ph = ph;
      this.pw = pw;
      this.image = image;
      this.x = x;
      this.xOff = xOff;
      this.planes = planes;
      this.packed = packed;
      this.act = act;
      this.add = add;
      this.addOff = addOff;
      this.y = y;
      this.yOff = yOff;
      locateTaps();
      int virtual = (g.outHeight() - 1) * pw + g.outWidth();
      tiles = (virtual + TILE - 1) / TILE;
      spans = (tiles + SPAN - 1) / SPAN;
      try {
        planesPass = true;
        claims.each(threads, g.batch() * g.inChannels(), this);
        planesPass = false;
        claims.each(threads, g.batch() * spans, this);
      } finally {
        this.x = null;
        this.planes = null;
        this.packed = null;
        this.add = null;
        this.y = null;
      }
    }

    /** The taps' offsets in {@link DirectConv}'s order: kernel row, column, input channel. */
    private void locateTaps() {
      int taps = g.reduction();
      if (offsets.length != taps) {
        offsets = new int[taps];
      }
      int plane = ph * pw;
      int phases = g.strideH() * g.strideW();
      int t = 0;
      for (int i = 0; i < g.kernelH(); i++) {
        int r = i * g.dilationH();
        for (int j = 0; j < g.kernelW(); j++) {
          int c = j * g.dilationW();
          int phase = r % g.strideH() * g.strideW() + c % g.strideW();
          for (int ci = 0; ci < g.inChannels(); ci++) {
            offsets[t++] = (ci * phases + phase) * plane + r / g.strideH() * pw
                + c / g.strideW();
          }
        }
      }
    }

    /**
     * Items {@code [from, to)} of the current pass, a run the thread with block {@code slot}
     * claimed ({@link Parallel.Claims}: a static split made a thread that got less of the
     * machine hold up the other): an image's input channels, or an image's spans of tiles.
     */
    @Override
    public void run(int slot, int from, int to) {
      if (planesPass) {
        for (int item = from; item < to; item++) {
          phases(item / g.inChannels(), item % g.inChannels());
        }
        return;
      }
      // More shares than blocks only if setThreads raised the count meanwhile.
      float[] block = slot < blocks.length ? blocks[slot] : new float[CHANNELS * TILE];
      for (int item = from; item < to; item++) {
        span(item / spans, item % spans, block);
      }
    }

    /** Channel {@code ci} of image {@code img} into its phase planes, zeros around. */
    private void phases(int img, int ci) {
      int sh = g.strideH();
      int sw = g.strideW();
      int h = g.height();
      int w = g.width();
      int src = xOff + (img * g.inChannels() + ci) * g.inPlane();
      for (int a = 0; a < sh; a++) {
        for (int b = 0; b < sw; b++) {
          int dst = img * image + ((ci * sh + a) * sw + b) * ph * pw;
          // columns c with 0 <= c * sw + b - padLeft < w
          int c0 = Math.max(0, (g.padLeft() - b + sw - 1) / sw);
          int c1 = Math.max(c0, Math.min(pw, (w + g.padLeft() - b + sw - 1) / sw));
          for (int r = 0; r < ph; r++) {
            int row = dst + r * pw;
            int ih = r * sh + a - g.padTop();
            if (ih < 0 || ih >= h || c0 == c1) {
              Arrays.fill(planes, row, row + pw, 0f);
              continue;
            }
            Arrays.fill(planes, row, row + c0, 0f);
            int s = src + ih * w + c0 * sw + b - g.padLeft();
            if (sw == 1) {
              System.arraycopy(x, s, planes, row + c0, c1 - c0);
            } else {
              for (int c = c0; c < c1; c++, s += sw) {
                planes[row + c] = x[s];
              }
            }
            Arrays.fill(planes, row + c1, row + pw, 0f);
          }
        }
      }
    }

    /**
     * Tiles {@code [span * SPAN, ..)} of image {@code img}, every output channel: for each
     * channel group, its tiles in turn (the group's filters stay in L1), each out to {@code y}.
     */
    private void span(int img, int span, float[] block) {
      int width = Kernels.panelWidth();
      int out = g.outChannels();
      int taps = g.reduction();
      int biasBase = out * taps;
      int first = span * SPAN;
      int last = Math.min(tiles, first + SPAN);
      int base = img * image;
      for (int o = 0; o < out; o += CHANNELS) {
        int w0 = o / width * taps * width + o % width;
        int b0 = biasBase + o / width * DirectConv.POSITIONS * width + o % width;
        for (int t = first; t < last; t++) {
          tile(taps, planes, base + t * TILE, offsets, packed, w0, b0, block);
          writeOut(img, o, t * TILE, block);
        }
      }
    }

    /**
     * The tile's {@code (CHANNELS, TILE)} sums from {@code block} to channels {@code [o, o +
     * CHANNELS)} of image {@code img} at positions {@code [v0, v0 + TILE)}: the part of each
     * row inside the output, the residual added and the activation applied on the way.
     */
    private void writeOut(int img, int o, int v0, float[] block) {
      int ow = g.outWidth();
      int positions = g.positions();
      boolean blockRelu = add == null && act == Activation.RELU;
      if (blockRelu) {
        Kernels.unary(UnaryOp.RELU, block, 0, block, 0, block.length);
      }
      int end = Math.min(v0 + TILE, (g.outHeight() - 1) * pw + ow);
      for (int v = v0; v < end; ) {
        int oh = v / pw;
        int col = v - oh * pw;
        int rowEnd = oh * pw + ow;
        if (col >= ow) { // past the row's end: dropped
          v = rowEnd - ow + pw;
          continue;
        }
        int run = Math.min(rowEnd, end) - v;
        for (int r = 0; r < CHANNELS; r++) {
          int to = yOff + (img * g.outChannels() + o + r) * positions + oh * ow + col;
          int from = r * TILE + v - v0;
          if (add == null) {
            System.arraycopy(block, from, y, to, run);
          } else {
            Kernels.binary(BinaryOp.ADD, block, from, add, addOff + to - yOff, y, to, run);
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
   * {@code out[r * TILE + p] = bias[b0 + r] + sum over taps t of x[p0 + at[t] + p] * w[w0 + t *
   * width + r]} for {@code r < CHANNELS}, {@code p < TILE}, one FMA chain per output in order of
   * {@code t} ({@code width} = {@link Kernels#panelWidth}, {@link DirectConv#pack}'s layout).
   */
  static void tile(int taps, float[] x, int p0, int[] at, float[] w, int w0, int b0,
      float[] out) {
    // 24 accumulators, 6 inputs and a filter: 31 of AVX-512's 32 registers. 4 channels by 4
    // vectors (16 accumulators) ran 0.84x this (8x3x224x224, 7x7/s2, JDK 17, CPU time).
    int width = 2 * L;
    FloatVector c00 = EXACT.cast(FloatVector.broadcast(S, w[b0]));
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c03 = c00;
    FloatVector c04 = c00;
    FloatVector c05 = c00;
    FloatVector c10 = EXACT.cast(FloatVector.broadcast(S, w[b0 + 1]));
    FloatVector c11 = c10;
    FloatVector c12 = c10;
    FloatVector c13 = c10;
    FloatVector c14 = c10;
    FloatVector c15 = c10;
    FloatVector c20 = EXACT.cast(FloatVector.broadcast(S, w[b0 + 2]));
    FloatVector c21 = c20;
    FloatVector c22 = c20;
    FloatVector c23 = c20;
    FloatVector c24 = c20;
    FloatVector c25 = c20;
    FloatVector c30 = EXACT.cast(FloatVector.broadcast(S, w[b0 + 3]));
    FloatVector c31 = c30;
    FloatVector c32 = c30;
    FloatVector c33 = c30;
    FloatVector c34 = c30;
    FloatVector c35 = c30;
    for (int t = 0, wt = w0; t < taps; t++, wt += width) {
      int p = p0 + at[t];
      FloatVector x0 = EXACT.cast(FloatVector.fromArray(S, x, p));
      FloatVector x1 = EXACT.cast(FloatVector.fromArray(S, x, p + L));
      FloatVector x2 = EXACT.cast(FloatVector.fromArray(S, x, p + 2 * L));
      FloatVector x3 = EXACT.cast(FloatVector.fromArray(S, x, p + 3 * L));
      FloatVector x4 = EXACT.cast(FloatVector.fromArray(S, x, p + 4 * L));
      FloatVector x5 = EXACT.cast(FloatVector.fromArray(S, x, p + 5 * L));
      FloatVector f = EXACT.cast(FloatVector.broadcast(S, w[wt + 0]));
      c00 = x0.fma(f, c00);
      c01 = x1.fma(f, c01);
      c02 = x2.fma(f, c02);
      c03 = x3.fma(f, c03);
      c04 = x4.fma(f, c04);
      c05 = x5.fma(f, c05);
      f = EXACT.cast(FloatVector.broadcast(S, w[wt + 1]));
      c10 = x0.fma(f, c10);
      c11 = x1.fma(f, c11);
      c12 = x2.fma(f, c12);
      c13 = x3.fma(f, c13);
      c14 = x4.fma(f, c14);
      c15 = x5.fma(f, c15);
      f = EXACT.cast(FloatVector.broadcast(S, w[wt + 2]));
      c20 = x0.fma(f, c20);
      c21 = x1.fma(f, c21);
      c22 = x2.fma(f, c22);
      c23 = x3.fma(f, c23);
      c24 = x4.fma(f, c24);
      c25 = x5.fma(f, c25);
      f = EXACT.cast(FloatVector.broadcast(S, w[wt + 3]));
      c30 = x0.fma(f, c30);
      c31 = x1.fma(f, c31);
      c32 = x2.fma(f, c32);
      c33 = x3.fma(f, c33);
      c34 = x4.fma(f, c34);
      c35 = x5.fma(f, c35);
    }
    EXACT.cast(c00).intoArray(out, 0);
    EXACT.cast(c01).intoArray(out, L);
    EXACT.cast(c02).intoArray(out, 2 * L);
    EXACT.cast(c03).intoArray(out, 3 * L);
    EXACT.cast(c04).intoArray(out, 4 * L);
    EXACT.cast(c05).intoArray(out, 5 * L);
    EXACT.cast(c10).intoArray(out, 1 * TILE);
    EXACT.cast(c11).intoArray(out, 1 * TILE + L);
    EXACT.cast(c12).intoArray(out, 1 * TILE + 2 * L);
    EXACT.cast(c13).intoArray(out, 1 * TILE + 3 * L);
    EXACT.cast(c14).intoArray(out, 1 * TILE + 4 * L);
    EXACT.cast(c15).intoArray(out, 1 * TILE + 5 * L);
    EXACT.cast(c20).intoArray(out, 2 * TILE);
    EXACT.cast(c21).intoArray(out, 2 * TILE + L);
    EXACT.cast(c22).intoArray(out, 2 * TILE + 2 * L);
    EXACT.cast(c23).intoArray(out, 2 * TILE + 3 * L);
    EXACT.cast(c24).intoArray(out, 2 * TILE + 4 * L);
    EXACT.cast(c25).intoArray(out, 2 * TILE + 5 * L);
    EXACT.cast(c30).intoArray(out, 3 * TILE);
    EXACT.cast(c31).intoArray(out, 3 * TILE + L);
    EXACT.cast(c32).intoArray(out, 3 * TILE + 2 * L);
    EXACT.cast(c33).intoArray(out, 3 * TILE + 3 * L);
    EXACT.cast(c34).intoArray(out, 3 * TILE + 4 * L);
    EXACT.cast(c35).intoArray(out, 3 * TILE + 5 * L);
  }
}
