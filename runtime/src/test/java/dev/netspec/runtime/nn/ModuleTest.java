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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {
  /** A module whose registrations the tests drive. */
  static final class Bag extends Module {
    Parameter param(String name, Parameter p) {
      return registerParameter(name, p);
    }

    Tensor buf(String name, Tensor t, boolean persistent) {
      return registerBuffer(name, t, persistent);
    }

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  private static Map<String, Tensor> copies(Map<String, Tensor> state) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    state.forEach((k, v) -> out.put(k, v.clone()));
    return out;
  }

  // ---------------------------------------------------------------- registration

  @Test
  void badNamesAreRefusedWithPyTorchsReasons() {
    Bag bag = new Bag();
    Parameter p = new Parameter(Tensor.zeros(1));
    assertEquals("parameter name can't contain \".\", got: a.b",
        assertThrows(IllegalArgumentException.class, () -> bag.param("a.b", p)).getMessage());
    assertEquals("parameter name can't be empty",
        assertThrows(IllegalArgumentException.class, () -> bag.param("", p)).getMessage());
    assertEquals("module 'm' is null",
        assertThrows(IllegalArgumentException.class, () -> bag.addModule("m", null))
            .getMessage());
    bag.param("w", p);
    assertEquals("attribute 'w' already exists",
        assertThrows(IllegalArgumentException.class, () -> bag.buf("w", Tensor.zeros(1), true))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> bag.addModule("w", new ReLU()));
    assertThrows(IllegalArgumentException.class, () -> bag.addModule("self", bag));
    Parameter q = new Parameter(Tensor.ones(2));
    bag.param("w", q);
    assertSame(q, bag.getParameter("w"), "re-registering a parameter replaces it");
  }

  @Test
  void aParameterTiedIntoTwoModulesIsOneParameterWithTwoStateDictKeys() {
    Linear a = new Linear(3, 3);
    Bag b = new Bag();
    b.param("weight", a.weight);
    Sequential net = new Sequential(a, b);
    assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(net.namedParameters().keySet()));
    assertEquals(List.of("0.weight", "0.bias", "1.weight"),
        new ArrayList<>(net.stateDict().keySet()));
    assertSame(net.stateDict().get("0.weight"), net.stateDict().get("1.weight"));
  }

  @Test
  void stateDictHoldsLiveTensorsAndPersistentBuffersOnly() {
    Bag bag = new Bag();
    Parameter w = bag.param("w", new Parameter(Tensor.zeros(2)));
    bag.buf("kept", Tensor.ones(1), true);
    bag.buf("scratch", Tensor.ones(1), false);
    Map<String, Tensor> state = bag.stateDict();
    assertEquals(List.of("w", "kept"), new ArrayList<>(state.keySet()));
    state.get("w").set(42f, 0);
    assertEquals(42f, w.data().get(0), "state_dict values share storage, as in PyTorch");
    assertEquals(List.of("kept", "scratch"), new ArrayList<>(bag.namedBuffers().keySet()));
  }

  // ---------------------------------------------------------------- load_state_dict

  @Test
  void loadCopiesEveryValue() {
    Sequential src = Structures.sharedNet();
    src.initialize(1);
    Sequential dst = Structures.sharedNet();
    dst.initialize(2);
    Module.LoadResult r = dst.loadStateDict(src.stateDict(), true);
    assertEquals(List.of(), r.missingKeys());
    src.stateDict().forEach((k, v) -> {
      assertTrue(v.contentEquals(dst.stateDict().get(k)), k);
      assertNotSame(v, dst.stateDict().get(k));
    });
  }

  @Test
  void aFailedLoadChangesNothing() {
    Sequential net = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    Map<String, Tensor> before = copies(net.stateDict());
    Map<String, Tensor> bad = new LinkedHashMap<>();
    bad.put("0.weight", Tensor.full(7f, 3, 2));
    bad.put("0.bias", null);
    bad.put("2.weight", Tensor.full(7f, 1, 3));
    bad.put("2.bias", Tensor.full(7f, 2));
    StateDictException e = assertThrows(StateDictException.class,
        () -> net.loadStateDict(bad, false));
    assertEquals(List.of("value for 0.bias is null", "size mismatch for 2.bias: copying a param"
        + " with shape torch.Size([2]) from checkpoint, the shape in current model is"
        + " torch.Size([1])."), e.problems());
    // the same problems as data: the shape mismatch, and what is not one
    assertEquals(List.of(new StateDictException.SizeMismatch("2.bias", List.of(2), List.of(1))),
        e.sizeMismatches());
    assertEquals(List.of("value for 0.bias is null"), e.otherProblems());
    before.forEach((k, v) -> assertTrue(v.contentEquals(net.stateDict().get(k)), k));
  }

  @Test
  void tiedKeysWithDifferentValuesAreRefused() {
    Sequential net = Structures.sharedNet();
    Map<String, Tensor> state = copies(net.stateDict());
    assertEquals(List.of(), net.loadStateDict(state, true).missingKeys());
    state.get("4.weight").set(1f, 0, 0);
    state.get("2.weight").set(2f, 0, 0);
    StateDictException e = assertThrows(StateDictException.class,
        () -> net.loadStateDict(state, true));
    assertEquals("Error(s) in loading state_dict for Sequential:\n\t4.weight and 2.weight are"
        + " one shared tensor, but the state dict gives them different values", e.getMessage());
  }

  @Test
  void buffersLoadAndNullValuesAreReported() {
    Bag bag = new Bag();
    Tensor kept = bag.buf("kept", Tensor.zeros(2), true);
    bag.loadStateDict(Map.of("kept", Tensor.of(3f, 4f)), true);
    assertArrayEquals(new float[] {3f, 4f}, kept.toFloatArray());
    Map<String, Tensor> withNull = new LinkedHashMap<>();
    withNull.put("kept", null);
    StateDictException e = assertThrows(StateDictException.class,
        () -> bag.loadStateDict(withNull, true));
    assertEquals(List.of("value for kept is null"), e.problems());
  }

  // ---------------------------------------------------------------- lazy layers

  @Test
  void theStateDictOfAnUninitializedLazyLayerFailsClearly() {
    Sequential net = new Sequential(new LazyLinear(4), new ReLU(), new LazyLinear(1, false));
    IllegalStateException e = assertThrows(IllegalStateException.class, net::stateDict);
    assertEquals("cannot take the state dict of Sequential: uninitialized parameters 0.weight,"
        + " 0.bias, 2.weight; run a forward first so the lazy layers learn their input size",
        e.getMessage());
  }

  @Test
  void loadingMaterializesALazyLayer() {
    Linear eager = new Linear(6, 4);
    LazyLinear lazy = new LazyLinear(4);
    lazy.loadStateDict(eager.stateDict(), true);
    assertTrue(lazy.isMaterialized());
    assertTrue(eager.weight.data().contentEquals(lazy.weight.data()));
    assertArrayEquals(new int[] {2, 4}, lazy.forward(Tensor.zeros(2, 6)).shape());
    assertThrows(IllegalArgumentException.class, () -> lazy.forward(Tensor.zeros(2, 5)));

    LazyLinear other = new LazyLinear(4);
    StateDictException e = assertThrows(StateDictException.class,
        () -> other.loadStateDict(Map.of("weight", Tensor.zeros(5, 6),
            "bias", Tensor.zeros(4)), true));
    assertEquals(List.of("cannot load weight with shape torch.Size([5, 6]) into LazyLinear:"
        + " expected [4, in_features], got [5, 6]"), e.problems());
    assertFalse(other.isMaterialized());
  }

  // ---------------------------------------------------------------- modes, apply, grad

  @Test
  void trainAndEvalReachEveryDescendant() {
    Sequential net = new Sequential(Structures.block2(), new Dropout());
    assertTrue(net.modules().stream().allMatch(Module::isTraining));
    assertSame(net, net.eval());
    assertTrue(net.modules().stream().noneMatch(Module::isTraining));
    net.train();
    assertTrue(net.modules().stream().allMatch(Module::isTraining));
  }

  @Test
  void gradIsNullBeforeAnyBackward() {
    Linear l = new Linear(4, 8);
    assertNull(l.weight.grad());
    assertNull(l.bias.grad());
    assertTrue(l.weight.requiresGrad());
  }

  @Test
  void applyReachesChildrenBeforeParents() {
    Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
    net.apply(m -> {
      if (m instanceof Linear) {
        ((Linear) m).weight.data().fill_(0.5f);
      }
    });
    assertEquals(0.5f, net.get(2, Linear.class).weight.data().get(0, 7));
  }

  // ---------------------------------------------------------------- paths

  @Test
  void submodulesAndParametersByDottedPath() {
    Sequential rgnet = new Sequential(Structures.block2(), new Linear(4, 1));
    assertArrayEquals(new int[] {4, 8}, rgnet.getParameter("0.block1.2.weight").shape());
    assertTrue(rgnet.getSubmodule("0.block3.0") instanceof Linear);
    assertSame(rgnet, rgnet.getSubmodule(""));
    assertEquals("Sequential has no submodule 'block9' (in path '0.block9.0')",
        assertThrows(IllegalArgumentException.class, () -> rgnet.getSubmodule("0.block9.0"))
            .getMessage());
    assertEquals("Linear has no parameter 'scale' (in path '1.scale')",
        assertThrows(IllegalArgumentException.class, () -> rgnet.getParameter("1.scale"))
            .getMessage());
  }

  @Test
  void aModuleCycleIsReportedNotLooped() {
    Sequential a = new Sequential();
    Sequential b = new Sequential();
    a.append(b);
    b.append(a);
    assertEquals(List.of("", "0"), new ArrayList<>(a.namedModules().keySet()));
    IllegalStateException e = assertThrows(IllegalStateException.class, a::stateDict);
    assertEquals("module cycle: '0.0' contains itself", e.getMessage());
  }

  // ---------------------------------------------------------------- parameters

  @Test
  void anUninitializedParameterSaysSo() {
    Parameter p = Parameter.uninitialized();
    assertFalse(p.isMaterialized());
    assertEquals("<UninitializedParameter>", p.toString());
    IllegalStateException e = assertThrows(IllegalStateException.class, p::data);
    assertEquals("uninitialized parameter: its shape is inferred at the first forward",
        e.getMessage());
  }
}
