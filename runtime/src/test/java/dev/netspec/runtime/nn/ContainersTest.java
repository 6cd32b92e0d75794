package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** ModuleList, ModuleDict and tied parameters, against what PyTorch 1.13 prints and saves. */
class ContainersTest {
  /** A GPT-2 shaped toy: a dict of an embedding-like linear and a list, and a tied head. */
  static final class Toy extends Module {
    final ModuleDict transformer = addModule("transformer", new ModuleDict());
    final Linear wte = transformer.put("wte", new Linear(3, 4, false));
    final ModuleList<Linear> h = transformer.put("h", ModuleList.of(2, i -> new Linear(4, 4)));
    final Linear lmHead = addModule("lm_head", new Linear(4, 3, false));

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  @Test
  void printsAsPyTorchPrintsModuleDictAndModuleList() {
    // print(nn.ModuleDict({"wte": nn.Linear(3, 4, bias=False), "h": nn.ModuleList(...)})), torch 1.13
    String expected = "ModuleDict(\n"
        + "  (wte): Linear(in_features=3, out_features=4, bias=False)\n"
        + "  (h): ModuleList(\n"
        + "    (0): Linear(in_features=4, out_features=4, bias=True)\n"
        + "    (1): Linear(in_features=4, out_features=4, bias=True)\n"
        + "  )\n"
        + ")";
    assertEquals(expected, new Toy().transformer.toString());
    assertEquals("ModuleList()", new ModuleList<>().toString());
    assertEquals("ModuleDict()", new ModuleDict().toString());
  }

  @Test
  void aModuleListIsTypedAndIndexedFromEitherEnd() {
    Toy toy = new Toy();
    Linear last = toy.h.get(-1);
    assertSame(toy.h.get(1), last);
    List<Linear> seen = new ArrayList<>();
    toy.h.forEach(seen::add);
    assertEquals(List.of(toy.h.get(0), toy.h.get(1)), seen);
    assertThrows(IndexOutOfBoundsException.class, () -> toy.h.get(2));
    assertThrows(UnsupportedOperationException.class, () -> toy.h.forward(Tensor.zeros(1, 4)));
    assertThrows(UnsupportedOperationException.class, () -> toy.transformer.forward(Tensor.zeros(1, 4)));
    assertEquals(List.of("wte", "h"), toy.transformer.keys());
  }

  @Test
  void aModuleListsSizeAndIndicesAtTheirLimits() {
    ModuleList<Linear> empty = ModuleList.of(0, i -> new Linear(2, 2));
    assertEquals(0, empty.size(), "nn.ModuleList([]) is valid");
    assertEquals("a ModuleList cannot have -1 modules", assertThrows(
        IllegalArgumentException.class, () -> ModuleList.of(-1, i -> new Linear(2, 2)))
        .getMessage());
    ModuleList<Linear> h = ModuleList.of(2, i -> new Linear(2, 2));
    Linear third = new Linear(2, 2);
    assertSame(h, h.append(third), "append returns the list, as a chain");
    assertSame(third, h.get(2));
    assertSame(h.get(0), h.get(-3), "-size is the first");
    assertEquals("index 3 is out of range for a ModuleList of 3", assertThrows(
        IndexOutOfBoundsException.class, () -> h.get(3)).getMessage());
    assertEquals("index -4 is out of range for a ModuleList of 3", assertThrows(
        IndexOutOfBoundsException.class, () -> h.get(-4)).getMessage());
  }

  @Test
  void aModuleListIteratesInOrderReadOnlyWithOneSmallObjectPerLoop() {
    ModuleList<Linear> h = ModuleList.of(3, i -> new Linear(2, 2));
    h.append(h.get(0)); // appended twice: met twice
    Iterator<Linear> it = h.iterator();
    for (int i = 0; i < 4; i++) {
      assertTrue(it.hasNext());
      assertSame(h.get(i), it.next());
      assertThrows(UnsupportedOperationException.class, it::remove);
    }
    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
    assertEquals(4, h.size(), "nothing removed");

    // the read-only view's iterator was three objects (80 bytes measured on JDK 17);
    // this bound holds interpreted too, where no allocation is removed
    int loops = 10_000;
    int seen = 0;
    long before = THREADS.getCurrentThreadAllocatedBytes();
    for (int l = 0; l < loops; l++) {
      for (Linear m : h) {
        seen += m == null ? 0 : 1;
      }
    }
    long perLoop = (THREADS.getCurrentThreadAllocatedBytes() - before) / loops;
    assertEquals(4 * loops, seen);
    assertTrue(perLoop <= 32, perLoop + " bytes per loop over a ModuleList");
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  @Test
  void aTiedParameterIsOneTensorUnderBothKeys() {
    Toy toy = new Toy();
    toy.lmHead.weight.data().fill_(0f);
    assertThrows(IllegalArgumentException.class,
        () -> toy.tieParameter("lm_head.weight", "transformer.h.0.weight"), "[3, 4] vs [4, 4]");
    Linear square = new Linear(4, 4, false);
    toy.addModule("extra", square);
    toy.tieParameter("extra.weight", "transformer.h.0.weight");
    Map<String, Tensor> state = toy.stateDict();
    assertSame(state.get("extra.weight"), state.get("transformer.h.0.weight"));
    assertSame(toy.h.get(0).weight.data(), square.weight.data(), "the layer's own field reads the shared tensor");
    int params = toy.parameters().size();
    assertEquals(1 + 2 * 2 + 1, params, "the tied weight counted once, as PyTorch's parameters() does");

    // A strict load of both keys works when they agree, and keeps the tie.
    Map<String, Tensor> load = new LinkedHashMap<>();
    state.forEach((k, v) -> load.put(k, v.clone()));
    Tensor w = Tensor.zeros(4, 4).fill_(0.25f);
    load.put("extra.weight", w);
    load.put("transformer.h.0.weight", w.clone());
    toy.loadStateDict(load, true);
    assertSame(toy.h.get(0).weight.data(), square.weight.data());
    assertEquals(0.25f, square.weight.data().get(1, 2));
    square.weight.data().set(2f, 0, 0);
    assertEquals(2f, toy.h.get(0).weight.data().get(0, 0));

    load.put("extra.weight", Tensor.zeros(4, 4));
    StateDictException e = assertThrows(StateDictException.class, () -> toy.loadStateDict(load, true));
    assertTrue(e.getMessage().contains("are one shared tensor"), e.getMessage());
  }
}
