package dev.netspec.runtime.kernels;

import java.util.Arrays;

/**
 * Image patches written straight into the packed layout the GEMM reads ({@link
 * PackedMatrix}): for one image and one group, the {@code k x n} matrix whose column {@code p}
 * holds the {@code k = channels * kh * kw} inputs that output position {@code p0 + p} reads
 * (row {@code (c, i, j)}: channel {@code c}, kernel row {@code i}, kernel column {@code j}),
 * zero where they fall in the padding. With an extra row of ones (the filters then carry the
 * bias as their last column), the GEMM adds the bias itself. Data movement only, the same code
 * for every backend: along an output row the inputs of one {@code (c, i, j)} are consecutive
 * at stride 1, so they are copied as runs.
 */
final class Im2col {
  private Im2col() {}

  /**
   * Fills {@code cols} ({@code k (+1) x n}) with the patches of positions {@code [p0, p0 + n)}
   * of the channels from {@code x[xOff]} ({@code g.inPerGroup()} planes of {@code g.inPlane()}
   * values); {@code ones} adds the row of ones. {@code scratch} holds a row-major copy for a
   * panel packed for dot products; it is grown as needed and returned. {@code segments} holds
   * {@code 4 * cols.panelWidth()} ints. Positions past the image's last are the next image's
   * ({@link #rows}), so {@code cols} may hold the patches of several images.
   */
  static float[] pack(ConvGeometry g, float[] x, int xOff, int p0, boolean ones,
      PackedMatrix cols, float[] scratch, int[] segments) {
    return pack(g, x, xOff, p0, cols.columns(), ones, cols, scratch, segments, false);
  }

  /**
   * {@link #pack} from the phase planes of one image ({@link #phasePlanes}) instead of the
   * image: every patch row of a run of positions is then one run of consecutive floats.
   */
  static float[] packPhased(ConvGeometry g, float[] phases, int p0, boolean ones,
      PackedMatrix cols, float[] scratch, int[] segments) {
    return pack(g, phases, 0, p0, cols.columns(), ones, cols, scratch, segments, true);
  }

  /**
   * {@link #pack} of the first {@code valid} columns only: the columns past them (whose
   * products the caller drops) are left as they are.
   */
  static float[] pack(ConvGeometry g, float[] x, int xOff, int p0, int valid, boolean ones,
      PackedMatrix cols, float[] scratch, int[] segments) {
    return pack(g, x, xOff, p0, valid, ones, cols, scratch, segments, false);
  }

  private static float[] pack(ConvGeometry g, float[] x, int xOff, int p0, int valid,
      boolean ones, PackedMatrix cols, float[] scratch, int[] segments, boolean phased) {
    int n = cols.columns();
    int k = cols.rows();
    int width = cols.panelWidth();
    float[] data = cols.data();
    for (int q = 0; q < PackedMatrix.panels(n, width); q++) {
      int j0 = q * width;
      int count = Math.min(width, n - j0);
      int real = Math.min(count, valid - j0);
      if (real <= 0) {
        break;
      }
      if (cols.isDotPanel(q)) {
        // Rare (a last panel of few positions against a long reduction): row-major first,
        // then packed as PackedMatrix packs any panel.
        if (scratch.length < k * count) {
          scratch = new float[k * count];
        }
        rows(g, x, xOff, p0 + j0, real, ones, scratch, 0, count, segments, phased);
        PackedMatrix.packPanel(scratch, -j0, count, false, n, q, k, width, data,
            cols.panelOffset(q));
      } else {
        rows(g, x, xOff, p0 + j0, real, ones, data, cols.panelOffset(q), cols.panelStride(q),
            segments, phased);
      }
    }
    return scratch;
  }

  /**
   * The patch rows of positions {@code [pos0, pos0 + count)} into {@code dst}, row {@code r}
   * at {@code at + r * stride}; the columns from {@code count} to {@code stride} are left as
   * they are (zero in a panel that always holds the same count). A position past the image's
   * last is one of the next image (images {@code g.inChannels() * g.inPlane()} floats apart),
   * so one call can pack the patches of several images side by side. The positions are first
   * cut into segments within one output row of one image; per row of the patches each segment
   * is then one run of consecutive inputs (stride 1), copied by a plain loop, or a strided
   * gather; from phase planes ({@code phased}: {@code x} holds them, one image), a plain loop
   * always.
   */
  private static void rows(ConvGeometry g, float[] x, int xOff, int pos0, int count,
      boolean ones, float[] dst, int at, int stride, int[] segments, boolean phased) {
    int r = 0;
    int segs = segments(g, pos0, count, segments);
    if (phased) {
      int hp = phaseRows(g);
      int wq = phaseColumns(g);
      int s = g.strideW();
      for (int c = 0; c < g.inPerGroup(); c++) {
        for (int i = 0; i < g.kernelH(); i++) {
          for (int j = 0; j < g.kernelW(); j++, r++) {
            int d = at + r * stride;
            int shift = j * g.dilationW();
            for (int sg = 0; sg < segs; sg++) {
              int len = segments[4 * sg + 2];
              int src = ((c * hp + segments[4 * sg] * g.strideH() + i * g.dilationH()) * s
                  + shift % s) * wq + shift / s + segments[4 * sg + 1];
              for (int t = 0; t < len; t++) {
                dst[d + t] = x[src + t];
              }
              d += len;
            }
          }
        }
      }
    } else if (g.isPointwise()) { // 1x1, stride 1, no padding: each segment is a run of its plane
      int ow1 = g.outWidth();
      for (int c = 0; c < g.inPerGroup(); c++, r++) {
        int d = at + r * stride;
        for (int s = 0; s < segs; s++) {
          int len = segments[4 * s + 2];
          System.arraycopy(x, xOff + segments[4 * s + 3] + c * g.inPlane()
              + segments[4 * s] * ow1 + segments[4 * s + 1], dst, d, len);
          d += len;
        }
      }
    } else if (stridedPointwise(g)) { // every input in range: a strided copy, no checks
      int rowStep = g.strideH() * g.width();
      int sw = g.strideW();
      for (int c = 0; c < g.inPerGroup(); c++, r++) {
        int d = at + r * stride;
        for (int s = 0; s < segs; s++) {
          int len = segments[4 * s + 2];
          int src = xOff + segments[4 * s + 3] + c * g.inPlane() + segments[4 * s] * rowStep
              + segments[4 * s + 1] * sw;
          for (int t = 0; t < len; t++) {
            dst[d + t] = x[src + t * sw];
          }
          d += len;
        }
      }
    } else {
      for (int c = 0; c < g.inPerGroup(); c++) {
        int plane = xOff + c * g.inPlane();
        for (int i = 0; i < g.kernelH(); i++) {
          for (int j = 0; j < g.kernelW(); j++, r++) {
            row(g, x, plane, i, j, segments, segs, dst, at + r * stride);
          }
        }
      }
    }
    if (ones) {
      Arrays.fill(dst, at + r * stride, at + r * stride + count, 1f);
    }
  }

  /**
   * Cuts positions {@code [pos0, pos0 + count)} into runs within one output row of one image:
   * run {@code s} is output row {@code seg[4s]}, from column {@code seg[4s + 1]}, {@code seg[4s
   * + 2]} long, of the image whose input starts {@code seg[4s + 3]} floats after the first's.
   * Returns the number of runs (at most {@code count}).
   */
  private static int segments(ConvGeometry g, int pos0, int count, int[] seg) {
    int ow1 = g.outWidth();
    int positions = g.positions();
    int image = g.inChannels() * g.inPlane();
    int segs = 0;
    for (int pos = pos0, end = pos0 + count; pos < end; segs++) {
      int img = pos / positions;
      int p = pos - img * positions;
      int oh = p / ow1;
      int ow = p - oh * ow1;
      int run = Math.min(ow1 - ow, end - pos);
      seg[4 * segs] = oh;
      seg[4 * segs + 1] = ow;
      seg[4 * segs + 2] = run;
      seg[4 * segs + 3] = img * image;
      pos += run;
    }
    return segs;
  }

  /**
   * A 1x1 kernel without padding whose windows all lie inside the input, with a stride
   * (ResNet's downsample): each patch row is one input of every {@code strideW}, gathered
   * without {@link #row}'s bounds check per input (which made the packing 1.6x the time of the
   * downsample's GEMM).
   */
  private static boolean stridedPointwise(ConvGeometry g) {
    return g.kernelH() == 1 && g.kernelW() == 1 && g.padTop() == 0 && g.padLeft() == 0
        && (g.outHeight() - 1) * g.strideH() < g.height()
        && (g.outWidth() - 1) * g.strideW() < g.width();
  }

  /** Patch row {@code (i, j)} of one channel for the runs {@code seg}, from {@code d}. */
  private static void row(ConvGeometry g, float[] x, int plane, int i, int j, int[] seg,
      int segs, float[] dst, int d) {
    int h = g.height();
    int w = g.width();
    int sw = g.strideW();
    int rowShift = i * g.dilationH() - g.padTop();
    int colShift = j * g.dilationW() - g.padLeft();
    for (int s = 0; s < segs; s++) {
      int len = seg[4 * s + 2];
      int ih = seg[4 * s] * g.strideH() + rowShift;
      int iw = seg[4 * s + 1] * sw + colShift; // the input column of the run's first output
      if (ih < 0 || ih >= h) {
        Arrays.fill(dst, d, d + len, 0f);
      } else if (sw == 1 && iw >= 0 && iw + len <= w) { // inside the input: a plain copy
        int src = plane + seg[4 * s + 3] + ih * w + iw;
        for (int t = 0; t < len; t++) {
          dst[d + t] = x[src + t];
        }
      } else {
        int src = plane + seg[4 * s + 3] + ih * w;
        for (int t = 0; t < len; t++, iw += sw) {
          dst[d + t] = iw >= 0 && iw < w ? x[src + iw] : 0f;
        }
      }
      d += len;
    }
  }

  /**
   * Whether a convolution's patches are packed from phase planes ({@link #phasePlanes},
   * {@link #packPhased}): a column stride above 1, where each patch row would otherwise be
   * gathered one input at a time with a bounds check each (a third of ResNet-18's 7x7 stem),
   * and a kernel wider than 1. A 1x1 kernel reads each input it reads once, in one of every
   * {@code strideH} rows: the phase planes would copy them all (ResNet's 1x1 stride-2
   * downsample ran 0.73x with them).
   */
  static boolean phased(ConvGeometry g) {
    return g.strideW() > 1 && g.kernelW() > 1;
  }

  /** The rows of a phase plane: the padded rows the windows reach. */
  private static int phaseRows(ConvGeometry g) {
    return (g.outHeight() - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
  }

  /** The columns of each phase of a row: those the windows reach. */
  private static int phaseColumns(ConvGeometry g) {
    return g.outWidth() + (g.kernelW() - 1) * g.dilationW() / g.strideW();
  }

  /** The floats of the phase planes of one image (one group's channels). */
  static int phaseFloats(ConvGeometry g) {
    return g.inPerGroup() * phaseRows(g) * g.strideW() * phaseColumns(g);
  }

  /**
   * The {@code g.inPerGroup()} planes from {@code x[xOff]}, zero-padded and split by column
   * into their {@code s = strideW} phases: padded row {@code r} (input row {@code r -
   * padTop}), phase {@code q}, column {@code t} holds input column {@code t * s + q -
   * padLeft} (zero outside the input), at {@code ((c * rows + r) * s + q) * columns + t} of
   * {@code phases}. Tap {@code (i, j)} of output row {@code oh} then reads, for consecutive
   * outputs, consecutive floats of row {@code oh * strideH + i * dilationH}, phase {@code (j *
   * dilationW) % s}, from column {@code ow + (j * dilationW) / s}.
   */
  static void phasePlanes(ConvGeometry g, float[] x, int xOff, float[] phases) {
    int hp = phaseRows(g);
    int wq = phaseColumns(g);
    int s = g.strideW();
    int h = g.height();
    int w = g.width();
    for (int c = 0; c < g.inPerGroup(); c++) {
      int plane = xOff + c * g.inPlane();
      for (int r = 0; r < hp; r++) {
        int ih = r - g.padTop();
        for (int q = 0; q < s; q++) {
          int d = ((c * hp + r) * s + q) * wq;
          if (ih < 0 || ih >= h) {
            Arrays.fill(phases, d, d + wq, 0f);
            continue;
          }
          // Columns t whose input column t * s + q - padLeft lies in [0, w).
          int lo = Math.min(wq, Math.max(0, Math.floorDiv(g.padLeft() - q + s - 1, s)));
          int hi = Math.max(lo, Math.min(wq, Math.floorDiv(w - 1 - q + g.padLeft(), s) + 1));
          Arrays.fill(phases, d, d + lo, 0f);
          int src = plane + ih * w + q - g.padLeft();
          for (int t = lo; t < hi; t++) {
            phases[d + t] = x[src + t * s];
          }
          Arrays.fill(phases, d + hi, d + wq, 0f);
        }
      }
    }
  }

  /**
   * Whether a convolution runs over padded rows ({@link #packPadded}): stride 1, not 1x1, and
   * at most one extra column per 8 valid ones ({@code (kw - 1) * dw <= outWidth / 8}: 28x28
   * and larger images with a 3x3 kernel).
   */
  static boolean rowsOfPaddedWidth(ConvGeometry g) {
    return g.strideH() == 1 && g.strideW() == 1 && !g.isPointwise()
        && 8L * (g.kernelW() - 1) * g.dilationW() <= g.outWidth();
  }

  /**
   * Copies the {@code g.inPerGroup()} planes from {@code x[xOff]} into {@code padded}, each
   * {@code hp x wp} with the input at row {@code padTop}, column {@code padLeft}, zeros around.
   */
  static void padPlanes(ConvGeometry g, float[] x, int xOff, int hp, int wp, float[] padded) {
    int h = g.height();
    int w = g.width();
    for (int c = 0; c < g.inPerGroup(); c++) {
      int src = xOff + c * g.inPlane();
      int dst = c * hp * wp;
      for (int r = 0; r < hp; r++) {
        int ih = r - g.padTop();
        int row = dst + r * wp;
        if (ih < 0 || ih >= h) {
          Arrays.fill(padded, row, row + wp, 0f);
          continue;
        }
        int lead = Math.min(wp, g.padLeft());
        int copy = Math.max(0, Math.min(w, wp - lead));
        Arrays.fill(padded, row, row + lead, 0f);
        System.arraycopy(x, src + ih * w, padded, row + lead, copy);
        Arrays.fill(padded, row + lead + copy, row + wp, 0f);
      }
    }
  }

  /**
   * The patches of virtual positions {@code [v0, v0 + n)} over padded planes ({@link
   * #padPlanes}): position {@code v = oh * wp + ow} reads, for row {@code (c, i, j)}, {@code
   * padded[c * hp * wp + i * dh * wp + j * dw + v]}, so each patch row of a panel is one run of
   * the padded input. Columns with {@code ow >= outWidth} are computed and dropped by the
   * caller. {@code scratch} as in {@link #pack}.
   */
  static float[] packPadded(ConvGeometry g, float[] padded, int hp, int wp, int v0,
      boolean ones, PackedMatrix cols, float[] scratch) {
    int n = cols.columns();
    int k = cols.rows();
    int width = cols.panelWidth();
    float[] data = cols.data();
    for (int q = 0; q < PackedMatrix.panels(n, width); q++) {
      int j0 = q * width;
      int count = Math.min(width, n - j0);
      boolean dots = cols.isDotPanel(q);
      if (dots && scratch.length < k * count) {
        scratch = new float[k * count];
      }
      float[] dst = dots ? scratch : data;
      int at = dots ? 0 : cols.panelOffset(q);
      int stride = dots ? count : cols.panelStride(q);
      int r = 0;
      for (int c = 0; c < g.inPerGroup(); c++) {
        for (int i = 0; i < g.kernelH(); i++) {
          int src = c * hp * wp + i * g.dilationH() * wp + v0 + j0;
          for (int j = 0; j < g.kernelW(); j++, r++) {
            System.arraycopy(padded, src + j * g.dilationW(), dst, at + r * stride, count);
          }
        }
      }
      if (ones) {
        Arrays.fill(dst, at + r * stride, at + r * stride + count, 1f);
      }
      if (dots) {
        PackedMatrix.packPanel(scratch, -j0, count, false, n, q, k, width, data,
            cols.panelOffset(q));
      }
    }
    return scratch;
  }
}
