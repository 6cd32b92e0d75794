package dev.netspec.runtime.kernels;

import static dev.netspec.runtime.kernels.DirectConvTest.geometry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The stem's direct convolution ({@link StemConv}): whole convolutions against {@link
 * DirectConv}'s strips (whose scalar twin {@code DirectConvTest} checks) to the bit, over odd
 * sizes, strides 1 to 3, dilation, padding or none, bias or none, a residual or none, every
 * activation and 1 or 2 threads; and against the definition. Seeded.
 */
@EnabledIf("wide")
class StemConvTest {
  private static final int WIDTH = 2 * VectorBackend.SPECIES.length();

  static boolean wide() {
    return Kernels.vectorized() && VectorBackend.SPECIES.length() >= 16;
  }

  private static float[] random(Random rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    return x;
  }

  @Test
  void convolutionsMatchTheStripsToTheBitAndTheDefinition() {
    Random rnd = new Random(41);
    ConvGeometry[] cases = {
      geometry(2, 3, 71, 149, 2 * WIDTH, 7, 7, 2, 3, 1), // the stem's shape, odd sizes
      geometry(1, 3, 33, 64, WIDTH, 3, 3, 1, 1, 1), // stride 1: one phase
      geometry(1, 4, 20, 205, WIDTH, 5, 3, 3, 0, 1), // stride 3, no padding, 5x3
      geometry(1, 3, 17, 140, WIDTH, 3, 3, 2, 2, 2), // dilation 2 on stride 2
      geometry(3, 3, 9, 130, WIDTH, 7, 7, 2, 3, 1), // short images: tiles cross them
    };
    int before = Kernels.threads();
    try {
      for (ConvGeometry g : cases) {
        assertTrue(StemConv.applies(g), "stem kernel for " + g);
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
              float[] packed = DirectConv.pack(g, w, 0, bias, 0, null);
              Kernels.setThreads(1);
              float[] strips = new float[g.batch() * outImage + 2];
              DirectConv.conv2d(g, x, 3, packed, act, residual, 0, strips, 2,
                  new DirectConv.Task());
              for (int t = 1; t <= 2; t++) {
                Kernels.setThreads(t);
                float[] got = new float[strips.length];
                StemConv.Task task = new StemConv.Task();
                for (int call = 0; call < 2; call++) { // the task and the planes reused
                  StemConv.conv2d(g, x, 3, packed, act, residual, 0, got, 2, task);
                  assertArrayEquals(strips, got, what + ": " + t + " threads, call " + call);
                }
              }
              if (act == Activation.RELU) {
                float[] want = DirectConvTest.definition(g, x, 3, w, bias, residual, act);
                for (int i = 0; i < want.length; i++) {
                  float v = strips[2 + i];
                  if (!(Math.abs(want[i] - v) <= 1e-4 * (1 + Math.abs(want[i])))) {
                    fail(what + ": element " + i + " is " + v + ", the definition gives "
                        + want[i]);
                  }
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

  @Test
  void narrowRowsAndManyChannelsKeepTheStrips() {
    assertEquals(false, StemConv.applies(geometry(1, 3, 15, 17, WIDTH, 7, 7, 2, 3, 1)));
    assertEquals(false, StemConv.applies(geometry(1, 8, 9, 80, WIDTH, 3, 3, 1, 1, 1)));
    assertEquals(false, StemConv.applies(geometry(1, 3, 9, 80, WIDTH + 4, 3, 3, 1, 1, 1)));
    assertTrue(StemConv.applies(geometry(8, 3, 224, 224, 2 * WIDTH, 7, 7, 2, 3, 1)));
  }
}
