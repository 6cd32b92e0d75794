package dev.netspec.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct convolution ({@link DirectConv}): its register strip against the scalar twin to
 * the bit, and whole convolutions (strides, padding, dilation, odd and non-square kernels,
 * batches whose strips run across rows and images, bias or none, a residual or none) against
 * the definition, with results that do not depend on the batch or the thread count. Seeded;
 * each failure names the case and tolerance.
 */
class DirectConvTest {
  private static final int WIDTH = 2 * VectorBackend.SPECIES.length();
  private final Backend vector = new VectorBackend();
  private final Backend scalar = new ScalarBackend();

  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  @Test
  void stripMatchesItsScalarTwinToTheBit() {
    Random rnd = new Random(31);
    for (int steps : new int[] {0, 1, 2, 7, 8, 9, 48, 193}) {
      float[] x = random(rnd, 7 * steps + 40);
      float[] w = random(rnd, steps * WIDTH + 5);
      float[] acc = random(rnd, 6 * WIDTH);
      int[] p = {3, 3 + steps, 5 + 2 * steps, 1, 6 * steps + 2, 4 + 3 * steps}; // any order
      float[] want = acc.clone();
      float[] got = acc.clone();
      scalar.convStrip(WIDTH, steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, 5, want);
      vector.convStrip(WIDTH, steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, 5, got);
      assertArrayEquals(want, got, "strip steps=" + steps);
      // Every loop form, whichever this JDK and vector width run (ConvStrips picks one by the
      // JDK version and the width); paired's odd step at the odd step counts.
      float[] running = acc.clone();
      float[] stepped = acc.clone();
      float[] paired = acc.clone();
      ConvStrips.running(steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, 5, running);
      ConvStrips.stepped(steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, 5, stepped);
      ConvStrips.paired(steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, 5, paired);
      assertArrayEquals(want, running, "running strip steps=" + steps);
      assertArrayEquals(want, stepped, "stepped strip steps=" + steps);
      assertArrayEquals(want, paired, "paired strip steps=" + steps);
    }
  }

  @Test
  void stripPairMatchesTwoStripsOfItsScalarTwinToTheBit() {
    Random rnd = new Random(34);
    for (int steps : new int[] {0, 1, 2, 7, 9, 64, 193}) {
      float[] x = random(rnd, 7 * steps + 40);
      int span = steps * WIDTH + 3; // the second strip's filters after the first's
      float[] w = random(rnd, 2 * span + 5);
      float[] acc0 = random(rnd, 6 * WIDTH);
      float[] acc1 = random(rnd, 6 * WIDTH);
      int[] p = {2 + 6 * steps, 3, 4 + steps, 1, 5 + 3 * steps, 6 + 2 * steps}; // any order
      for (int[] filters : new int[][] {{5, 5 + span}, {5 + span, 5}}) { // either before
        float[] want0 = acc0.clone();
        float[] want1 = acc1.clone();
        scalar.convStrip(WIDTH, steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, filters[0],
            want0);
        scalar.convStrip(WIDTH, steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, filters[1],
            want1);
        float[] pair0 = acc0.clone();
        float[] pair1 = acc1.clone();
        scalar.convStripPair(WIDTH, steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w,
            filters[0], filters[1], pair0, pair1);
        String what = "steps=" + steps + " filters at " + Arrays.toString(filters);
        assertArrayEquals(want0, pair0, "scalar pair, first strip, " + what);
        assertArrayEquals(want1, pair1, "scalar pair, second strip, " + what);
        float[] got0 = acc0.clone();
        float[] got1 = acc1.clone();
        vector.convStripPair(WIDTH, steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w,
            filters[0], filters[1], got0, got1);
        assertArrayEquals(want0, got0, "pair, first strip, " + what);
        assertArrayEquals(want1, got1, "pair, second strip, " + what);
        // The wide tile itself, whatever the vector width (256-bit vectors do not pair
        // strips in DirectConv, but the tile still sums correctly there).
        float[] wide0 = acc0.clone();
        float[] wide1 = acc1.clone();
        WideStrips.strip(steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, filters[0],
            filters[1], wide0, wide1);
        assertArrayEquals(want0, wide0, "wide tile, first strip, " + what);
        assertArrayEquals(want1, wide1, "wide tile, second strip, " + what);
      }
    }
  }

  /**
   * Whole convolutions against their FMA chains computed here one output at a time, to the
   * bit: the bias, then {@code Math.fma} over the kernel rows, columns and input channels in
   * order (the padding's zeros included), then the residual and ReLU. Output channels in
   * pairs of strips (the wide tile with 512-bit vectors, from 128 input channels) and in an
   * odd number of strips or on 64 channels (single strips), input channels not a multiple of
   * 8, rows not a multiple of the six positions, padding and none, stride 2, dilation, one
   * and two threads.
   */
  @Test
  void stripPairsGiveEachOutputItsFmaChainToTheBit() {
    Random rnd = new Random(35);
    ConvGeometry[] cases = {
      geometry(2, 131, 4, 13, 2 * WIDTH, 3, 3, 1, 1, 1), // a pair, rows of 13
      geometry(1, 128, 5, 5, 4 * WIDTH, 3, 3, 1, 1, 1), // two pairs per group
      geometry(2, 129, 3, 7, 3 * WIDTH, 3, 3, 1, 1, 1), // three strips: singles
      geometry(2, 64, 5, 7, 2 * WIDTH, 3, 3, 1, 1, 1), // 64 channels: singles
      geometry(1, 133, 4, 9, 2 * WIDTH, 3, 3, 1, 0, 1), // no padding
      geometry(2, 128, 7, 5, 2 * WIDTH, 3, 3, 2, 1, 1), // stride 2
      geometry(1, 130, 6, 5, 2 * WIDTH, 3, 3, 1, 2, 2), // dilation 2: a call per tap
      geometry(3, 128, 1, 1, 2 * WIDTH, 3, 3, 1, 1, 1), // one position per image
    };
    int before = Kernels.threads();
    try {
      for (ConvGeometry g : cases) {
        assertTrue(DirectConv.applies(g), "direct kernel for " + g);
        float[] x = random(rnd, g.batch() * g.inChannels() * g.inPlane());
        float[] w = random(rnd, g.outChannels() * g.reduction());
        float[] b = random(rnd, g.outChannels());
        float[] add = random(rnd, g.batch() * g.outChannels() * g.positions());
        Convolution.Filters f = Convolution.Filters.pack(g, w, 0, b, 0);
        for (float[] residual : new float[][] {null, add}) {
          float[] want = chains(g, x, w, b, residual);
          for (int t = 1; t <= 2; t++) {
            Kernels.setThreads(t);
            float[] got = new float[want.length];
            Convolution.conv2d(g, x, 0, w, 0, b, 0, f, Activation.RELU, residual, 0, got, 0,
                new Convolution.Workspace());
            assertArrayEquals(want, got, "conv2d " + g + (residual == null ? "" : " + residual")
                + ", " + t + " threads");
          }
        }
      }
    } finally {
      Kernels.setThreads(before);
    }
  }

  /**
   * A strided batch whose padded copy is larger than a pass ({@link DirectConv#imagesPerPass})
   * runs in passes of whole images on one thread, each padded right before its strips: here
   * two images, then the last alone (its input, residual and output offsets); on 2 threads in
   * one pass. Each output its FMA chain to the bit, the workspace reused.
   */
  @Test
  void batchesLargerThanAPassGiveEachOutputItsFmaChainToTheBit() {
    Random rnd = new Random(36);
    ConvGeometry[] cases = {
      geometry(3, 64, 56, 56, WIDTH, 3, 3, 2, 1, 1), // ResNet's 64 -> 128 stride 2
      geometry(3, 128, 40, 40, WIDTH, 3, 3, 2, 1, 1), // 41 x 41 x 128 floats an image
    };
    int before = Kernels.threads();
    try {
      for (ConvGeometry g : cases) {
        assertEquals(2, DirectConv.imagesPerPass(g, 1), "images a pass for " + g);
        assertEquals(3, DirectConv.imagesPerPass(g, 2), "images a pass for " + g);
        float[] x = random(rnd, g.batch() * g.inChannels() * g.inPlane());
        float[] w = random(rnd, g.outChannels() * g.reduction());
        float[] b = random(rnd, g.outChannels());
        float[] add = random(rnd, g.batch() * g.outChannels() * g.positions());
        Convolution.Filters f = Convolution.Filters.pack(g, w, 0, b, 0);
        float[] want = chains(g, x, w, b, add);
        Convolution.Workspace ws = new Convolution.Workspace();
        for (int t = 1; t <= 2; t++) {
          Kernels.setThreads(t);
          for (int call = 0; call < 2; call++) {
            float[] got = new float[want.length];
            Convolution.conv2d(g, x, 0, w, 0, b, 0, f, Activation.RELU, add, 0, got, 0, ws);
            assertArrayEquals(want, got, "conv2d " + g + " + residual, " + t + " threads, call "
                + call);
          }
        }
      }
    } finally {
      Kernels.setThreads(before);
    }
  }

  /** {@code relu(bias + conv2d(x, w) + add)}, each output one float FMA chain in tap order. */
  private static float[] chains(ConvGeometry g, float[] x, float[] w, float[] bias,
      float[] add) {
    float[] want = new float[g.batch() * g.outChannels() * g.positions()];
    for (int n = 0; n < g.batch(); n++) {
      for (int o = 0; o < g.outChannels(); o++) {
        for (int oh = 0; oh < g.outHeight(); oh++) {
          for (int ow = 0; ow < g.outWidth(); ow++) {
            int at = ((n * g.outChannels() + o) * g.outHeight() + oh) * g.outWidth() + ow;
            float a = bias[o];
            for (int i = 0; i < g.kernelH(); i++) {
              for (int j = 0; j < g.kernelW(); j++) {
                for (int c = 0; c < g.inChannels(); c++) {
                  int ih = oh * g.strideH() - g.padTop() + i * g.dilationH();
                  int iw = ow * g.strideW() - g.padLeft() + j * g.dilationW();
                  boolean inside = ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width();
                  float v = inside
                      ? x[((n * g.inChannels() + c) * g.height() + ih) * g.width() + iw] : 0f;
                  a = Math.fma(v,
                      w[((o * g.inChannels() + c) * g.kernelH() + i) * g.kernelW() + j], a);
                }
              }
            }
            if (add != null) {
              a += add[at];
            }
            want[at] = Math.max(a, 0f);
          }
        }
      }
    }
    return want;
  }

  @Test
  void spacedStripsMatchTheirScalarTwinToTheBit() {
    Random rnd = new Random(33);
    for (int sp : new int[] {ConvStrips.SPACING, ConvStrips.SPACING_128,
        ConvStrips.SPACING_256}) {
      for (int steps : new int[] {0, 1, 7, 9, 192, 193}) {
        float[] x = random(rnd, 6 * sp + steps + 11);
        float[] w = random(rnd, steps * WIDTH + 5);
        float[] acc = random(rnd, 6 * WIDTH);
        int p0 = 3;
        float[] want = acc.clone();
        float[] got = acc.clone();
        float[] spaced = acc.clone();
        scalar.convStrip(WIDTH, steps, x, p0, p0 + sp, p0 + 2 * sp, p0 + 3 * sp, p0 + 4 * sp,
            p0 + 5 * sp, w, 5, want);
        // Through the backend: positions a spacing apart take the spaced forms on JDK 17.
        vector.convStrip(WIDTH, steps, x, p0, p0 + sp, p0 + 2 * sp, p0 + 3 * sp, p0 + 4 * sp,
            p0 + 5 * sp, w, 5, got);
        if (sp == ConvStrips.SPACING) {
          ConvStrips.spaced(steps, x, p0, w, 5, spaced);
        } else if (sp == ConvStrips.SPACING_128) {
          ConvStrips.spaced128(steps, x, p0, w, 5, spaced);
        } else {
          ConvStrips.spaced256(steps, x, p0, w, 5, spaced);
        }
        String name = "spacing " + sp + ", steps=" + steps;
        assertArrayEquals(want, got, "strip of spaced positions, " + name);
        assertArrayEquals(want, spaced, "spaced strip, " + name);
        if (sp == ConvStrips.SPACING) { // two steps a loop turn (512-bit vectors), odd steps too
          float[] pairedSpaced = acc.clone();
          ConvStrips.pairedSpaced(steps, x, p0, w, 5, pairedSpaced);
          assertArrayEquals(want, pairedSpaced, "paired spaced strip, " + name);
        }
        // Spaced but one position off: the general form, still the twin's sums.
        float[] off = acc.clone();
        float[] offWant = acc.clone();
        scalar.convStrip(WIDTH, steps, x, p0, p0 + sp, p0 + 2 * sp, p0 + 3 * sp,
            p0 + 4 * sp + 1, p0 + 5 * sp, w, 5, offWant);
        vector.convStrip(WIDTH, steps, x, p0, p0 + sp, p0 + 2 * sp, p0 + 3 * sp,
            p0 + 4 * sp + 1, p0 + 5 * sp, w, 5, off);
        assertArrayEquals(offWant, off, "strip with one position off, " + name);
      }
    }
  }

  @Test
  void positionPairMatchesTheFirstPositionOfTwoScalarStripsToTheBit() {
    Random rnd = new Random(38);
    for (int steps : new int[] {0, 1, 7, 193}) {
      float[] x = random(rnd, steps + 9);
      int span = steps * WIDTH + 3;
      float[] w = random(rnd, 2 * span + 5);
      float[] acc0 = random(rnd, 6 * WIDTH);
      float[] acc1 = random(rnd, 6 * WIDTH);
      for (int[] filters : new int[][] {{5, 5 + span}, {5 + span, 5}}) {
        float[] want0 = acc0.clone();
        float[] want1 = acc1.clone();
        scalar.convStripPair(WIDTH, steps, x, 4, 4, 4, 4, 4, 4, w, filters[0], filters[1],
            want0, want1);
        // Only position 0 is computed; the other five keep their values.
        System.arraycopy(acc0, WIDTH, want0, WIDTH, 5 * WIDTH);
        System.arraycopy(acc1, WIDTH, want1, WIDTH, 5 * WIDTH);
        String what = "steps=" + steps + " filters at " + Arrays.toString(filters);
        for (Backend backend : new Backend[] {scalar, vector}) {
          float[] got0 = acc0.clone();
          float[] got1 = acc1.clone();
          backend.convPositionPair(WIDTH, steps, x, 4, w, filters[0], filters[1], got0, got1);
          assertArrayEquals(want0, got0, backend + " position pair, first strip, " + what);
          assertArrayEquals(want1, got1, backend + " position pair, second strip, " + what);
        }
      }
    }
  }

  @Test
  void spacedStripPairsMatchTwoStripsOfTheirScalarTwinToTheBit() {
    Random rnd = new Random(37);
    for (int sp : new int[] {WideStrips.SPACING_128, WideStrips.SPACING_256}) {
      for (int steps : new int[] {0, 1, 7, 384, 385}) {
        float[] x = random(rnd, 6 * sp + steps + 11);
        int span = steps * WIDTH + 3;
        float[] w = random(rnd, 2 * span + 5);
        float[] acc0 = random(rnd, 6 * WIDTH);
        float[] acc1 = random(rnd, 6 * WIDTH);
        for (int off : new int[] {0, 1}) { // evenly spaced, then the fifth position one off
          int[] p = {3, 3 + sp, 3 + 2 * sp, 3 + 3 * sp, 3 + 4 * sp + off, 3 + 5 * sp};
          float[] want0 = acc0.clone();
          float[] want1 = acc1.clone();
          scalar.convStripPair(WIDTH, steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, 5,
              5 + span, want0, want1);
          float[] got0 = acc0.clone();
          float[] got1 = acc1.clone();
          // Through the backend: evenly spaced positions take the spaced copies.
          vector.convStripPair(WIDTH, steps, x, p[0], p[1], p[2], p[3], p[4], p[5], w, 5,
              5 + span, got0, got1);
          String name = "spacing " + sp + ", off " + off + ", steps=" + steps;
          assertArrayEquals(want0, got0, "pair, first strip, " + name);
          assertArrayEquals(want1, got1, "pair, second strip, " + name);
          if (off == 0) { // the copies themselves, whatever the vector width
            float[] wide0 = acc0.clone();
            float[] wide1 = acc1.clone();
            if (sp == WideStrips.SPACING_128) {
              WideStrips.spaced128(steps, x, p[0], w, 5, 5 + span, wide0, wide1);
            } else {
              WideStrips.spaced256(steps, x, p[0], w, 5, 5 + span, wide0, wide1);
            }
            assertArrayEquals(want0, wide0, "spaced wide tile, first strip, " + name);
            assertArrayEquals(want1, wide1, "spaced wide tile, second strip, " + name);
          }
        }
      }
    }
  }

  /**
   * A group's sums into its block, {@code (channels, positions)}: any count of positions (whole
   * tiles of 16, a ragged rest, tiles across strips), from any strip, at either strip width,
   * against the definition; positions past the count are not written.
   */
  @Test
  void stripsBlockMatchesTheDefinitionAndItsScalarTwin() {
    Random rnd = new Random(36);
    int stride = 101; // not a multiple of 16: stores land anywhere in a row
    for (int width : new int[] {WIDTH, 16}) {
      for (int from : new int[] {0, 3}) {
        for (int n : new int[] {0, 1, 5, 6, 15, 16, 17, 31, 32, 33, 47, 90, 95, 96}) {
          float[][] accs = new float[from + 17][];
          for (int s = 0; s < accs.length; s++) {
            accs[s] = random(rnd, 6 * width);
          }
          float[] want = new float[width * stride];
          Arrays.fill(want, Float.NaN);
          for (int u = 0; u < n; u++) {
            for (int c = 0; c < width; c++) {
              want[c * stride + u] = accs[from + u / 6][u % 6 * width + c];
            }
          }
          float[] got = new float[want.length];
          float[] twin = new float[want.length];
          Arrays.fill(got, Float.NaN);
          Arrays.fill(twin, Float.NaN);
          vector.convStripsBlock(width, accs, from, n, got, stride);
          scalar.convStripsBlock(width, accs, from, n, twin, stride);
          String name = "width " + width + ", from " + from + ", n " + n;
          assertArrayEquals(want, twin, "scalar block, " + name);
          assertArrayEquals(want, got, "vector block, " + name);
        }
      }
    }
  }

  @Test
  void convolutionsMatchTheDefinitionAndDoNotDependOnBatchOrThreads() {
    Random rnd = new Random(32);
    ConvGeometry[] cases = {
      geometry(3, 16, 9, 11, WIDTH, 3, 3, 1, 1, 1), // 3x3 same, rows of 11: strips cross rows
      geometry(2, 24, 7, 7, 2 * WIDTH, 3, 3, 1, 1, 1), // 49 positions: strips cross images
      geometry(1, 32, 12, 10, WIDTH, 3, 3, 2, 1, 1), // stride 2 (positions 64 apart: spaced)
      // 64 and 128 channels, rows of 13: strips within a row (spaced forms) and across rows
      geometry(2, 64, 5, 13, WIDTH, 3, 3, 1, 1, 1),
      geometry(1, 128, 4, 13, WIDTH, 3, 3, 1, 1, 1),
      // a pair of strips (512 bits) over 49 positions: the last strip one position alone
      geometry(1, 128, 7, 7, 2 * WIDTH, 3, 3, 1, 1, 1),
      geometry(2, 16, 10, 13, WIDTH, 3, 3, 1, 2, 2), // dilation 2 (taps one at a time)
      geometry(1, 20, 11, 9, WIDTH, 5, 5, 1, 2, 1), // 5x5
      geometry(2, 16, 8, 9, WIDTH, 2, 3, 1, 0, 1), // 2x3, no padding
      // 12 channels: a block of 8 and 4 single ones in the channels-last copy; stride 2
      // without padding leaves the last input column unread (not copied)
      geometry(2, 12, 9, 10, WIDTH, 3, 3, 2, 0, 1),
      geometry(1, 3, 15, 17, WIDTH, 7, 7, 2, 3, 1), // a 7x7 stride-2 stem on 3 channels
      geometry(1, 16, 1, 1, WIDTH, 3, 3, 1, 1, 1), // one position (5 repeated)
      // 2 x 456 positions, 8.4 M multiply-adds: split between threads; a ragged last group
      geometry(2, 32, 19, 24, 2 * WIDTH, 3, 3, 1, 1, 1),
      // batches of two images a thread and more: units of whole images (imagesPerUnit), each
      // run as on one thread (its own ring), stride 1 and 2
      geometry(5, 32, 12, 12, 2 * WIDTH, 3, 3, 1, 1, 1),
      geometry(8, 16, 24, 24, WIDTH, 3, 3, 2, 1, 1),
      // one thread pads rows into a ring as the strips reach them (ringRowsFollowTheGroups)
      RING, RING_DILATED,
    };
    int before = Kernels.threads();
    try {
      for (ConvGeometry g : cases) {
        assertTrue(DirectConv.applies(g), "direct kernel for " + g);
        int image = g.inChannels() * g.inPlane();
        int outImage = g.outChannels() * g.positions();
        float[] x = random(rnd, g.batch() * image + 3);
        float[] w = random(rnd, g.outChannels() * g.reduction());
        float[] b = random(rnd, g.outChannels());
        float[] add = random(rnd, g.batch() * outImage);
        for (boolean withBias : new boolean[] {true, false}) {
          for (float[] residual : new float[][] {null, add}) {
            for (Activation act : Activation.values()) {
              String what = "conv2d " + g + (withBias ? " + bias" : "")
                  + (residual == null ? "" : " + residual") + " " + act;
              float[] bias = withBias ? b : null;
              Convolution.Filters f = Convolution.Filters.pack(g, w, 0, bias, 0);
              Kernels.setThreads(1);
              float[] got = new float[g.batch() * outImage];
              Convolution.conv2d(g, x, 3, w, 0, bias, 0, f, act, residual, 0, got, 0,
                  new Convolution.Workspace());
              assertClose(definition(g, x, 3, w, bias, residual, act), got, 1e-4, what);
              ConvGeometry one = new ConvGeometry(1, g.inChannels(), g.height(), g.width(),
                  g.outChannels(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(),
                  g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), 1, g.outHeight(),
                  g.outWidth());
              int last = (g.batch() - 1) * outImage;
              float[] alone = new float[outImage + 2];
              Convolution.conv2d(one, x, 3 + (g.batch() - 1) * image, w, 0, bias, 0, f, act,
                  residual, last, alone, 2, new Convolution.Workspace());
              assertArrayEquals(Arrays.copyOfRange(got, last, got.length),
                  Arrays.copyOfRange(alone, 2, alone.length), what + ": the last image alone");
              for (int t = 2; t <= 3; t++) {
                Kernels.setThreads(t);
                Convolution.Workspace reused = new Convolution.Workspace();
                for (int call = 0; call < 3; call++) { // threads take items as they come
                  float[] split = new float[got.length];
                  Convolution.conv2d(g, x, 3, w, 0, bias, 0, f, act, residual, 0, split, 0,
                      reused);
                  assertArrayEquals(got, split, what + ": " + t + " threads, call " + call);
                }
              }
            }
          }
        }
      }
    } finally {
      Kernels.setThreads(before);
    }
  }

  /**
   * The units of whole images the threads split a batch into: a quarter of a thread's share,
   * from two images a thread; none on one thread or with fewer images (the threads then share
   * each strip group).
   */
  @Test
  void unitsOfImagesFromTwoImagesAThread() {
    ConvGeometry resnet = geometry(8, 64, 56, 56, WIDTH, 3, 3, 1, 1, 1);
    assertEquals(2, DirectConv.imagesPerUnit(resnet, 2));
    assertEquals(0, DirectConv.imagesPerUnit(resnet, 1));
    assertEquals(0, DirectConv.imagesPerUnit(resnet, 5));
    assertEquals(1, DirectConv.imagesPerUnit(geometry(4, 64, 56, 56, WIDTH, 3, 3, 1, 1, 1), 2));
    assertEquals(0, DirectConv.imagesPerUnit(geometry(3, 64, 56, 56, WIDTH, 3, 3, 1, 1, 1), 2));
    assertEquals(4, DirectConv.imagesPerUnit(geometry(16, 64, 56, 56, WIDTH, 3, 3, 1, 1, 1), 2));
  }

  @Test
  void smallOrOddChannelCountsKeepTheGemm() {
    assertEquals(false, DirectConv.applies(geometry(1, 2, 5, 5, WIDTH, 3, 3, 1, 1, 1)));
    assertEquals(false, DirectConv.applies(geometry(1, 16, 5, 5, WIDTH + 1, 3, 3, 1, 1, 1)));
    assertEquals(false, DirectConv.applies(geometry(1, 16, 5, 5, WIDTH, 1, 1, 1, 0, 1)));
  }

  @Test
  void filtersRepackedInPlaceGiveTheNewResult() {
    Random rnd = new Random(33);
    ConvGeometry g = geometry(1, 16, 6, 6, WIDTH, 3, 3, 1, 1, 1);
    float[] x = random(rnd, g.inChannels() * g.inPlane());
    float[] w = random(rnd, g.outChannels() * g.reduction());
    float[] b = random(rnd, g.outChannels());
    Convolution.Filters f = Convolution.Filters.pack(g, w, 0, b, 0);
    float[] w2 = random(rnd, w.length);
    float[] b2 = random(rnd, b.length);
    f.repack(g, w2, 0, b2, 0);
    assertTrue(f.fits(g, true));
    float[] got = new float[g.outChannels() * g.positions()];
    Convolution.conv2d(g, x, 0, w2, 0, b2, 0, f, Activation.NONE, got, 0,
        new Convolution.Workspace());
    assertClose(definition(g, x, 0, w2, b2, null, Activation.NONE), got, 1e-4, "repacked");
  }

  /** Images tall enough that one thread pads them into a ring of rows. */
  private static final ConvGeometry RING = geometry(2, 16, 36, 17, WIDTH, 3, 3, 1, 1, 1);
  /** The ring with a dilation of 2: 4 rows copied again after it. */
  private static final ConvGeometry RING_DILATED =
      geometry(2, 16, 30, 13, WIDTH, 3, 3, 1, 2, 2);

  /**
   * The ring holds every padded row a group of strips reads, from its first position's first
   * row to its last position's last, counted across images (row {@code img * hp + r}), and is
   * used only where it is smaller than the batch's rows.
   */
  @Test
  void ringRowsFollowTheGroups() {
    // RING: 36 x 17 outputs (612 an image), 38 padded rows an image. The widest group is the
    // one that crosses into image 1, positions 576..671: from row 33 (576 / 17) of image 0 to
    // row 3 ((671 - 612) / 17) of image 1, whose window reaches padded row 38 + 3 + 2: rows
    // 33..43, 11. Within an image a group spans at most 6 output rows, 9 padded.
    assertEquals(11, DirectConv.ringRows(RING, 38));
    // RING_DILATED: 30 x 13 outputs (390), 34 padded rows, a window 5 rows tall. Positions
    // 384..479 run from row 29 of image 0 to row 6 ((479 - 390) / 13) of image 1: padded rows
    // 29..(34 + 6 + 4), 16.
    assertEquals(16, DirectConv.ringRows(RING_DILATED, 34));
    // ResNet's 56x56 layer: positions 3072..3167 run from row 54 of image 0 to row 0 of
    // image 1 (3136 an image): padded rows 54..(58 + 0 + 2), 7; 6240..6335 from row 55 to
    // row 1, 7 too; a group within an image spans 3 output rows, 5 padded.
    assertEquals(7, DirectConv.ringRows(geometry(8, 64, 56, 56, 64, 3, 3, 1, 1, 1), 58));
    // One 7x7 image: the ring (9 rows and 2 again) is no smaller than the image (9 rows).
    assertEquals(0, DirectConv.ringRows(geometry(1, 512, 7, 7, 512, 3, 3, 1, 1, 1), 9));
  }

  static ConvGeometry geometry(int batch, int in, int h, int w, int out, int kh,
      int kw, int stride, int pad, int dilation) {
    int oh = (h + 2 * pad - dilation * (kh - 1) - 1) / stride + 1;
    int ow = (w + 2 * pad - dilation * (kw - 1) - 1) / stride + 1;
    return new ConvGeometry(batch, in, h, w, out, kh, kw, stride, stride, pad, pad, dilation,
        dilation, 1, oh, ow);
  }

  /** {@code act(conv2d(x, w) + bias + add)} by the definition, in double. */
  static float[] definition(ConvGeometry g, float[] x, int xOff, float[] w,
      float[] bias, float[] add, Activation act) {
    float[] want = new float[g.batch() * g.outChannels() * g.positions()];
    for (int n = 0; n < g.batch(); n++) {
      for (int o = 0; o < g.outChannels(); o++) {
        for (int oh = 0; oh < g.outHeight(); oh++) {
          for (int ow = 0; ow < g.outWidth(); ow++) {
            int at = ((n * g.outChannels() + o) * g.outHeight() + oh) * g.outWidth() + ow;
            double acc = (bias == null ? 0 : bias[o]) + (add == null ? 0 : add[at]);
            for (int c = 0; c < g.inChannels(); c++) {
              for (int i = 0; i < g.kernelH(); i++) {
                for (int j = 0; j < g.kernelW(); j++) {
                  int ih = oh * g.strideH() - g.padTop() + i * g.dilationH();
                  int iw = ow * g.strideW() - g.padLeft() + j * g.dilationW();
                  if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                    acc += (double) w[((o * g.inChannels() + c) * g.kernelH() + i)
                        * g.kernelW() + j]
                        * x[xOff + ((n * g.inChannels() + c) * g.height() + ih) * g.width()
                            + iw];
                  }
                }
              }
            }
            want[at] = act == Activation.RELU ? (float) Math.max(acc, 0) : (float) acc;
          }
        }
      }
    }
    return want;
  }

  private static void assertClose(float[] want, float[] got, double tol, String what) {
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(want[i] - got[i]) <= tol * (1 + Math.abs(want[i])))) {
        fail(what + ": element " + i + " is " + got[i] + ", the definition gives " + want[i]
            + " (tolerance " + tol + ")");
      }
    }
  }
}
