package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.kernels.ConvGeometry;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The small layers' accessors as PyTorch names them, the pooling layers' one thread at a
 * time, {@link ModuleDict} as a dict, and {@link Workspace}'s shared storage; sizes and
 * windows worked by hand.
 */
class SmallLayersTest {
  @Test
  void poolingAccessorsAndWindows() {
    AvgPool2d avg = new AvgPool2d(3, 2, 1, false, false, 5);
    assertFalse(avg.countIncludePad());
    assertEquals(5, avg.divisorOverride());
    AvgPool2d plain = new AvgPool2d(2);
    assertTrue(plain.countIncludePad(), "PyTorch's default");
    assertEquals(0, plain.divisorOverride(), "none given");
    // (1, 2, 7, 7), kernel 3, stride 2, padding 1: floor((7 + 2 - 3) / 2) + 1 = 4
    ConvGeometry g = avg.geometry(1, 2, 7, 7);
    assertEquals(4, g.outHeight());
    assertEquals(4, g.outWidth());
    assertEquals(3, g.kernelH());
    assertEquals(2, g.strideW());
    assertEquals(1, g.padTop());

    MaxPool2d max = new MaxPool2d(3, 2, 1);
    assertArrayEquals(new int[] {3, 3}, max.kernelSize());
    ConvGeometry m = max.geometry(2, 1, 8, 5); // floor((8 + 2 - 3) / 2) + 1 = 4, (5 - 1) / 2 + 1 = 3
    assertEquals(4, m.outHeight());
    assertEquals(3, m.outWidth());
    assertEquals(2, m.batch());

    assertTrue(new AdaptiveMaxPool2d(2).isMax());
    assertFalse(new AdaptiveAvgPool2d(2).isMax());
    assertFalse(new AdaptiveAvgPool1d(3).isMax());
  }

  @Test
  void poolingLayersRunOneThreadAtATime() throws Exception {
    Tensor x = Tensor.arange(16).to(dev.netspec.runtime.tensor.DType.FLOAT32).view(1, 1, 4, 4);
    AvgPool2d avg = new AvgPool2d(2);
    ForwardGuards.assertGuarded(avg, () -> avg.forward(x));
    MaxPool2d max = new MaxPool2d(2);
    ForwardGuards.assertGuarded(max, () -> max.forward(x));
    AdaptiveAvgPool2d adaptive = new AdaptiveAvgPool2d(1);
    ForwardGuards.assertGuarded(adaptive, () -> adaptive.forward(x));
    // averages and maxima of the 2x2 windows of 0..15 by hand
    assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, avg.forward(x).toFloatArray());
    assertArrayEquals(new float[] {5, 7, 13, 15}, max.forward(x).toFloatArray());
    assertArrayEquals(new float[] {7.5f}, adaptive.forward(x).toFloatArray());
  }

  @Test
  void aModuleDictIsADict() {
    ModuleDict d = new ModuleDict();
    assertEquals(0, d.size());
    ReLU relu = d.put("act", new ReLU());
    Linear fc = d.put("fc", new Linear(2, 2));
    assertSame(relu, d.get("act"));
    assertSame(fc, d.get("fc"));
    assertTrue(d.containsKey("fc"));
    assertFalse(d.containsKey("head"));
    assertEquals(2, d.size());
    assertEquals(List.of("act", "fc"), d.keys());
    assertEquals(Map.of("act", relu, "fc", fc), d.items());
    assertEquals(List.of("act", "fc"), List.copyOf(d.items().keySet()), "in insertion order");
  }

  @Test
  void workspaceViewsShareOneStorageAsLargeAsTheLargest() {
    Tensor shared = Workspace.storage(new int[] {2, 3}, new int[] {4, 2, 1}, new int[] {7});
    assertArrayEquals(new int[] {8}, shared.shape(), "the largest: 4 * 2 * 1");
    Tensor a = Workspace.view(shared, 2, 3);
    Tensor b = Workspace.view(shared, 2, 4);
    assertArrayEquals(new int[] {2, 4}, b.shape());
    assertTrue(a.isContiguous() && b.isContiguous());
    b.fill_(1f);
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, a.toFloatArray(), "one storage");
    assertArrayEquals(new int[] {0}, Workspace.storage().shape(), "no buffers: empty");
    assertArrayEquals(new int[] {0}, Workspace.storage(new int[] {3, 0}).shape());
    assertEquals("a view of shape [3, 3] needs 9 elements, the storage has [8]",
        assertThrows(IllegalArgumentException.class, () -> Workspace.view(shared, 3, 3))
            .getMessage());
    assertEquals("a view of shape [2] needs 2 elements, the storage has [2, 4]",
        assertThrows(IllegalArgumentException.class, () -> Workspace.view(b, 2)).getMessage());
    assertArrayEquals(new int[] {0, 5}, Workspace.view(shared, 0, 5).shape());
    assertEquals("negative size in [2, -1]", assertThrows(IllegalArgumentException.class,
        () -> Workspace.storage(new int[] {2, -1})).getMessage());
    assertEquals("a forward buffer of 2147483648 elements is too large", assertThrows(
        IllegalArgumentException.class, () -> Workspace.storage(new int[] {65536, 32768}))
        .getMessage());
    assertEquals(8, Workspace.view(shared, 8).numel(), "exactly the storage");
  }

  @Test
  void aStateDictExceptionListsItsKeys() {
    Linear fc = new Linear(2, 2);
    StateDictException e = assertThrows(StateDictException.class,
        () -> fc.loadStateDict(Map.of("weight", Tensor.zeros(2, 2), "extra", Tensor.zeros(1)),
            true));
    assertEquals(List.of("bias"), e.missingKeys());
    assertEquals(List.of("extra"), e.unexpectedKeys());
  }
}
