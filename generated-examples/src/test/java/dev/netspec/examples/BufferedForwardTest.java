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
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The allocation-free forward of the generated classes: {@code forward(x, output)} gives
 * PyTorch's output however often it runs and whatever batch came before (the buffers are
 * reused and resized), never writes into the input or the parameters, and allocates nothing
 * once warm.
 */
class BufferedForwardTest {
  @TestFactory
  Stream<DynamicTest> reusedBuffersKeepGivingPyTorchsOutput() throws IOException {
    return PyTorchParityTest.fixtures().stream()
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
    net.stateDict().forEach((k, v) -> PyTorchParityTest.assertClose(f.name() + ": " + k + " untouched",
        stateBefore.get(k), v));
  }

  private static Map<String, Tensor> copies(Map<String, Tensor> state) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    state.forEach((k, v) -> out.put(k, v.clone()));
    return out;
  }

  /** The tutorial's 20-256-10 MLP at batch 2: not one byte per forward once warm. */
  @Test
  void tutorialMlpForwardAllocatesNothing() {
    assertEquals(0, steadyStateBytes(new Mlp(7L), 2, 20, 10));
  }

  @Test
  void customBlocksForwardAllocatesNothing() {
    assertEquals(0, steadyStateBytes(new TwoLayer(7L), 2, 20, 10), "TwoLayer");
    assertEquals(0, steadyStateBytes(new MyLinearNet(7L), 2, 64, 1), "MyLinearNet");
    assertEquals(0, steadyStateBytes(new FixedHiddenMlp(7L), 2, 20), "FixedHiddenMlp");
  }

  /** Flatten, Linear+ReLU, Dropout (eval) and LogSoftmax all have allocation-free forms. */
  @Test
  void mnistMlpInEvalModeAllocatesNothing() {
    MnistMlp net = new MnistMlp(7L);
    net.eval();
    assertEquals(0, steadyStateBytes(net, Tensor.rand(new Generator(3), 2, 1, 28, 28), Tensor.zeros(2, 10)));
  }

  /** Nested generated blocks, LayerNorm, GELU and a residual sum. */
  @Test
  void residualMlpAllocatesNothing() {
    ResidualMlp net = new ResidualMlp(7L);
    Tensor x = Tensor.rand(new Generator(3), 2, 16);
    assertEquals(0, steadyStateBytes(net, x, net.forward(x)));
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
