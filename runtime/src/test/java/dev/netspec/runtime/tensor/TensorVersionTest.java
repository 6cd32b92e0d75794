package dev.netspec.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The storage version counter ({@code tensor._version}) that packed weights rely on. */
class TensorVersionTest {
  @Test
  void everyInPlaceEditThroughAnyViewBumpsTheSharedVersion() {
    Tensor w = Tensor.zeros(3, 4);
    Tensor row = w.select(0, 1);
    Tensor t = w.t();
    long v = w.version();
    row.add_(1f);
    assertTrue(w.version() > v, "add_ on a view");
    v = w.version();
    t.set(2f, 0, 0);
    assertTrue(w.version() > v, "set on a transpose");
    v = row.version();
    w.mul_(w.abs().ge(1f));
    assertTrue(row.version() > v, "mul_ seen from a view");
    for (Runnable edit : new Runnable[] {() -> w.fill_(1f), () -> w.zero_(),
        () -> w.copy_(Tensor.ones(4)), () -> w.sub_(1f), () -> w.div_(2f),
        () -> w.mapInPlace(a -> a + 1), () -> w.zipInPlace(w, Double::sum), w::bumpVersion}) {
      long before = w.version();
      edit.run();
      assertEquals(before + 1, w.version());
    }
  }

  @Test
  void outOfPlaceOpsAndCopiesLeaveTheVersionAlone() {
    Tensor w = Tensor.ones(2, 2);
    long v = w.version();
    w.add(1f);
    w.relu();
    w.matmul(w);
    Tensor c = w.clone();
    c.add_(1f);
    assertEquals(v, w.version());
    assertEquals(0, Tensor.zeros(1).version());
  }
}
