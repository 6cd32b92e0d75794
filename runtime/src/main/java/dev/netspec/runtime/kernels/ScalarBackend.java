package dev.netspec.runtime.kernels;

import java.util.Arrays;

/**
 * Plain loops: the fallback when {@code jdk.incubator.vector} is absent and the oracle the
 * vector kernels are tested against. Sums accumulate in double, so the oracle is at least
 * as accurate as the kernel under test.
 */
final class ScalarBackend implements Backend {
  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff,
      int ldb, boolean transB, float[] c, int cOff, int ldc, float[] bias, int biasOff,
      Activation act) {
    double[] row = new double[n]; // one row of C, accumulated in double
    for (int i = 0; i < m; i++) {
      int ai = aOff + i * lda;
      if (transB) {
        for (int j = 0; j < n; j++) { // dot products of two contiguous rows
          int bj = bOff + j * ldb;
          double acc = 0;
          for (int p = 0; p < k; p++) {
            acc += (double) a[ai + p] * b[bj + p];
          }
          row[j] = acc;
        }
      } else {
        Arrays.fill(row, 0.0);
        for (int p = 0; p < k; p++) { // row i of C += A[i][p] * row p of B, both contiguous
          double aip = a[ai + p];
          int bp = bOff + p * ldb;
          for (int j = 0; j < n; j++) {
            row[j] += aip * b[bp + j];
          }
        }
      }
      for (int j = 0; j < n; j++) {
        c[cOff + i * ldc + j] = epilogue((float) row[j], bias, biasOff + j, act);
      }
    }
  }

  @Override
  public void convStrip(int width, int steps, float[] x, int p0, int p1, int p2, int p3,
      int p4, int p5, float[] w, int w0, float[] acc) {
    int[] p = {p0, p1, p2, p3, p4, p5};
    for (int j = 0; j < p.length; j++) {
      position(width, steps, x, p[j], w, w0, acc, j * width);
    }
  }

  @Override
  public void convStripPair(int width, int steps, float[] x, int p0, int p1, int p2, int p3,
      int p4, int p5, float[] w, int w0, int w1, float[] acc0, float[] acc1) {
    convStrip(width, steps, x, p0, p1, p2, p3, p4, p5, w, w0, acc0);
    convStrip(width, steps, x, p0, p1, p2, p3, p4, p5, w, w1, acc1);
  }

  @Override
  public void convPositionPair(int width, int steps, float[] x, int p, float[] w, int w0,
      int w1, float[] acc0, float[] acc1) {
    position(width, steps, x, p, w, w0, acc0, 0);
    position(width, steps, x, p, w, w1, acc1, 0);
  }

  /**
   * {@code acc[at + c] += sum over r < steps of x[p + r] * w[w0 + r * width + c]}, one FMA
   * chain per output channel in order of r: one position of a strip.
   */
  private static void position(int width, int steps, float[] x, int p, float[] w, int w0,
      float[] acc, int at) {
    for (int c = 0; c < width; c++) {
      float a = acc[at + c];
      for (int r = 0; r < steps; r++) {
        a = Math.fma(x[p + r], w[w0 + r * width + c], a);
      }
      acc[at + c] = a;
    }
  }


  @Override
  public void convStripsBlock(int width, float[][] accs, int from, int n, float[] block,
      int stride) {
    stripsBlock(width, accs, from, 0, n, block, stride);
  }

  /** {@link #convStripsBlock} for positions {@code [u, n)} only, one float at a time. */
  static void stripsBlock(int width, float[][] accs, int from, int u, int n, float[] block,
      int stride) {
    for (; u < n; u++) {
      float[] a = accs[from + u / DirectConv.POSITIONS];
      int at = u % DirectConv.POSITIONS * width;
      for (int c = 0; c < width; c++) {
        block[c * stride + u] = a[at + c];
      }
    }
  }

  @Override
  public int panelWidth() {
    return 16;
  }

  @Override
  public void gemm(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff,
      int ldc, float[] bias, int biasOff, Activation act) {
    int n = b.columns();
    int k = b.rows();
    int w = b.panelWidth();
    float[] data = b.data();
    double[] row = new double[w]; // one panel's columns of one row of C, in double
    for (int j0 = 0; j0 < n; j0 += w) {
      int panel = b.panelOffset(j0 / w);
      boolean dots = b.isDotPanel(j0 / w); // a narrow last panel, in another layout
      int stride = dots ? 0 : b.panelStride(j0 / w);
      int cols = Math.min(w, n - j0);
      for (int i = 0; i < m; i++) {
        Arrays.fill(row, 0.0);
        int ai = aOff + i * lda;
        for (int p = 0; p < k; p++) {
          double aip = a[ai + p];
          int bp = panel + p * stride;
          for (int jj = 0; jj < cols; jj++) {
            row[jj] += aip * (dots ? b.get(p, j0 + jj) : data[bp + jj]);
          }
        }
        for (int jj = 0; jj < cols; jj++) {
          c[cOff + i * ldc + j0 + jj] =
              epilogue((float) row[jj], bias, biasOff + j0 + jj, act);
        }
      }
    }
  }

  @Override
  public void gemm(int m, float[] a, float[] tiles, PackedMatrix b, float[] c, int cOff,
      int ldc, float[] bias, int biasOff, Activation act) {
    gemm(m, a, 0, b.rows(), b, c, cOff, ldc, bias, biasOff, act);
  }

  /** Nothing to pack: the loops read A's rows as they are. */
  @Override
  public float[] packRows(int m, int k, float[] a, float[] into) {
    return null;
  }

  @Override
  public void maxPool2d(ConvGeometry g, float[] x, int xOff, float[] y, int yOff) {
    Pooling.maxPool2d(g, x, xOff, y, yOff, null);
  }

  @Override
  public void maxPool2dWithIndices(ConvGeometry g, float[] x, int xOff, float[] y, int yOff,
      int[] indices) {
    Pooling.maxPool2d(g, x, xOff, y, yOff, indices);
  }

  @Override
  public void depthwiseConv2d(ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
      float[] bias, int biasOff, Activation act, float[] y, int yOff) {
    int mult = g.outChannels() / g.inChannels();
    int taps = g.kernelH() * g.kernelW();
    for (int o = 0; o < g.outChannels(); o++) {
      int plane = xOff + o / mult * g.inPlane();
      int out = yOff + o * g.positions();
      for (int oh = 0; oh < g.outHeight(); oh++) {
        for (int ow = 0; ow < g.outWidth(); ow++) {
          // In float, bias first, then one fused multiply-add per tap in row-major order: the
          // vector kernel's order, so the twins agree to the bit.
          float acc = bias == null ? 0f : bias[biasOff + o];
          for (int i = 0; i < g.kernelH(); i++) {
            int ih = oh * g.strideH() - g.padTop() + i * g.dilationH();
            if (ih < 0 || ih >= g.height()) {
              continue;
            }
            for (int j = 0; j < g.kernelW(); j++) {
              int iw = ow * g.strideW() - g.padLeft() + j * g.dilationW();
              if (iw >= 0 && iw < g.width()) {
                acc = Math.fma(x[plane + ih * g.width() + iw],
                    w[wOff + o * taps + i * g.kernelW() + j], acc);
              }
            }
          }
          y[out + oh * g.outWidth() + ow] = act == Activation.RELU ? UnaryOp.relu(acc) : acc;
        }
      }
    }
  }

  private static float epilogue(float v, float[] bias, int at, Activation act) {
    float r = bias == null ? v : v + bias[at];
    return act == Activation.RELU ? UnaryOp.relu(r) : act == Activation.GELU ? Gelu.gelu(r) : r;
  }

  @Override
  public void binary(BinaryOp op, float[] x, int xOff, float[] y, int yOff, float[] out,
      int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(x[xOff + i], y[yOff + i]);
    }
  }

  @Override
  public void binaryScalar(BinaryOp op, float[] x, int xOff, float y, float[] out, int outOff,
      int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(x[xOff + i], y);
    }
  }

  @Override
  public void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(x[xOff + i]);
    }
  }

  @Override
  public void compareScalar(CompareOp op, float[] x, int xOff, float y, float[] out,
      int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.test(x[xOff + i], y) ? 1f : 0f;
    }
  }

  @Override
  public void where(float[] mask, int maskOff, float[] a, int aOff, float[] b, int bOff,
      float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = mask[maskOff + i] != 0f ? a[aOff + i] : b[bOff + i];
    }
  }

  @Override
  public void reluBackward(float[] g, int gOff, float[] y, int yOff, float[] out, int outOff,
      int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = y[yOff + i] <= 0f ? 0f : g[gOff + i];
    }
  }

  @Override
  public void maskedFill(float[] mask, int maskOff, float value, float[] x, int xOff,
      float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = mask[maskOff + i] != 0f ? value : x[xOff + i];
    }
  }

  @Override
  public float sum(float[] x, int off, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += x[off + i];
    }
    return (float) s;
  }

  @Override
  public float expSum(float[] x, int off, int n, float shift) {
    float sum = 0;
    for (int i = 0; i < n; i++) {
      float d = x[off + i] - shift;
      float e = d < Gates.EXP_LO ? 0f : Gates.exp(d);
      x[off + i] = e;
      sum += e;
    }
    return sum;
  }

  @Override
  public float max(float[] x, int off, int n) {
    float m = x[off];
    for (int i = 1; i < n; i++) {
      m = Math.max(m, x[off + i]);
    }
    return m;
  }

  @Override
  public float min(float[] x, int off, int n) {
    float m = x[off];
    for (int i = 1; i < n; i++) {
      m = Math.min(m, x[off + i]);
    }
    return m;
  }

  @Override
  public void scaleShift(float[] x, int xOff, float scale, float shift, float[] out,
      int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = Math.fma(x[xOff + i], scale, shift);
    }
  }

  @Override
  public float sumSquaredDeviations(float[] x, int off, float mean, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double d = x[off + i] - mean;
      s += d * d;
    }
    return (float) s;
  }

  @Override
  public float dot(float[] x, int xOff, float[] y, int yOff, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) x[xOff + i] * y[yOff + i];
    }
    return (float) s;
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] = Math.fma(a, x[xOff + i], y[yOff + i]); // one rounding, as the vector body
    }
  }

  @Override
  public void lstmCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] c,
      int cOff, float[] h, int hOff) {
    Gates.lstmCell(n, gates, gOff, hg, hgOff, c, cOff, h, hOff);
  }

  @Override
  public void gruCell(int n, float[] gates, int gOff, float[] hg, int hgOff, float[] hPrev,
      int hpOff, float[] h, int hOff) {
    Gates.gruCell(n, gates, gOff, hg, hgOff, hPrev, hpOff, h, hOff);
  }
}
