package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The copies registered on one parameter, as an optimizer sees them ({@link
 * Parameter#mirror()}): {@link ParameterMirror}'s contract, case by case. Each copy that says
 * yes in {@code begin} with the block size of the first one to say yes is told of every
 * block and of the end; a copy that declines, or asks for another block size, is told
 * nothing; a copy registered twice is told once; a removed one never again. The copies here
 * write down what they are told (the training step's real copies are {@code
 * train.PackMirrorTest}'s).
 */
class ParameterMirrorsTest {
  /** A copy that takes part when {@code takes}, in blocks of {@code block}, and logs its calls. */
  private static final class Copy implements ParameterMirror {
    final boolean takes;
    final int block;
    final List<String> calls = new ArrayList<>();

    Copy(boolean takes, int block) {
      this.takes = takes;
      this.block = block;
    }

    @Override
    public boolean begin(Tensor data) {
      calls.add("begin");
      return takes;
    }

    @Override
    public int block() {
      return block;
    }

    @Override
    public void updated(int from, int to) {
      calls.add(from + ".." + to);
    }

    @Override
    public void end(Tensor data) {
      calls.add("end");
    }
  }

  /** A parameter of 8 elements with {@code copies} registered in order. */
  private static Parameter withCopies(Copy... copies) {
    Parameter p = new Parameter(Tensor.zeros(8));
    for (Copy c : copies) {
      p.addMirror(c);
    }
    return p;
  }

  private static void update(ParameterMirror mirror, Tensor data) {
    if (mirror.begin(data)) {
      for (int from = 0; from < 8; from += mirror.block()) {
        mirror.updated(from, Math.min(8, from + mirror.block()));
      }
      mirror.end(data);
    }
  }

  @Test
  void copiesThatTakePartInOneBlockSizeAreToldOfEveryBlock() {
    Copy a = new Copy(true, 4);
    Copy declines = new Copy(false, 4);
    Copy b = new Copy(true, 4);
    Copy otherSize = new Copy(true, 2);
    Parameter p = withCopies(a, declines, b, otherSize);
    ParameterMirror all = p.mirror();
    assertTrue(all.begin(p.data()));
    assertEquals(4, all.block(), "the first copy's block size");
    all.updated(0, 4);
    all.updated(4, 8);
    all.end(p.data());
    List<String> told = List.of("begin", "0..4", "4..8", "end");
    assertEquals(told, a.calls);
    assertEquals(told, b.calls);
    assertEquals(List.of("begin"), declines.calls, "declined: told nothing more");
    assertEquals(List.of("begin"), otherSize.calls, "another block size: left out");
    // after the end, no copy is part of an update any more
    all.updated(0, 8);
    assertEquals(told, a.calls);
  }

  @Test
  void theBlockSizeIsTheFirstTakingCopys() {
    Copy declines = new Copy(false, 4);
    Copy small = new Copy(true, 2);
    Copy big = new Copy(true, 4);
    Parameter p = withCopies(declines, small, big);
    update(p.mirror(), p.data());
    assertEquals(2, p.mirror().block(), "the first copy to take part sets it, not the first one");
    assertEquals(List.of("begin", "0..2", "2..4", "4..6", "6..8", "end"), small.calls);
    assertEquals(List.of("begin"), big.calls);
  }

  @Test
  void noCopyTakingPartMeansNoUpdateOfCopies() {
    Copy declines = new Copy(false, 4);
    Parameter p = withCopies(declines);
    assertFalse(p.mirror().begin(p.data()));
    assertEquals(List.of("begin"), declines.calls);
  }

  @Test
  void aCopyRegisteredTwiceIsToldOnceAndARemovedOneNeverAgain() {
    Copy a = new Copy(true, 8);
    Copy b = new Copy(true, 8);
    Parameter p = withCopies(a, b, a);
    update(p.mirror(), p.data());
    List<String> once = List.of("begin", "0..8", "end");
    assertEquals(once, a.calls);
    assertEquals(once, b.calls);

    p.removeMirror(a);
    p.removeMirror(new Copy(true, 8)); // never registered: nothing changes
    update(p.mirror(), p.data());
    assertEquals(once, a.calls, "removed");
    assertEquals(List.of("begin", "0..8", "end", "begin", "0..8", "end"), b.calls);
    p.removeMirror(b);
    assertNull(p.mirror(), "none left");
  }

  @Test
  void manyCopiesAreAllTold() {
    Parameter p = new Parameter(Tensor.zeros(8));
    List<Copy> copies = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      Copy c = new Copy(true, 8);
      copies.add(c);
      p.addMirror(c);
    }
    update(p.mirror(), p.data());
    for (Copy c : copies) {
      assertEquals(List.of("begin", "0..8", "end"), c.calls);
    }
    // one removed from the middle: the others keep their order and are all told again
    p.removeMirror(copies.get(4));
    ParameterMirror all = p.mirror();
    assertSame(all, p.mirror());
    update(all, p.data());
    for (int i = 0; i < 9; i++) {
      assertEquals(i == 4 ? 3 : 6, copies.get(i).calls.size(), "copy " + i);
    }
  }
}
