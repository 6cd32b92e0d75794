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
   * panel packed for dot products; it is grown as needed and returned.
   */
  static float[] pack(ConvGeometry g, float[] x, int xOff, int p0, boolean ones,
      PackedMatrix cols, float[] scratch) {
    int n = cols.columns();
    int k = cols.rows();
    int width = cols.panelWidth();
    float[] data = cols.data();
    for (int q = 0; q < PackedMatrix.panels(n, width); q++) {
      int j0 = q * width;
      int count = Math.min(width, n - j0);
      if (cols.isDotPanel(q)) {
        // Rare (a last panel of few positions against a long reduction): row-major first,
        // then packed as PackedMatrix packs any panel.
        if (scratch.length < k * count) {
          scratch = new float[k * count];
        }
        rows(g, x, xOff, p0 + j0, count, ones, scratch, 0, count);
        PackedMatrix.packPanel(scratch, -j0, count, false, n, q, k, width, data,
            cols.panelOffset(q));
      } else {
        rows(g, x, xOff, p0 + j0, count, ones, data, cols.panelOffset(q), cols.panelStride(q));
      }
    }
    return scratch;
  }

  /**
   * The patch rows of positions {@code [pos0, pos0 + count)} into {@code dst}, row {@code r}
   * at {@code at + r * stride}; the columns from {@code count} to {@code stride} are left as
   * they are (zero in a panel that always holds the same count).
   */
  private static void rows(ConvGeometry g, float[] x, int xOff, int pos0, int count,
      boolean ones, float[] dst, int at, int stride) {
    int r = 0;
    for (int c = 0; c < g.inPerGroup(); c++) {
      int plane = xOff + c * g.inPlane();
      for (int i = 0; i < g.kernelH(); i++) {
        for (int j = 0; j < g.kernelW(); j++) {
          row(g, x, plane, i, j, pos0, count, dst, at + r * stride);
          r++;
        }
      }
    }
    if (ones) {
      Arrays.fill(dst, at + r * stride, at + r * stride + count, 1f);
    }
  }

  /** Row {@code (i, j)} of one channel's patches for {@code count} positions from {@code pos0}. */
  private static void row(ConvGeometry g, float[] x, int plane, int i, int j, int pos0,
      int count, float[] dst, int d0) {
    if (g.isPointwise()) { // 1x1, stride 1, no padding: the plane itself
      System.arraycopy(x, plane + pos0, dst, d0, count);
      return;
    }
    int ow1 = g.outWidth();
    int w = g.width();
    int sw = g.strideW();
    int pos = pos0;
    int end = pos0 + count;
    while (pos < end) {
      int oh = pos / ow1;
      int ow = pos - oh * ow1;
      int run = Math.min(ow1 - ow, end - pos); // the rest of this output row
      int ih = oh * g.strideH() - g.padTop() + i * g.dilationH();
      if (ih < 0 || ih >= g.height()) {
        Arrays.fill(dst, d0, d0 + run, 0f);
      } else {
        int src = plane + ih * w;
        int iw = ow * sw - g.padLeft() + j * g.dilationW(); // the input column of ow
        if (sw == 1) {
          int lead = Math.min(run, Math.max(0, -iw)); // positions left of the input
          int stop = Math.max(lead, Math.min(run, w - iw)); // past it from here
          Arrays.fill(dst, d0, d0 + lead, 0f);
          if (stop > lead) {
            System.arraycopy(x, src + iw + lead, dst, d0 + lead, stop - lead);
          }
          Arrays.fill(dst, d0 + stop, d0 + run, 0f);
        } else {
          for (int t = 0; t < run; t++, iw += sw) {
            dst[d0 + t] = iw >= 0 && iw < w ? x[src + iw] : 0f;
          }
        }
      }
      d0 += run;
      pos += run;
    }
  }
}
