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

    /** An empty workspace: the first call sizes it. */
    public Workspace() {}

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
          ws.scratch = Im2col.pack(g, x, xg, p0, filters.bias, cols, ws.scratch);
          Kernels.gemm(filters.groups[grp], cols, y, yg + p0, positions, null, 0, act);
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
