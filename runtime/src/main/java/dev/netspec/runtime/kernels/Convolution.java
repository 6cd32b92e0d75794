package dev.netspec.runtime.kernels;

import java.util.Objects;

/**
 * 2-D convolution on {@code float[]} arrays (row-major {@code (batch, channels, height,
 * width)}), through the packed GEMM: for each image, group and chunk of output positions, the
 * image patches are written straight into a packed right-hand operand ({@link Im2col}), and
 * the filters, packed once ({@link Filters}), multiply them into the output rows: {@code
 * y[o, p] = act(sum_r w[o, r] * cols[r, p] + bias[o])}. The bias is the filters' last column
 * against a row of ones, so it and the activation are done by the GEMM. A 1x1 convolution with
 * stride 1 and no padding reads its input planes as they are. A depthwise convolution runs a
 * direct kernel ({@link Kernels#depthwiseConv2d}).
 */
public final class Convolution {
  /** The floats of patches per chunk (512 KiB): a chunk stays in L2 while the filters pass. */
  private static final int CHUNK_FLOATS = 1 << 17;
  /** Panels per chunk at least: fewer make the GEMM read the filters in place, 4 rows a time. */
  private static final int MIN_PANELS = 4;

  private Convolution() {}

  /**
   * A convolution's filters {@code (out, in / groups, kh, kw)} and bias packed once per
   * group as the GEMM's left operand, {@code (out / groups) x (in / groups * kh * kw [+ 1])}.
   * A snapshot: {@link #repack} after the weights change.
   */
  public static final class Filters {
    private final PackedRows[] groups;
    private final boolean bias;
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
   * The buffers a convolution reuses across calls: the packed patches of a chunk (one per
   * chunk width in use) and a copy for dot panels. One per layer; not for concurrent use.
   */
  public static final class Workspace {
    private PackedMatrix full;
    private PackedMatrix last;
    private float[] scratch = new float[0];
    private final int[] segments = new int[3 * (Kernels.panelWidth() + 1)];

    /** An empty workspace: the first call sizes it. */
    public Workspace() {}

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
    Objects.requireNonNull(act, "act");
    if (g.isDepthwise()) {
      Kernels.depthwiseConv2d(g, x, xOff, w, wOff, bias, biasOff, act, y, yOff);
      return;
    }
    if (!filters.fits(g, bias != null)) {
      throw new IllegalArgumentException("conv2d: the packed filters do not fit " + g);
    }
    Objects.checkFromIndexSize(xOff, (long) g.batch() * g.inChannels() * g.inPlane(),
        x.length);
    Objects.checkFromIndexSize(yOff, (long) g.batch() * g.outChannels() * g.positions(),
        y.length);
    if (Im2col.rowsOfPaddedWidth(g)) {
      conv2dPadded(g, x, xOff, filters, act, y, yOff, ws);
      return;
    }
    int k = g.reduction() + (filters.bias ? 1 : 0);
    int positions = g.positions();
    int chunk = chunkColumns(k, positions);
    int inGroup = g.inPerGroup() * g.inPlane();
    int outGroup = g.outPerGroup() * positions;
    for (int b = 0; b < g.batch(); b++) {
      for (int grp = 0; grp < g.groups(); grp++) {
        int xg = xOff + (b * g.groups() + grp) * inGroup;
        int yg = yOff + (b * g.groups() + grp) * outGroup;
        for (int p0 = 0; p0 < positions; p0 += chunk) {
          int n = Math.min(chunk, positions - p0);
          PackedMatrix cols = ws.cols(k, n, n != chunk);
          ws.scratch = Im2col.pack(g, x, xg, p0, filters.bias, cols, ws.scratch, ws.segments);
          Kernels.gemm(filters.groups[grp], cols, y, yg + p0, positions, null, 0, act);
        }
      }
    }
  }

  /**
   * Stride 1 over a zero-padded copy of each image (planes of {@code hp x wp}, {@code hp =
   * outHeight + (kh - 1) * dh}, {@code wp = outWidth + (kw - 1) * dw}), computing every column
   * {@code ow < wp} of each output row: then the inputs of one patch row are consecutive across
   * output rows, so the patches are copied a whole panel row at a time ({@link
   * Im2col#packPadded}). The {@code wp - outWidth} extra columns per row are computed into a
   * scratch block and dropped when the valid ones are copied out.
   */
  private static void conv2dPadded(ConvGeometry g, float[] x, int xOff, Filters filters,
      Activation act, float[] y, int yOff, Workspace ws) {
    int k = g.reduction() + (filters.bias ? 1 : 0);
    int hp = g.outHeight() + (g.kernelH() - 1) * g.dilationH();
    int wp = g.outWidth() + (g.kernelW() - 1) * g.dilationW();
    int virtual = (g.outHeight() - 1) * wp + g.outWidth(); // the last row's extra columns: none
    int chunk = chunkColumns(k, virtual);
    int m = g.outPerGroup();
    int positions = g.positions();
    float[] padded = ws.padded(g.inPerGroup() * hp * wp);
    float[] block = ws.block(m * chunk); // (m, chunk): a chunk of C, extra columns included
    for (int b = 0; b < g.batch(); b++) {
      for (int grp = 0; grp < g.groups(); grp++) {
        int xg = xOff + (b * g.groups() + grp) * g.inPerGroup() * g.inPlane();
        int yg = yOff + (b * g.groups() + grp) * m * positions;
        Im2col.padPlanes(g, x, xg, hp, wp, padded);
        for (int v0 = 0; v0 < virtual; v0 += chunk) {
          int n = Math.min(chunk, virtual - v0);
          PackedMatrix cols = ws.cols(k, n, n != chunk);
          ws.scratch = Im2col.packPadded(g, padded, hp, wp, v0, filters.bias, cols, ws.scratch);
          Kernels.gemm(filters.groups[grp], cols, block, 0, n, null, 0, act);
          // Copy out the valid columns of each output row the chunk touches.
          for (int v = v0; v < v0 + n; ) {
            int oh = v / wp;
            int ow = v - oh * wp;
            int run = Math.min(v0 + n, oh * wp + g.outWidth()) - v;
            if (run > 0) {
              for (int o = 0; o < m; o++) {
                System.arraycopy(block, o * n + v - v0, y, yg + o * positions
                    + oh * g.outWidth() + ow, run);
              }
            }
            v = (oh + 1) * wp;
          }
        }
      }
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

  /** The input index that padded index {@code i} (in {@code [-pad, size + pad)}) copies. */
  private static int source(int i, int size, boolean reflect) {
    if (i < 0) {
      return reflect ? -i : 0;
    }
    if (i >= size) {
      return reflect ? 2 * (size - 1) - i : size - 1;
    }
    return i;
  }
}
