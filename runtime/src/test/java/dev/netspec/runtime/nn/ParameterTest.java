package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link Parameter} by itself: materializing a lazy one, replacing its data, its gradient
 * (set, made from the first backward, added to on each layout), and a tied parameter
 * handing every call to the one it is tied to.
 */
class ParameterTest {
  private static final ParameterMirror MIRROR = new ParameterMirror() {
    @Override
    public boolean begin(Tensor data) {
      return false;
    }

    @Override
    public void end(Tensor data) {}

    @Override
    public void updated(int from, int to) {}
  };

  @Test
  void aLazyParameterIsMaterializedOnceAndTrainsAfterwards() {
    Parameter p = Parameter.uninitialized();
    assertFalse(p.isMaterialized());
    assertEquals("<UninitializedParameter>", p.toString());
    Tensor data = p.materialize(2, 3);
    assertTrue(p.isMaterialized());
    assertSame(data, p.data());
    assertArrayEquals(new int[] {2, 3}, p.shape());
    assertArrayEquals(new float[6], data.toFloatArray(), "zeros");
    assertEquals("parameter is already materialized with shape [2, 3]",
        assertThrows(IllegalStateException.class, () -> p.materialize(2, 3)).getMessage());
    // its data is bound to it: a backward through the data reaches the parameter's grad
    data.mul(Tensor.of(1, 2, 3, 4, 5, 6).view(2, 3)).sum().backward();
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, p.grad().toFloatArray());
  }

  @Test
  void replacedDataIsBoundToTheParameter() {
    Parameter p = new Parameter(Tensor.of(1f, 2f));
    Tensor next = Tensor.of(3f, 4f, 5f);
    p.setData(next);
    assertSame(next, p.data());
    next.mul(2f).sum().backward();
    assertArrayEquals(new float[] {2, 2, 2}, p.grad().toFloatArray());
    assertEquals("data is null",
        assertThrows(IllegalArgumentException.class, () -> p.setData(null)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> p.setData(Tensor.ofLongs(1, 2)));
  }

  @Test
  void theGradientIsKeptMadeOrAddedOnEachLayout() {
    Parameter p = new Parameter(Tensor.zeros(2, 2));
    assertNull(p.grad());
    Tensor fresh = Tensor.of(1, 2, 3, 4).view(2, 2);
    p.accumulateGrad(fresh);
    assertSame(fresh, p.grad(), "a fresh contiguous gradient is kept as it is");
    long version = fresh.version();
    p.accumulateGrad(Tensor.of(10, 20, 30, 40).view(2, 2));
    assertSame(fresh, p.grad(), "then added into");
    assertArrayEquals(new float[] {11, 22, 33, 44}, fresh.toFloatArray());
    assertTrue(fresh.version() > version, "an added gradient has a new version");
    version = fresh.version();
    p.accumulateGrad(Tensor.of(1, 2, 3, 4).view(2, 2).t()); // strided: [[1, 3], [2, 4]]
    assertArrayEquals(new float[] {12, 25, 35, 48}, p.grad().toFloatArray());
    assertTrue(fresh.version() > version, "an added gradient has a new version");

    p.setGrad(null);
    Tensor kept = Tensor.of(5, 6, 7, 8).view(2, 2);
    p.accumulateGrad(kept, false);
    assertNotSame(kept, p.grad(), "not to keep: a copy");
    assertArrayEquals(new float[] {5, 6, 7, 8}, p.grad().toFloatArray());
    kept.fill_(0f);
    assertArrayEquals(new float[] {5, 6, 7, 8}, p.grad().toFloatArray());
    p.setGrad(null);
    Tensor strided = Tensor.of(1, 2, 3, 4).view(2, 2).t();
    p.accumulateGrad(strided, true);
    assertNotSame(strided, p.grad(), "a strided gradient is copied even when it may be kept");
    assertArrayEquals(new float[] {1, 3, 2, 4}, p.grad().toFloatArray());
    Tensor set = Tensor.ones(2, 2);
    p.setGrad(set);
    assertSame(set, p.grad());
    // a strided gradient set by hand is added into element by element, not as its array
    Tensor transposed = Tensor.of(1, 2, 3, 4).view(2, 2).t(); // [[1, 3], [2, 4]]
    p.setGrad(transposed);
    p.accumulateGrad(Tensor.of(10, 20, 30, 40).view(2, 2));
    assertArrayEquals(new float[] {11, 23, 32, 44}, p.grad().contiguous().toFloatArray());
  }

  @Test
  void aTiedParameterHandsEveryCallToItsSource() {
    Parameter source = new Parameter(Tensor.of(1f, 2f));
    Parameter tied = Parameter.uninitialized();
    tied.tieTo(source);
    assertTrue(tied.isMaterialized());
    assertSame(source.data(), tied.data());
    assertEquals(source.toString(), tied.toString());
    assertTrue(tied.toString().startsWith("Parameter containing:\ntensor("));
    assertTrue(tied.toString().endsWith(", requires_grad=True)"), tied.toString());
    assertThrows(IllegalStateException.class, () -> tied.materialize(2), "the source is");

    Tensor g = Tensor.of(1f, 1f);
    tied.setGrad(g);
    assertSame(g, source.grad());
    tied.accumulateGrad(Tensor.of(2f, 3f));
    assertArrayEquals(new float[] {3, 4}, source.grad().toFloatArray());
    tied.accumulateGrad(Tensor.of(1f, 1f), false);
    assertArrayEquals(new float[] {4, 5}, source.grad().toFloatArray());
    assertSame(source.grad(), tied.grad());

    assertNull(tied.mirror());
    tied.addMirror(MIRROR);
    assertTrue(source.mirror() != null, "registered on the source");
    assertSame(source.mirror(), tied.mirror());
    tied.removeMirror(MIRROR);
    assertNull(source.mirror(), "and removed from it");
    assertSame(tied, tied.requiresGrad(false));
    assertFalse(source.requiresGrad());
    assertFalse(tied.requiresGrad());
    assertFalse(tied.toString().contains("requires_grad"), "frozen: " + tied);

    Tensor next = Tensor.of(7f);
    tied.setData(next);
    assertSame(next, source.data());
    assertEquals("a parameter cannot be tied to itself",
        assertThrows(IllegalArgumentException.class, () -> source.tieTo(tied)).getMessage());

    Parameter lazy = Parameter.uninitialized();
    Parameter second = Parameter.uninitialized();
    second.tieTo(lazy);
    assertFalse(second.isMaterialized(), "tied to a lazy one: not yet");
    Tensor made = second.materialize(3);
    assertSame(lazy.data(), made, "the source's new data");
    assertTrue(lazy.isMaterialized(), "materializing the second name materializes the source");
    assertArrayEquals(new int[] {3}, lazy.shape());
  }

  @Test
  void aParameterWithoutDataOrOfIntegersIsRefused() {
    assertEquals("data is null; use Parameter.uninitialized()",
        assertThrows(IllegalArgumentException.class, () -> new Parameter(null)).getMessage());
    assertEquals("uninitialized parameter: its shape is inferred at the first forward",
        assertThrows(IllegalStateException.class, () -> Parameter.uninitialized().data())
            .getMessage());
    assertEquals("a parameter must be float32 (only floating point tensors can require"
        + " gradients), got torch.int64; register it as a buffer", assertThrows(
        IllegalArgumentException.class, () -> new Parameter(Tensor.ofLongs(1))).getMessage());
    Parameter p = new Parameter(Tensor.of(1f));
    assertNull(p.mirror());
    p.addMirror(MIRROR);
    assertTrue(p.mirror() != null);
    p.removeMirror(MIRROR);
    assertNull(p.mirror());
    assertTrue(p.requiresGrad());
  }
}
