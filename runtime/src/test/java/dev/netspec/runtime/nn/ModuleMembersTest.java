package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@link Module} does for the blocks built on it and that {@link ModuleTest} leaves
 * out: buffers by name, several children at once, the name rules per kind, the recording
 * test of generated blocks, initializing children once, random streams by name, replicas
 * that share the weights and follow the buffers, and {@code forward(x)} on a busy instance.
 */
class ModuleMembersTest {
  /** A module whose protected members the tests drive. */
  static final class Bag extends Module {
    Parameter param(String name, Parameter p) {
      return registerParameter(name, p);
    }

    Tensor buf(String name, Tensor t) {
      return registerBuffer(name, t);
    }

    void set(String name, Tensor t) {
      setBuffer(name, t);
    }

    boolean recordsFor(Tensor... inputs) {
      return records(inputs);
    }

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  @Test
  void buffersByName() {
    Bag bag = new Bag();
    Tensor a = bag.buf("a", Tensor.zeros(2));
    Tensor b = Tensor.ones(2);
    bag.set("a", b);
    assertSame(b, bag.buffer("a"), "setBuffer replaces the value");
    assertSame(b, bag.stateDict().get("a"));
    assertNotSame(a, bag.buffer("a"));
    assertEquals(List.of(b), bag.buffers());
    assertEquals("Bag has no buffer 'c'",
        assertThrows(IllegalArgumentException.class, () -> bag.buffer("c")).getMessage());
    assertEquals("Bag has no buffer 'c'",
        assertThrows(IllegalArgumentException.class, () -> bag.set("c", b)).getMessage());
    assertEquals("buffer 'a' is null",
        assertThrows(IllegalArgumentException.class, () -> bag.set("a", null)).getMessage());
    assertSame(b, bag.buffer("a"), "a refused value changes nothing");
  }

  @Test
  void eachKindMayBeReplacedButNotTakeAnothersName() {
    Bag bag = new Bag();
    Parameter p1 = bag.param("w", new Parameter(Tensor.zeros(1)));
    Parameter p2 = bag.param("w", new Parameter(Tensor.ones(1)));
    assertNotSame(p1, p2);
    assertSame(p2, bag.getParameter("w"), "a parameter replaces the parameter");
    Tensor b2 = Tensor.ones(3);
    bag.buf("b", Tensor.zeros(3));
    bag.buf("b", b2);
    assertSame(b2, bag.buffer("b"), "a buffer replaces the buffer");
    ReLU r2 = new ReLU();
    bag.addModule("m", new Tanh());
    bag.addModule("m", r2);
    assertSame(r2, bag.child("m"), "a module replaces the module");
    String taken = "attribute '%s' already exists";
    assertEquals(String.format(taken, "b"), assertThrows(IllegalArgumentException.class,
        () -> bag.param("b", new Parameter(Tensor.zeros(1)))).getMessage());
    assertEquals(String.format(taken, "m"), assertThrows(IllegalArgumentException.class,
        () -> bag.param("m", new Parameter(Tensor.zeros(1)))).getMessage());
    assertEquals(String.format(taken, "m"), assertThrows(IllegalArgumentException.class,
        () -> bag.buf("m", Tensor.zeros(1))).getMessage());
    assertEquals(String.format(taken, "w"), assertThrows(IllegalArgumentException.class,
        () -> bag.addModule("w", new ReLU())).getMessage());
    assertEquals(String.format(taken, "b"), assertThrows(IllegalArgumentException.class,
        () -> bag.addModule("b", new ReLU())).getMessage());
    assertEquals("Bag has no child module 'x'",
        assertThrows(IllegalArgumentException.class, () -> bag.child("x")).getMessage());
    assertEquals(List.of("w"), List.copyOf(bag.namedParameters().keySet()));
  }

  @Test
  void addModulesAddsTheCopiesInOrder() {
    Sequential seq = new Sequential();
    List<Linear> added = seq.addModules(3, i -> "block" + i, i -> new Linear(i + 1, 2));
    assertEquals(3, added.size());
    assertEquals(List.of("block0", "block1", "block2"), List.copyOf(seq.namedChildren().keySet()));
    for (int i = 0; i < 3; i++) {
      assertSame(added.get(i), seq.child("block" + i));
      assertEquals(i + 1, added.get(i).weight.data().size(1));
    }
    assertThrows(UnsupportedOperationException.class, () -> added.add(new Linear(1, 1)));
    assertEquals(List.of(), seq.addModules(0, i -> "x" + i, i -> new ReLU()));
    assertEquals("cannot add -1 modules", assertThrows(IllegalArgumentException.class,
        () -> seq.addModules(-1, i -> "y" + i, i -> new ReLU())).getMessage());
    assertEquals(3, seq.children().size());
  }

  @Test
  void replacingAChildChangesWhatASequentialComputes() {
    Sequential seq = new Sequential(new Linear(3, 3), new ReLU());
    Tensor x = Tensor.randn(new Generator(1), 2, 3);
    Tensor out = Tensor.zeros(2, 3);
    seq.forward(x, out); // builds the cached chain
    seq.addModule("1", new Tanh());
    seq.forward(x, out);
    Tensor want = ((Linear) seq.child("0")).forward(x).tanh();
    assertTrue(want.allclose(out, 1e-6, 1e-6), "the new child runs, not the cached chain's");
  }

  @Test
  void recordsWhenRecordingIsOnAndAnythingRequiresGrad() {
    Bag bag = new Bag();
    bag.addModule("act", new ReLU()); // a child without parameters
    Linear inner = new Linear(2, 2);
    Sequential wrapper = new Sequential(inner);
    bag.addModule("net", wrapper);
    Tensor plain = Tensor.zeros(2);
    assertTrue(bag.recordsFor(plain), "a child's child's parameters require grad");
    try (GradMode.Scope scope = GradMode.noGrad()) {
      assertFalse(bag.recordsFor(plain.clone().requiresGrad_(true)), "no_grad");
    }
    inner.weight.requiresGrad(false);
    assertTrue(bag.recordsFor(plain), "the bias still does");
    inner.bias.requiresGrad(false);
    assertFalse(bag.recordsFor(plain), "nothing requires grad");
    assertFalse(bag.recordsFor(plain, null), "a null input is skipped");
    assertTrue(bag.recordsFor(null, plain.clone().requiresGrad_(true)), "an input does");
    bag.param("own", new Parameter(Tensor.zeros(1)));
    assertTrue(bag.recordsFor(plain), "the module's own parameter does");
  }

  /** A module counting its own initializations; it initializes itself when built, as blocks do. */
  static final class Counted extends Module {
    int resets;

    Counted() {
      initialize(1);
    }

    @Override
    protected void resetParameters(ParameterSeeds seeds) {
      resets++;
    }

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  /** A block built as a generated one: children inside begin/endChildren, then initialize. */
  static final class Parent extends Module {
    final Counted child;

    Parent() {
      beginChildren();
      try {
        child = addModule("child", new Counted());
      } finally {
        endChildren();
      }
      initialize(2);
    }

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  @Test
  void aBlocksChildrenAreInitializedOnce() {
    assertEquals(1, new Counted().resets, "alone: by its own constructor");
    Parent parent = new Parent();
    assertEquals(1, parent.child.resets, "in a block: by the block's initialize only");
    assertEquals(1, new Counted().resets, "the scope ended with the block's constructor");
  }

  @Test
  void randomStreamsByDottedName() {
    Dropout top = new Dropout(0.5);
    Dropout inner = new Dropout(0.2);
    Sequential net = new Sequential(new Linear(2, 2), top, new Sequential(inner));
    Map<String, Generator> streams = net.namedGenerators();
    assertEquals(List.of("1.mask", "2.0.mask"), List.copyOf(streams.keySet()));
    assertSame(top.localGenerators().get("mask"), streams.get("1.mask"));
    assertSame(inner.localGenerators().get("mask"), streams.get("2.0.mask"));
  }

  @Test
  void theBaseModesAndApplyReturnTheModule() {
    Bag bag = new Bag();
    assertSame(bag, bag.eval());
    assertFalse(bag.isTraining());
    assertSame(bag, bag.train());
    assertTrue(bag.isTraining());
    assertSame(bag, bag.apply(m -> { }));
  }

  @Test
  void loadingIntoUninitializedParameters() {
    Bag bag = new Bag();
    bag.param("w", Parameter.uninitialized());
    bag.loadStateDict(Map.of("w", Tensor.ones(2, 5)), true); // any shape: no lazy rule here
    assertArrayEquals(new int[] {2, 5}, bag.getParameter("w").shape());

    Bag other = new Bag();
    other.param("w", Parameter.uninitialized());
    StateDictException e = assertThrows(StateDictException.class,
        () -> other.loadStateDict(Map.of("w", Tensor.ofLongs(1, 2)), true));
    assertEquals(List.of("dtype mismatch for w: copying a param with dtype torch.int64 from"
        + " checkpoint, the dtype in current model is torch.float32."), e.problems());
  }

  @Test
  void aLazyLayerLoadedWithoutItsBiasDrawsItFromTheLoadedFanIn() {
    Linear eager = new Linear(6, 4);
    eager.initialize(9);
    LazyLinear lazy = new LazyLinear(4);
    lazy.initialize(9);
    Module.LoadResult r = lazy.loadStateDict(Map.of("weight", eager.weight.data().clone()), false);
    assertEquals(List.of("bias"), r.missingKeys());
    assertTrue(lazy.isMaterialized(), "the bias has its shape after the load");
    assertTrue(eager.bias.data().contentEquals(lazy.bias.data()),
        "the bias an eager layer of the loaded fan-in draws");
  }

  // ---------------------------------------------------------------- replicas and threads

  /** A block as netspec generates one: children, a replica, forward(x) on a free instance. */
  static final class Block extends Module {
    final Linear linear;
    final BatchNorm1d norm;

    Block() {
      beginChildren();
      try {
        linear = addModule("0", new Linear(3, 3));
        norm = addModule("1", new BatchNorm1d(3));
      } finally {
        endChildren();
      }
      initialize(4);
    }

    @Override
    public Tensor forward(Tensor x) {
      return concurrentForward(x, Tensor.zeros(x.size(0), 3));
    }

    @Override
    public Tensor forward(Tensor x, Tensor out) {
      enterForward();
      try {
        return norm.forward(linear.forward(x)).copyInto(out);
      } finally {
        exitForward();
      }
    }

    @Override
    public Block replica() {
      return replicaOf(Block::new);
    }

    Block take() {
      return claim();
    }

    void giveBack(Block claimed) {
      release(claimed);
    }

    @Override
    public Block train() {
      return train(true);
    }

    @Override
    public Block train(boolean mode) {
      super.train(mode);
      return this;
    }

    @Override
    public Block eval() {
      return train(false);
    }
  }

  @Test
  void aReplicaSharesTheWeightsAndFollowsTheBuffersAndMode() {
    Block model = new Block();
    Block copy = model.replica();
    Tensor x = Tensor.randn(new Generator(3), 5, 3);
    model.eval();
    Tensor want = Tensor.zeros(5, 3);
    model.forward(x, want);
    Tensor got = Tensor.zeros(5, 3);
    copy.forward(x, got);
    assertTrue(want.allclose(got, 0, 0), "same weights (the replica drew none of its own)");

    model.linear.weight.data().mul_(2f);
    model.train().norm.forward(x.mul(3f)); // moves the running statistics
    model.eval().forward(x, want);
    copy.forward(x, got);
    assertTrue(want.allclose(got, 0, 0), "the weight update and the running statistics");
    assertFalse(copy.isTraining(), "the mode follows");
    model.train();
    copy.forward(x, got);
    assertTrue(copy.isTraining() && copy.norm.isTraining(), "back to training with it");
  }

  @Test
  void aBusyInstanceServesOtherThreadsOnReplicas() throws Exception {
    ExecutorService a = Executors.newSingleThreadExecutor();
    ExecutorService b = Executors.newSingleThreadExecutor();
    ExecutorService c = Executors.newSingleThreadExecutor();
    ExecutorService d = Executors.newSingleThreadExecutor();
    try {
      Block model = new Block().eval();
      Tensor x = Tensor.randn(new Generator(6), 4, 3);
      Tensor want = Tensor.zeros(4, 3);
      model.forward(x, want);
      Block held = a.submit(model::take).get(60, TimeUnit.SECONDS);
      assertSame(model, held);
      Tensor got = b.submit(() -> model.forward(x)).get(60, TimeUnit.SECONDS);
      assertTrue(want.allclose(got, 0, 0), "computed on a replica while a holds the instance");
      Block fromB = b.submit(model::take).get(60, TimeUnit.SECONDS);
      assertNotSame(model, fromB);
      b.submit(() -> model.giveBack(fromB)).get(60, TimeUnit.SECONDS);
      Block fromC = c.submit(model::take).get(60, TimeUnit.SECONDS);
      assertSame(fromB, fromC, "the one replica ever busy, given back after each call");
      Block again = b.submit(model::take).get(60, TimeUnit.SECONDS);
      assertNotSame(fromB, again, "all busy: a second replica");
      assertNotSame(model, again);

      // Everything free; the instance's last user is d. Each thread takes what it used last.
      a.submit(() -> model.giveBack(held)).get(60, TimeUnit.SECONDS);
      Block fromD = d.submit(model::take).get(60, TimeUnit.SECONDS);
      assertSame(model, fromD, "every replica busy, the instance free: the instance");
      d.submit(() -> model.giveBack(fromD)).get(60, TimeUnit.SECONDS);
      c.submit(() -> model.giveBack(fromC)).get(60, TimeUnit.SECONDS);
      b.submit(() -> model.giveBack(again)).get(60, TimeUnit.SECONDS);
      assertSame(fromC, c.submit(model::take).get(60, TimeUnit.SECONDS), "c: its replica");
      assertSame(again, b.submit(model::take).get(60, TimeUnit.SECONDS), "b: its replica");
    } finally {
      for (ExecutorService e : new ExecutorService[] {a, b, c, d}) {
        e.shutdown();
        assertTrue(e.awaitTermination(60, TimeUnit.SECONDS));
      }
    }
  }
}
