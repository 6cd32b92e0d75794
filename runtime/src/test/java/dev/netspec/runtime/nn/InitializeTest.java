package dev.netspec.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Module#initialize(long)}: per-name streams, children before parents. */
class InitializeTest {
  private static Sequential mlp() {
    return new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
  }

  private static void assertSameState(Map<String, Tensor> a, Map<String, Tensor> b) {
    assertEquals(a.keySet(), b.keySet());
    a.forEach((k, v) -> assertTrue(v.contentEquals(b.get(k)), k));
  }

  @Test
  void theSameSeedGivesTheSameWeights() {
    assertSameState(mlp().initialize(5).stateDict(), mlp().initialize(5).stateDict());
    Map<String, Tensor> other = mlp().initialize(6).stateDict();
    mlp().initialize(5).stateDict().forEach((k, v) ->
        assertFalse(v.contentEquals(other.get(k)), k + " ignores the seed"));
  }

  @Test
  void eachParameterHasItsOwnStream() {
    Sequential net = mlp().initialize(5);
    // a layer added at the end, or another activation, leaves the others alone
    Sequential longer = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 1),
        new Linear(1, 3)).initialize(5);
    net.stateDict().forEach((k, v) -> assertTrue(v.contentEquals(longer.stateDict().get(k)), k));
    // two layers of one shape draw different values
    Sequential twins = new Sequential(new Linear(4, 4), new Linear(4, 4)).initialize(5);
    assertFalse(twins.stateDict().get("0.weight").contentEquals(twins.stateDict().get("1.weight")));
  }

  @Test
  void aLayerBuiltDirectlyIsInitializedAsInitializeZeroWouldDoIt() {
    Linear direct = new Linear(3, 2);
    Linear reset = new Linear(3, 2);
    reset.initialize(7);
    assertFalse(direct.weight.data().contentEquals(reset.weight.data()));
    reset.initialize(0);
    assertSameState(direct.stateDict(), reset.stateDict());
    // Linear's default: U(-1/sqrt(3), 1/sqrt(3)) for weight and bias
    for (float v : direct.weight.data().toFloatArray()) {
      assertTrue(Math.abs(v) <= 1 / Math.sqrt(3));
    }
  }

  @Test
  void aLazyLayerGetsTheWeightsAnEagerOneWouldGet() {
    Sequential lazy = new Sequential(new LazyLinear(8), new ReLU(), new LazyLinear(1));
    lazy.initialize(5);
    Tensor x = Tensor.ones(2, 4);
    Tensor y = lazy.forward(x);
    Sequential eager = mlp().initialize(5);
    assertSameState(eager.stateDict(), lazy.stateDict());
    assertTrue(eager.forward(x).contentEquals(y));
    // initialize after materializing draws again, as for an eager layer
    lazy.initialize(9);
    assertSameState(mlp().initialize(9).stateDict(), lazy.stateDict());
  }

  @Test
  void aBlocksOwnInitRunsAfterItsChildren() {
    final class Tuned extends Module {
      final Sequential net = addModule("net", mlp());

      @Override
      public Tensor forward(Tensor x) {
        return net.forward(x);
      }

      @Override
      protected void resetParameters(ParameterSeeds seeds) {
        // net.apply(init_normal): children already have their defaults
        net.apply(m -> {
          if (m instanceof Linear) {
            Linear l = (Linear) m;
            Init.normal_(l.weight.data(), 0, 0.01, seeds.generator("net.weight"));
            Init.zeros_(l.bias.data());
          }
        });
      }
    }
    Tuned t = new Tuned();
    assertSame(t, t.initialize(3));
    for (float v : t.net.get(0, Linear.class).bias.data().toFloatArray()) {
      assertEquals(0f, v);
    }
    for (float v : t.net.get(2, Linear.class).weight.data().toFloatArray()) {
      assertTrue(Math.abs(v) < 0.06, "N(0, 0.01) draw " + v);
    }
  }

  @Test
  void aSharedLayerIsInitializedOnceUnderItsFirstName() {
    Sequential net = Structures.sharedNet();
    net.initialize(4);
    Sequential plain = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 8))
        .initialize(4);
    assertTrue(plain.stateDict().get("2.weight").contentEquals(net.stateDict().get("4.weight")));
  }
}
