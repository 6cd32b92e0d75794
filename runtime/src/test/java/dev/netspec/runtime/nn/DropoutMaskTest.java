package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link Dropout}'s mask as a training step reads it: {@link Dropout#mask()} is the mask the
 * last training forward multiplied by (0 or {@code 1 / (1 - p)}, by PyTorch's definition of
 * dropout), and {@link Dropout#drawMaskInto} draws the very mask a forward would have drawn,
 * into the caller's buffer, and keeps it as the layer's mask.
 */
class DropoutMaskTest {
  @Test
  void theMaskIsWhatTheLastTrainingForwardMultipliedBy() {
    Dropout d = new Dropout(0.25);
    assertEquals(0.25, d.p());
    assertEquals(0.5, new Dropout().p());
    assertNull(d.mask(), "no training forward yet");
    Tensor x = Tensor.ones(40, 25);
    d.eval();
    assertSame(x, d.forward(x));
    assertNull(d.mask(), "an eval forward draws no mask");
    d.train();
    float[] y = d.forward(x).toFloatArray();
    float[] mask = d.mask().toFloatArray();
    assertArrayEquals(y, mask, "x is all ones, so y is the mask");
    int zeros = 0;
    for (float m : mask) {
      if (m == 0) {
        zeros++;
      } else {
        assertEquals(1 / 0.75f, m, 1e-6f);
      }
    }
    // 25% of 1000 zeroed, sd sqrt(1000 * 0.25 * 0.75) = 13.7: within 6 sd
    assertEquals(250, zeros, 6 * 13.7);
    Tensor first = d.mask();
    d.forward(x);
    assertTrue(first != d.mask(), "each forward keeps its own mask");
  }

  @Test
  void drawMaskIntoDrawsWhatAForwardWouldAndKeepsIt() {
    Sequential a = new Sequential(new Dropout(0.4)).initialize(7);
    Sequential b = new Sequential(new Dropout(0.4)).initialize(7);
    Dropout da = (Dropout) a.get(0);
    Dropout db = (Dropout) b.get(0);
    Tensor x = Tensor.ones(3, 50);
    float[] fromForward = da.forward(x).toFloatArray();
    Tensor buffer = Tensor.zeros(3, 50);
    assertSame(buffer, db.drawMaskInto(buffer));
    assertSame(buffer, db.mask());
    assertArrayEquals(fromForward, buffer.toFloatArray(), "the same draws from the same seed");
    // the next draw continues the stream, as the next forward would
    float[] secondForward = da.forward(x).toFloatArray();
    db.drawMaskInto(buffer);
    assertArrayEquals(secondForward, buffer.toFloatArray());
  }
}
