package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The convolution kernels: the vector depthwise kernel and the GEMM with packed filters
 * against their scalar twins, on widths and sizes around the lane count {@code L}; the image
 * patches against a direct definition. Seeded; each failure names the case and tolerance.
 */
class ConvKernelsTest {
  private static final int L = VectorBackend.SPECIES.length();
  private final Backend vector = new VectorBackend();
  private final Backend scalar = new ScalarBackend();

  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  /** Within {@code tol} times (1 + |want|) of the scalar twin; NaN where NaN. */
  private static void assertClose(float[] want, float[] got, double tol, String what) {
    for (int i = 0; i < want.length; i++) {
      boolean same = Float.isNaN(want[i]) ? Float.isNaN(got[i])
          : Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i]));
      if (!same) {
        fail(what + ": element " + i + " is " + got[i] + ", the scalar twin gives " + want[i]
            + " (tolerance " + tol + ")");
      }
    }
  }

  private static ConvGeometry geometry(int batch, int in, int h, int w, int out, int k,
      int stride, int pad, int dilation, int groups) {
    int oh = (h + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
    int ow = (w + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
    return new ConvGeometry(batch, in, h, w, out, k, k, stride, stride, pad, pad, dilation,
        dilation, groups, oh, ow);
  }

  @Test
  void depthwiseMatchesItsScalarTwinToTheBitAcrossTails() {
    Random rnd = new Random(15);
    int[] widths = {1, 2, L - 1, L, L + 1, L + 2, 2 * L + 3, 37};
    for (int width : widths) {
      for (int[] kind : new int[][] {{3, 1, 1, 1}, {3, 2, 1, 1}, {5, 1, 4, 2}, {1, 1, 0, 1},
          {3, 1, 0, 1}}) {
        for (int mult : new int[] {1, 2}) {
          for (boolean withBias : new boolean[] {true, false}) {
            int k = kind[0];
            if (width + 2 * kind[2] < kind[3] * (k - 1) + 1 || 5 + 2 * kind[2] < kind[3] * (k - 1) + 1) {
              continue; // no output
            }
            ConvGeometry g = geometry(2, 3, 5, width, 3 * mult, k, kind[1], kind[2], kind[3], 3);
            float[] x = random(rnd, 2 * 3 * 5 * width + 1);
            float[] w = random(rnd, 3 * mult * k * k);
            float[] b = withBias ? random(rnd, 3 * mult) : null;
            for (Activation act : Activation.values()) {
              int n = g.outChannels() * g.positions();
              float[] want = new float[n];
              float[] got = new float[n];
              for (int img = 0; img < 2; img++) {
                scalar.depthwiseConv2d(g, x, 1 + img * 15 * width, w, 0, b, 0, act, want, 0);
                vector.depthwiseConv2d(g, x, 1 + img * 15 * width, w, 0, b, 0, act, got, 0);
                assertArrayEquals(want, got, "depthwise width=" + width + " kernel=" + k
                    + " stride=" + kind[1] + " pad=" + kind[2] + " dilation=" + kind[3]
                    + " multiplier=" + mult + " bias=" + withBias + " " + act);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void gemmWithPackedRowsMatchesItsScalarTwin() {
    Random rnd = new Random(16);
    for (int m : new int[] {1, 2, 3, 7, 8, 9, 17, 130}) {
      for (int n : new int[] {1, L - 1, L + 1, 2 * L, 2 * L + 1, 4 * 2 * L + 3}) {
        for (int k : new int[] {1, 5, L + 1, 300, VectorGemm.KC + 77}) {
          float[] a = random(rnd, m * k);
          float[] b = random(rnd, k * n);
          PackedMatrix pb = PackedMatrix.pack(k, n, b, 0, n, false);
          float[] tiles = vector.packRows(m, k, a, null);
          float[] bias = random(rnd, n);
          float[] want = new float[m * n];
          float[] got = new float[m * n];
          scalar.gemm(m, a, null, pb, want, 0, n, bias, 0, Activation.RELU);
          vector.gemm(m, a, tiles, pb, got, 0, n, bias, 0, Activation.RELU);
          assertClose(want, got, 1e-5 * Math.sqrt(k), "gemm m=" + m + " n=" + n + " k=" + k);
        }
      }
    }
  }

  @Test
  void patchesAreTheInputsEachOutputReads() {
    Random rnd = new Random(17);
    // Stride 1 and 2, padding, dilation, a 1x1 kernel, groups, and a chunk of positions that
    // starts mid-row; a narrow last panel against a long reduction is packed for dot products.
    ConvGeometry[] cases = {
      geometry(1, 3, 7, 6, 4, 3, 1, 1, 1, 1),
      geometry(1, 3, 7, 6, 4, 3, 2, 1, 1, 1),
      geometry(1, 4, 9, 11, 4, 3, 1, 2, 2, 2),
      geometry(1, 6, 4, 5, 5, 1, 1, 0, 1, 1),
      geometry(1, 32, 3, 14, 8, 3, 1, 1, 1, 1),
      geometry(1, 6, 9, 11, 5, 1, 2, 0, 1, 1), // a strided 1x1: a gather without checks
      geometry(1, 5, 10, 7, 4, 1, 3, 0, 1, 1),
      geometry(1, 4, 6, 6, 4, 1, 2, 1, 1, 1), // padded: the general gather
    };
    for (ConvGeometry g : cases) {
      float[] x = random(rnd, g.inChannels() * g.inPlane() + 3);
      int xOff = g.groups() > 1 ? g.inPerGroup() * g.inPlane() : 3; // group 1, or an offset
      for (boolean ones : new boolean[] {false, true}) {
        int k = g.reduction() + (ones ? 1 : 0);
        for (int p0 : new int[] {0, 5}) {
          int n = g.positions() - p0;
          PackedMatrix cols = PackedMatrix.allocate(k, n);
          Im2col.pack(g, x, xOff, p0, ones, cols, new float[0],
              new int[4 * cols.panelWidth()]);
          for (int r = 0; r < k; r++) {
            for (int j = 0; j < n; j++) {
              float want = ones && r == k - 1 ? 1f : patch(g, x, xOff, r, p0 + j);
              assertEquals(want, cols.get(r, j), 0f, g + " ones=" + ones + " p0=" + p0
                  + " row " + r + " column " + j);
            }
          }
        }
      }
    }
  }

  /**
   * Whole convolutions against their definition, on sizes that split the positions into
   * several chunks: a 3x3 over wide rows (the padded-row path, its extra columns dropped), and
   * strided and narrow-row ones (patches written per run), with bias and ReLU.
   */
  @Test
  void convolutionsMatchTheirDefinitionAcrossChunks() {
    Random rnd = new Random(18);
    ConvGeometry[] cases = {
      geometry(2, 128, 8, 20, 8, 3, 1, 1, 1, 1),
      geometry(1, 256, 10, 10, 4, 3, 1, 1, 1, 1),
      geometry(1, 128, 9, 20, 8, 3, 2, 1, 1, 1),
      geometry(1, 64, 6, 40, 6, 3, 1, 2, 2, 2),
      // Column strides over more than BATCH_POSITIONS positions (or groups): patches packed
      // from phase planes. A 7x7 stem, stride 3 with dilation, an even kernel,
      // groups, and two chunks whose last ends in a one-column panel; and a 1x1 stride 2
      // (gathered: not phased).
      geometry(1, 3, 40, 46, 8, 7, 2, 3, 1, 1),
      geometry(1, 4, 50, 61, 5, 3, 3, 2, 2, 1),
      geometry(1, 16, 40, 40, 8, 1, 2, 0, 1, 1),
      geometry(1, 3, 35, 38, 6, 4, 2, 1, 1, 1),
      geometry(2, 8, 24, 24, 4, 3, 2, 1, 1, 2),
      geometry(1, 64, 34, 34, 4, 3, 2, 1, 1, 1),
    };
    for (ConvGeometry g : cases) {
      float[] x = random(rnd, g.batch() * g.inChannels() * g.inPlane());
      float[] w = random(rnd, g.outChannels() * g.reduction());
      float[] b = random(rnd, g.outChannels());
      float[] want = new float[g.batch() * g.outChannels() * g.positions()];
      for (int n = 0; n < g.batch(); n++) {
        for (int o = 0; o < g.outChannels(); o++) {
          int grp = o / g.outPerGroup();
          for (int pos = 0; pos < g.positions(); pos++) {
            double acc = b[o];
            for (int r = 0; r < g.reduction(); r++) {
              int xOff = (n * g.groups() + grp) * g.inPerGroup() * g.inPlane();
              acc += (double) w[o * g.reduction() + r] * patch(g, x, xOff, r, pos);
            }
            want[(n * g.outChannels() + o) * g.positions() + pos] = (float) Math.max(acc, 0);
          }
        }
      }
      float[] got = new float[want.length];
      Convolution.conv2d(g, x, 0, w, 0, b, 0, Convolution.Filters.pack(g, w, 0, b, 0),
          Activation.RELU, got, 0, new Convolution.Workspace());
      assertClose(want, got, 1e-4, "conv2d " + g + " (padded rows: "
          + Im2col.rowsOfPaddedWidth(g) + ", phased: " + Im2col.phased(g) + ")");
    }
  }

  /**
   * Images split across threads (each building its own patches) give the same bits as one
   * thread, on both paths, with a residual and without, and a count that does not divide
   * the images; and match the definition.
   */
  @Test
  void resultsDoNotDependOnTheThreadCount() {
    java.util.Random rnd = new java.util.Random(21);
    ConvGeometry[] cases = {
      new ConvGeometry(4, 16, 12, 20, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 12, 20), // padded rows
      new ConvGeometry(6, 16, 15, 15, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 8, 8), // chunks
      new ConvGeometry(5, 16, 14, 14, 16, 3, 3, 1, 1, 1, 1, 1, 1, 2, 14, 14), // groups
      // Batched images claimed in units (4 images on 2 threads, the last unit one image)
      new ConvGeometry(9, 64, 28, 28, 64, 1, 1, 2, 2, 0, 0, 1, 1, 1, 14, 14),
    };
    int before = Kernels.threads();
    try {
      for (ConvGeometry g : cases) {
        float[] x = random(rnd, g.batch() * g.inChannels() * g.inPlane());
        float[] w = random(rnd, g.outChannels() * g.reduction());
        float[] b = random(rnd, g.outChannels());
        int size = g.batch() * g.outChannels() * g.positions();
        float[] add = random(rnd, size);
        Convolution.Filters f = Convolution.Filters.pack(g, w, 0, b, 0);
        for (float[] residual : new float[][] {null, add}) {
          float[][] got = new float[3][size];
          for (int t = 1; t <= 3; t++) {
            Kernels.setThreads(t);
            Convolution.conv2d(g, x, 0, w, 0, b, 0, f, Activation.RELU, residual, 0,
                got[t - 1], 0, new Convolution.Workspace());
          }
          String what = "conv2d " + g + (residual == null ? "" : " + residual");
          assertArrayEquals(got[0], got[1], what + ": 2 threads");
          assertArrayEquals(got[0], got[2], what + ": 3 threads");
          float[] want = new float[size];
          for (int n = 0; n < g.batch(); n++) {
            for (int o = 0; o < g.outChannels(); o++) {
              int grp = o / g.outPerGroup();
              int xOff = (n * g.groups() + grp) * g.inPerGroup() * g.inPlane();
              for (int pos = 0; pos < g.positions(); pos++) {
                int at = (n * g.outChannels() + o) * g.positions() + pos;
                double acc = b[o] + (residual == null ? 0 : residual[at]);
                for (int r = 0; r < g.reduction(); r++) {
                  acc += (double) w[o * g.reduction() + r] * patch(g, x, xOff, r, pos);
                }
                want[at] = (float) Math.max(acc, 0);
              }
            }
          }
          assertClose(want, got[0], 1e-4, what);
        }
      }
    } finally {
      Kernels.setThreads(before);
    }
  }

  /**
   * Small images share GEMMs ({@link Convolution#batchesImages}): at the size limit and past
   * it, odd sizes whose images end mid-panel, stride 2, padding, dilation, a 1x1 kernel, with
   * a residual and without, batches of 1 to 5. Each matches the definition, and each image
   * has the same bits whatever the batch it is in and the thread count.
   */
  @Test
  void batchedImagesMatchTheDefinitionAndDoNotDependOnTheBatch() {
    Random rnd = new Random(22);
    int side = (int) Math.sqrt(Convolution.BATCH_POSITIONS);
    ConvGeometry[] cases = {
      geometry(5, 24, 7, 7, 20, 3, 1, 1, 1, 1), // 49 positions: 3 panels and a column
      geometry(3, 8, side, side, 9, 3, 1, 1, 1, 1), // the limit: batched
      geometry(3, 8, side, side + 1, 9, 3, 1, 1, 1, 1), // past it: one image at a time
      geometry(4, 16, 13, 9, 13, 3, 2, 1, 1, 1), // stride 2, odd sizes
      geometry(3, 12, 9, 11, 7, 3, 1, 2, 2, 1), // dilation 2, padding 2
      geometry(5, 40, 5, 5, 31, 1, 1, 0, 1, 1), // 1x1: runs of the planes, 25 positions
      geometry(2, 300, 3, 3, 2, 3, 1, 1, 1, 1), // 2 filters, a long reduction
    };
    assertEquals(true, Convolution.batchesImages(cases[1]));
    assertEquals(false, Convolution.batchesImages(cases[2]));
    int before = Kernels.threads();
    try {
      for (ConvGeometry g : cases) {
        int image = g.inChannels() * g.inPlane();
        int outImage = g.outChannels() * g.positions();
        float[] x = random(rnd, g.batch() * image);
        float[] w = random(rnd, g.outChannels() * g.reduction());
        float[] b = random(rnd, g.outChannels());
        float[] add = random(rnd, g.batch() * outImage);
        Convolution.Filters f = Convolution.Filters.pack(g, w, 0, b, 0);
        for (float[] residual : new float[][] {null, add}) {
          String what = "conv2d " + g + (residual == null ? "" : " + residual");
          Kernels.setThreads(1);
          float[] got = new float[g.batch() * outImage];
          Convolution.conv2d(g, x, 0, w, 0, b, 0, f, Activation.RELU, residual, 0, got, 0,
              new Convolution.Workspace());
          float[] want = new float[got.length];
          for (int n = 0; n < g.batch(); n++) {
            for (int o = 0; o < g.outChannels(); o++) {
              for (int pos = 0; pos < g.positions(); pos++) {
                int at = n * outImage + o * g.positions() + pos;
                double acc = b[o] + (residual == null ? 0 : residual[at]);
                for (int r = 0; r < g.reduction(); r++) {
                  acc += (double) w[o * g.reduction() + r] * patch(g, x, n * image, r, pos);
                }
                want[at] = (float) Math.max(acc, 0);
              }
            }
          }
          assertClose(want, got, 1e-4, what);
          // The last image alone (a batch of 1), and the whole batch on 2 and 3 threads.
          ConvGeometry one = new ConvGeometry(1, g.inChannels(), g.height(), g.width(),
              g.outChannels(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padTop(),
              g.padLeft(), g.dilationH(), g.dilationW(), g.groups(), g.outHeight(),
              g.outWidth());
          int last = (g.batch() - 1) * outImage;
          float[] alone = new float[outImage];
          Convolution.conv2d(one, x, (g.batch() - 1) * image, w, 0, b, 0, f, Activation.RELU,
              residual, last, alone, 0, new Convolution.Workspace());
          assertArrayEquals(java.util.Arrays.copyOfRange(got, last, got.length), alone,
              what + ": the last image alone");
          for (int t = 2; t <= 3; t++) {
            Kernels.setThreads(t);
            float[] split = new float[got.length];
            Convolution.conv2d(g, x, 0, w, 0, b, 0, f, Activation.RELU, residual, 0, split, 0,
                new Convolution.Workspace());
            assertArrayEquals(got, split, what + ": " + t + " threads");
          }
        }
      }
    } finally {
      Kernels.setThreads(before);
    }
  }

  /** The input that row {@code r} of position {@code pos} reads, by the definition. */
  private static float patch(ConvGeometry g, float[] x, int xOff, int r, int pos) {
    int c = r / (g.kernelH() * g.kernelW());
    int i = r / g.kernelW() % g.kernelH();
    int j = r % g.kernelW();
    int ih = pos / g.outWidth() * g.strideH() - g.padTop() + i * g.dilationH();
    int iw = pos % g.outWidth() * g.strideW() - g.padLeft() + j * g.dilationW();
    boolean inside = ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width();
    return inside ? x[xOff + c * g.inPlane() + ih * g.width() + iw] : 0f;
  }
}
