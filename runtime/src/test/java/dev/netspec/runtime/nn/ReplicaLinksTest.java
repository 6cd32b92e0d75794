package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.lang.reflect.Field;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What ties a replica to its original ({@link ReplicaLinks}): its parameters checked against
 * the original's shapes and tied, its buffers and mode copied when it is made (before any
 * forward), derived state (a Linear's packed weight) shared, no initializer run for it, and
 * the initializer scope closed again afterwards.
 */
class ReplicaLinksTest {
  /** A block whose replica is built by a given supplier, with a buffer and an init counter. */
  static final class Holder extends Module {
    static int resets;
    final Linear linear;
    final Supplier<Holder> make;

    Holder(int features, Tensor stats, Supplier<Holder> make) {
      this.make = make;
      beginChildren();
      try {
        linear = addModule("0", new Linear(features, 2));
      } finally {
        endChildren();
      }
      registerBuffer("stats", stats);
      initialize(3);
    }

    @Override
    protected void resetParameters(ParameterSeeds seeds) {
      resets++;
    }

    @Override
    public Tensor forward(Tensor x) {
      return linear.forward(x);
    }

    @Override
    public Holder replica() {
      return replicaOf(make);
    }
  }

  private static Holder plain(Tensor stats) {
    return new Holder(3, stats, () -> new Holder(3, Tensor.zeros(2), null));
  }

  @Test
  void aReplicaHasTheBuffersAndModeBeforeItsFirstForward() {
    // a buffer the original was built with: version 0, other values than the replica's own
    Holder model = plain(Tensor.of(4f, 5f));
    assertEquals(0L, model.buffer("stats").version());
    model.eval();
    Holder copy = model.replica();
    assertArrayEquals(new float[] {4, 5}, copy.buffer("stats").toFloatArray());
    assertFalse(copy.isTraining(), "the mode is copied when the replica is made");
    assertFalse(copy.linear.isTraining());
    assertSame(model.linear.weight.data(), copy.linear.weight.data(), "tied, one tensor");
  }

  @Test
  void aReplicaRunsNoInitializerAndLeavesTheScopeClosed() {
    Holder model = plain(Tensor.zeros(2));
    int before = Holder.resets;
    model.replica();
    assertEquals(before, Holder.resets, "the replica's initialize is skipped");
    plain(Tensor.zeros(2));
    assertEquals(before + 1, Holder.resets, "a block built afterwards initializes itself");
  }

  @Test
  void aReplicaOfAnotherShapeIsRefused() {
    Holder model = new Holder(3, Tensor.zeros(2), () -> new Holder(4, Tensor.zeros(2), null));
    IllegalStateException e = assertThrows(IllegalStateException.class, model::replica);
    assertEquals("the replica's 0.weight is [2, 4], the original's [2, 3]", e.getMessage());
  }

  @Test
  void aReplicaSharesTheLinearsPackedWeight() throws Exception {
    Holder model = plain(Tensor.zeros(2));
    Holder copy = model.replica();
    Field packed = Linear.class.getDeclaredField("packed");
    packed.setAccessible(true);
    assertSame(packed.get(model.linear), packed.get(copy.linear), "one packing for both");
    Tensor x = Tensor.of(1f, 2f, 3f).view(1, 3);
    assertTrue(model.forward(x).allclose(copy.forward(x), 0, 0));
  }
}
