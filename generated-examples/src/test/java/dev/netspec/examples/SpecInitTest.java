package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.examples.seed.FixedHiddenMlp;
import dev.netspec.examples.seed.InitNormal;
import dev.netspec.examples.seed.Lazy;
import dev.netspec.examples.seed.Mlp;
import dev.netspec.examples.seed.MyInit;
import dev.netspec.examples.seed.MyInits;
import dev.netspec.examples.seed.Shared;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generated classes' own initialization (no PyTorch weights): the specs' init rules, the
 * Java initializer, seeds, tied parameters, buffers and lazy shapes, checked against what the
 * tutorial's programs promise.
 */
class SpecInitTest {
  @Test
  void initNormalDrawsLinearWeightsFromNormalWithStd001AndZeroesBiases() {
    Module net = new InitNormal(7L);
    double sumSquares = 0;
    int count = 0;
    for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
      float[] v = e.getValue().data().toFloatArray();
      if (e.getKey().endsWith("bias")) {
        for (float b : v) {
          assertEquals(0f, b, e.getKey() + " must be zeros");
        }
      } else {
        for (float w : v) {
          sumSquares += (double) w * w;
          count++;
        }
      }
    }
    assertEquals(8 * 4 + 1 * 8, count, "weights of Linear(4, 8) and Linear(8, 1)");
    double std = Math.sqrt(sumSquares / count);
    // 40 draws of N(0, 0.01^2): the sample std is within 50% of 0.01 (over 4 sigma).
    assertTrue(std > 0.005 && std < 0.015, "weight std " + std + ", expected about 0.01");
  }

  @Test
  void myInitKeepsOnlyWeightsOfMagnitudeFiveToTenAndDefaultBiases() {
    Module net = new MyInit(3L);
    int nonZero = 0;
    for (String name : List.of("0.weight", "2.weight")) {
      for (float w : net.getParameter(name).data().toFloatArray()) {
        assertTrue(w == 0 || (Math.abs(w) >= 5 && Math.abs(w) <= 10),
            name + " has " + w + ": my_init keeps only |w| in [5, 10]");
        nonZero += w == 0 ? 0 : 1;
      }
    }
    assertTrue(nonZero > 0, "U(-10, 10) keeps about half the weights, not none");
    // PyTorch's Linear bias default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    assertWithin(net.getParameter("0.bias").data(), 1 / Math.sqrt(4));
    assertWithin(net.getParameter("2.bias").data(), 1 / Math.sqrt(8));
  }

  @Test
  void theJavaInitializerIsTheTutorialsMyInit() {
    Tensor t = Tensor.zeros(50, 40);
    MyInits.myInit(t, new Generator(11L));
    int kept = 0;
    for (float w : t.toFloatArray()) {
      assertTrue(w == 0 || (Math.abs(w) >= 5 && Math.abs(w) < 10), "entry " + w);
      kept += w == 0 ? 0 : 1;
    }
    // U(-10, 10) has |w| >= 5 with probability 1/2: 2000 draws keep 1000 +- 22 (sd); allow 5 sd.
    assertTrue(Math.abs(kept - 1000) < 110, kept + " of 2000 entries kept, expected about 1000");
  }

  @Test
  void theSameSeedGivesTheSameWeightsAndAnotherSeedOthers() {
    Map<String, Tensor> a = new Mlp(1L).stateDict();
    Map<String, Tensor> b = new Mlp(1L).stateDict();
    Map<String, Tensor> c = new Mlp(2L).stateDict();
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) {
      assertTrue(a.get(k).contentEquals(b.get(k)), k + " differs for one seed");
      assertFalse(a.get(k).contentEquals(c.get(k)), k + " is the same for seeds 1 and 2");
    }
  }

  @Test
  void sameAsSharesOneModuleUnderTwoNames() {
    Module net = new Shared(5L);
    assertSame(net.getSubmodule("2"), net.getSubmodule("4"), "children 2 and 4 are one Linear");
    assertSame(net.getParameter("2.weight"), net.getParameter("4.weight"));
    assertFalse(net.namedParameters().containsKey("4.weight"), "a shared parameter is listed once");
    assertTrue(net.stateDict().containsKey("4.weight"), "the state dict has both names");
  }

  @Test
  void fixedHiddenMlpRandWeightIsAPersistentBufferInZeroOne() {
    Module net = new FixedHiddenMlp(9L);
    Tensor w = net.stateDict().get("rand_weight");
    assertArrayEquals(new int[] {20, 20}, w.shape());
    for (float v : w.toFloatArray()) {
      assertTrue(v >= 0 && v < 1, "rand_weight entry " + v + " is not in [0, 1)");
    }
    assertFalse(net.namedParameters().containsKey("rand_weight"), "a buffer is never trained");
  }

  @Test
  void lazyLearnsItsInputSizeAtTheFirstForward() {
    Module net = new Lazy(0L);
    assertThrows(IllegalStateException.class, net::stateDict, "no shapes before a forward");
    Tensor y = net.forward(Tensor.rand(new Generator(1L), 3, 7));
    assertArrayEquals(new int[] {3, 10}, y.shape());
    assertArrayEquals(new int[] {256, 7}, net.stateDict().get("0.weight").shape());
  }

  private static void assertWithin(Tensor t, double bound) {
    for (float v : t.toFloatArray()) {
      assertTrue(Math.abs(v) <= bound, v + " is outside [-" + bound + ", " + bound + "]");
    }
  }
}
