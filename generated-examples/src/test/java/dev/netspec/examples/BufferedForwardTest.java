package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.examples.seed.FixedHiddenMlp;
import dev.netspec.examples.seed.Mlp;
import dev.netspec.examples.seed.MyLinearNet;
import dev.netspec.examples.seed.TwoLayer;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The allocation-free forward of the generated classes: {@code forward(x, output)} gives
 * PyTorch's output however often it runs and whatever batch came before (the buffers are
 * reused and resized), never writes into the input or the parameters, and allocates nothing
 * once warm.
 */
class BufferedForwardTest {
  @TestFactory
  Stream<DynamicTest> reusedBuffersKeepGivingPyTorchsOutput() throws IOException {
    // one input x and one output y: the typed forwards of named inputs and tuple results
    // allocate their steps (docs/spec/generated-code.md, "Named inputs, dtypes and tuple results")
    return PyTorchParityTest.fixtures().stream()
        .filter(f -> f.inputs().equals(List.of("x")) && f.outputs().equals(List.of("y")))
        .map(f -> DynamicTest.dynamicTest(f.name(), () -> checkRepeated(f)));
  }

  private static void checkRepeated(ParityFixture f) throws Exception {
    Module net = f.newModule();
    net.loadStateDict(f.weights(), true);
    net.eval();
    Map<String, Tensor> io = f.io();
    Tensor x = io.get("x");
    Tensor y = io.get("y");
    Tensor xBefore = x.clone();
    Map<String, Tensor> stateBefore = copies(net.stateDict());
    for (int round = 0; round < 3; round++) {
      Tensor output = Tensor.full(Float.NaN, y.shape());
      assertSame(output, net.forward(x, output), f.name() + ": forward(x, output) returns output");
      PyTorchParityTest.assertClose(f.name() + ": forward(x, output), round " + round, y, output);
      PyTorchParityTest.assertClose(f.name() + ": forward(x), round " + round, y, net.forward(x));
      if (x.dim() > 0 && x.size(0) > 1) {
        // Another batch size in between: the buffers are resized, and again for x.
        net.forward(x.narrow(0, 0, 1).contiguous());
      }
    }
    assertEquals(0, Float.compare(0f, x.sub(xBefore).abs().sumAsFloat()), f.name() + ": input untouched");
    // Exactly: eval mode changes nothing, batch norm's int64 num_batches_tracked included.
    net.stateDict().forEach((k, v) -> PyTorchParityTest.assertClose(f.name() + ": " + k + " untouched",
        stateBefore.get(k).to(DType.FLOAT32), v.to(DType.FLOAT32)));
  }

  private static Map<String, Tensor> copies(Map<String, Tensor> state) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    state.forEach((k, v) -> out.put(k, v.clone()));
    return out;
  }

  /** The tutorial's 20-256-10 MLP at batch 2: not one byte per forward once warm. */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = JIT_DEPENDENT)
  @Test
  void tutorialMlpForwardAllocatesNothing() {
    assertEquals(0, steadyStateBytes(new Mlp(7L), 2, 20, 10));
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = JIT_DEPENDENT)
  @Test
  void customBlocksForwardAllocatesNothing() {
    assertEquals(0, steadyStateBytes(new TwoLayer(7L), 2, 20, 10), "TwoLayer");
    assertEquals(0, steadyStateBytes(new MyLinearNet(7L), 2, 64, 1), "MyLinearNet");
    assertEquals(0, steadyStateBytes(new FixedHiddenMlp(7L), 2, 20), "FixedHiddenMlp");
  }

  /** Flatten, Linear+ReLU, Dropout (eval) and LogSoftmax all have allocation-free forms. */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = JIT_DEPENDENT)
  @Test
  void mnistMlpInEvalModeAllocatesNothing() {
    MnistMlp net = new MnistMlp(7L);
    net.eval();
    assertEquals(0, steadyStateBytes(net, Tensor.rand(new Generator(3), 2, 1, 28, 28), Tensor.zeros(2, 10)));
  }

  /** Nested generated blocks, LayerNorm, GELU and a residual sum. */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = JIT_DEPENDENT)
  @Test
  void residualMlpAllocatesNothing() {
    ResidualMlp net = new ResidualMlp(7L);
    Tensor x = Tensor.rand(new Generator(3), 2, 16);
    assertEquals(0, steadyStateBytes(net, x, net.forward(x)));
  }

  /**
   * Whether a warm forward allocates 0 bytes depends on what the JIT inlines (escape analysis
   * removes the kernels' temporaries only in fully inlined code), which varies with the profile
   * the other tests leave behind. So the exact zero is a measurement ({@code
   * GeneratedModelBenchmark -prof gc}, benchmarks/RESULTS.md), and these tests run only with
   * {@code -Dnetspec.allocationTests=true}. What the generated code itself guarantees, that its
   * buffers are sized once per batch size and then reused, is checked below on every run.
   */
  private static final String JIT_DEPENDENT =
      "JIT-dependent; run with -Dnetspec.allocationTests=true, or measure with JMH -prof gc";

  /** Every workspace tensor of every module stays the same object across calls. */
  @TestFactory
  Stream<DynamicTest> buffersAreSizedOnceAndReused() {
    MnistMlp mnist = new MnistMlp(7L);
    mnist.eval();
    ResidualMlp residual = new ResidualMlp(7L);
    Tensor residualX = Tensor.rand(new Generator(3), 2, 16);
    return Stream.of(
        reuseCase("Mlp", new Mlp(7L), Tensor.rand(new Generator(3), 2, 20), Tensor.zeros(2, 10)),
        reuseCase("TwoLayer", new TwoLayer(7L), Tensor.rand(new Generator(3), 2, 20),
            Tensor.zeros(2, 10)),
        reuseCase("MyLinearNet", new MyLinearNet(7L), Tensor.rand(new Generator(3), 2, 64),
            Tensor.zeros(2, 1)),
        reuseCase("FixedHiddenMlp", new FixedHiddenMlp(7L), Tensor.rand(new Generator(3), 2, 20),
            Tensor.zeros()),
        reuseCase("MnistMlp", mnist, Tensor.rand(new Generator(3), 2, 1, 28, 28),
            Tensor.zeros(2, 10)),
        reuseCase("ResidualMlp", residual, residualX, residual.forward(residualX)));
  }

  private static DynamicTest reuseCase(String name, Module net, Tensor x, Tensor output) {
    return DynamicTest.dynamicTest(name, () -> {
      net.forward(x, output);
      List<Object> first = workspace(net);
      assertTrue(first.stream().anyMatch(b -> b instanceof Tensor),
          name + ": has workspace buffers " + first);
      for (int i = 0; i < 50; i++) {
        net.forward(x, output);
      }
      List<Object> later = workspace(net);
      assertEquals(first.size(), later.size(), name);
      for (int i = 0; i < first.size(); i++) {
        assertSame(first.get(i), later.get(i), name + ": buffer " + i + " was reallocated");
      }
    });
  }

  /** The private, non-final tensor fields of every module: the forward's workspace. */
  private static List<Object> workspace(Module net) throws IllegalAccessException {
    List<Object> out = new ArrayList<>();
    for (Module m : net.modules()) {
      for (Class<?> c = m.getClass(); c != Module.class; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          int mod = f.getModifiers();
          if (f.getType() == Tensor.class && Modifier.isPrivate(mod) && !Modifier.isFinal(mod)
              && !Modifier.isStatic(mod)) {
            f.setAccessible(true);
            out.add(f.get(m));
          }
        }
      }
    }
    return out;
  }

  /** The meter itself: {@code forward(x)} allocates its result, and the meter sees it. */
  @Test
  void theAllocatingForwardIsSeen() {
    Mlp net = new Mlp(7L);
    Tensor x = Tensor.rand(new Generator(3), 2, 20);
    for (int i = 0; i < 20_000; i++) {
      net.forward(x);
    }
    long before = allocated();
    for (int i = 0; i < 200; i++) {
      net.forward(x);
    }
    assertTrue(allocated() - before >= 200L * 2 * 10 * Float.BYTES, "200 results of (2, 10)");
  }

  @Test
  void anInputOutsideTheContractIsRefusedClearly() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Mlp().forward(Tensor.zeros(2, 21), Tensor.zeros(2, 10)));
    assertEquals("Mlp: expected an input of shape (batch, 20), got [2, 21]", e.getMessage());
  }

  /**
   * The bytes this thread allocates over 200 calls of {@code forward(x, output)}, after
   * enough calls for the JIT to compile the path (escape analysis removes the kernels'
   * temporaries, and the Vector API its vector objects, only in compiled code): the first
   * measurement of 0, or the last one after a minute.
   */
  private static long steadyStateBytes(Module net, int batch, int in, int... outShape) {
    Tensor x = Tensor.rand(new Generator(3), batch, in);
    int[] shape = outShape.length == 1 ? new int[] {batch, outShape[0]} : new int[0];
    return steadyStateBytes(net, x, Tensor.zeros(shape));
  }

  private static long steadyStateBytes(Module net, Tensor x, Tensor output) {
    long bytes = Long.MAX_VALUE;
    // On a loaded machine the JIT may take a while: measure again until it is done, for 60 s.
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (bytes != 0 && System.nanoTime() < deadline) {
      for (int i = 0; i < 20_000; i++) {
        net.forward(x, output);
      }
      long before = allocated();
      for (int i = 0; i < 200; i++) {
        net.forward(x, output);
      }
      bytes = allocated() - before;
    }
    return bytes;
  }

  /** The bytes this thread has allocated so far. */
  private static long allocated() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
}
