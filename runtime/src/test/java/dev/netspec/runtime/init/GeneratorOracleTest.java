package dev.netspec.runtime.init;

import static dev.netspec.runtime.nn.Fixtures.list;
import static dev.netspec.runtime.nn.Fixtures.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Fixtures;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * "Same seed, same bytes" against an outside oracle: {@code tools/fixtures/nn_fixtures.py}
 * reimplements SplitMix64, the name hash, Box-Muller and the initializers in Python
 * ({@code fixtures/nn/generator.json}). Integers, uniform doubles and floats and uniform
 * inits must match bit for bit; anything through log/sin/cos may differ by one float ulp
 * (Python uses the C library, Java {@link StrictMath}).
 */
class GeneratorOracleTest {
  private static final Map<String, Object> FIXTURE = Fixtures.load("generator.json");

  @Test
  void streamsMatchTheOracle() {
    List<Object> streams = list(FIXTURE.get("streams"));
    assertEquals(6, streams.size());
    for (Object o : streams) {
      Map<String, Object> s = map(o);
      long seed = Long.parseLong((String) s.get("seed"));
      Generator g = new Generator(seed);
      for (Object want : list(s.get("longs"))) {
        assertEquals(Long.parseLong((String) want), g.nextLong(), "seed " + seed);
      }
      for (Object want : list(s.get("doubles"))) {
        assertEquals(Double.parseDouble((String) want), g.nextDouble(), 0.0, "seed " + seed);
      }
      for (Object want : list(s.get("floats"))) {
        assertEquals((float) Double.parseDouble((String) want), g.nextFloat(), 0f,
            "seed " + seed);
      }
      for (Object want : list(s.get("gaussians_f32"))) {
        assertWithinUlp((float) Double.parseDouble((String) want), (float) g.nextGaussian(),
            "gaussian, seed " + seed);
      }
    }
  }

  @Test
  void namedStreamsMatchTheOracle() {
    List<Object> named = list(FIXTURE.get("named"));
    assertEquals(6, named.size());
    for (Object o : named) {
      Map<String, Object> s = map(o);
      String name = (String) s.get("name");
      Generator g = Generator.forName(Long.parseLong((String) s.get("seed")), name);
      for (Object want : list(s.get("longs"))) {
        assertEquals(Long.parseLong((String) want), g.nextLong(), "name '" + name + "'");
      }
    }
  }

  @Test
  void initializersMatchTheOracle() {
    Map<String, Object> inits = map(FIXTURE.get("inits"));
    assertExact(inits.get("uniform_-2_5"),
        Init.uniform_(Tensor.zeros(2, 3), -2, 5, Generator.forName(3, "t")));
    assertCloseUlp(inits.get("normal_1_0.5"),
        Init.normal_(Tensor.zeros(7), 1, 0.5, Generator.forName(3, "t")));
    assertCloseUlp(inits.get("xavier_normal_3x5_gain2"),
        Init.xavierNormal_(Tensor.zeros(3, 5), 2, Generator.forName(9, "x")));
  }

  @Test
  void layerDefaultsMatchTheOracle() {
    Map<String, Object> inits = map(FIXTURE.get("inits"));
    Map<String, Object> direct = map(inits.get("linear_3_2_direct"));
    Linear l = new Linear(3, 2);
    assertExact(direct.get("weight"), l.weight.data());
    assertExact(direct.get("bias"), l.bias.data());

    Map<String, Object> seq = map(inits.get("sequential_seed_11"));
    Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
    net.initialize(11);
    Map<String, Tensor> state = net.stateDict();
    assertEquals(seq.keySet(), state.keySet());
    seq.forEach((k, v) -> assertExact(v, state.get(k)));
  }

  private static void assertExact(Object hexes, Tensor t) {
    List<Object> want = list(hexes);
    float[] got = t.toFloatArray();
    assertEquals(want.size(), got.length);
    for (int i = 0; i < got.length; i++) {
      assertEquals(Float.floatToIntBits((float) Double.parseDouble((String) want.get(i))),
          Float.floatToIntBits(got[i]), "element " + i);
    }
  }

  private static void assertCloseUlp(Object hexes, Tensor t) {
    List<Object> want = list(hexes);
    float[] got = t.toFloatArray();
    assertEquals(want.size(), got.length);
    for (int i = 0; i < got.length; i++) {
      assertWithinUlp((float) Double.parseDouble((String) want.get(i)), got[i], "element " + i);
    }
  }

  private static void assertWithinUlp(float want, float got, String what) {
    assertTrue(Math.abs(want - got) <= Math.ulp(want), what + ": " + got + ", oracle " + want);
  }
}
