package dev.netspec.runtime.init;

import static dev.netspec.runtime.nn.Fixtures.list;
import static dev.netspec.runtime.nn.Fixtures.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.runtime.nn.Fixtures;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link RandomStateDict} against {@code tools/fixtures/resnet_fixtures.py}
 * ({@code fixtures/nn/random_state_dict.json}): torchvision's resnet18 state dict, every
 * tensor filled in Python with numpy and checked there against the SplitMix64 oracle of
 * nn_fixtures.py. Java must give the same bits: the first values and the SHA-256 of each
 * whole tensor, all 11,689,512 parameters and the BatchNorm statistics.
 */
class RandomStateDictTest {
  private static final Map<String, Object> FIXTURE = Fixtures.load("random_state_dict.json");
  private static final long SEED = Long.parseLong((String) FIXTURE.get("seed"));

  /** A zero tensor per entry of the fixture, in its order (the int64 counters as float zeros). */
  private static Map<String, Tensor> zeros() {
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (Object o : list(FIXTURE.get("entries"))) {
      Map<String, Object> e = map(o);
      int[] shape = list(e.get("shape")).stream().mapToInt(d -> ((Number) d).intValue()).toArray();
      state.put((String) e.get("name"), Tensor.zeros(shape));
    }
    return state;
  }

  @Test
  void everyTensorHasPythonsBits() {
    Map<String, Tensor> state = RandomStateDict.fill_(zeros(), SEED);
    int filled = 0;
    for (Object o : list(FIXTURE.get("entries"))) {
      Map<String, Object> e = map(o);
      String name = (String) e.get("name");
      float[] got = state.get(name).toFloatArray();
      if (!e.containsKey("sha256")) { // num_batches_tracked: left as it is
        assertEquals("int64", e.get("dtype"), name);
        assertArrayEquals(new float[got.length], got, name);
        continue;
      }
      List<Object> first = list(e.get("first"));
      for (int i = 0; i < first.size(); i++) {
        assertEquals(Float.floatToIntBits((float) Double.parseDouble((String) first.get(i))),
            Float.floatToIntBits(got[i]), name + "[" + i + "]");
      }
      assertEquals(e.get("sha256"), sha256(got), name + ": SHA-256 of all " + got.length
          + " values");
      filled++;
    }
    assertEquals(102, filled); // 122 keys of resnet18 less its 20 num_batches_tracked
  }

  @Test
  void rangesFollowTheRoleOfEachTensor() {
    for (Object o : list(FIXTURE.get("entries"))) {
      Map<String, Object> e = map(o);
      String name = (String) e.get("name");
      int[] shape = list(e.get("shape")).stream().mapToInt(d -> ((Number) d).intValue()).toArray();
      double[] range = RandomStateDict.range(name, shape);
      if (!e.containsKey("low")) {
        assertNull(range, name);
        continue;
      }
      assertEquals(Double.parseDouble((String) e.get("low")), range[0], 0.0, name);
      assertEquals(Double.parseDouble((String) e.get("high")), range[1], 0.0, name);
    }
    // conv1.weight (64, 3, 7, 7): fan_in 3 * 49 = 147, bound sqrt(3 / 147) = 1/7
    assertEquals(1.0 / 7, RandomStateDict.range("conv1.weight", new int[] {64, 3, 7, 7})[1],
        1e-15);
  }

  @Test
  void aTensorsValuesDependOnItsKeyAloneNotOnTheOthers() {
    Tensor alone = RandomStateDict.fill_(Map.of("fc.bias", Tensor.zeros(1000)), SEED)
        .get("fc.bias");
    Map<String, Tensor> all = RandomStateDict.fill_(zeros(), SEED);
    assertArrayEquals(all.get("fc.bias").toFloatArray(), alone.toFloatArray());
  }

  @Test
  void fillsTheModelThroughItsLiveStateDict() {
    Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
    RandomStateDict.fill_(net.stateDict(), SEED);
    // 0.weight (8, 4): fan_in 4, U(-sqrt(3/4), sqrt(3/4)) from the stream of "0.weight"
    double b = Math.sqrt(0.75);
    Tensor want = Init.uniform_(Tensor.zeros(8, 4), -b, b, Generator.forName(SEED, "0.weight"));
    assertArrayEquals(want.toFloatArray(), net.getParameter("0.weight").data().toFloatArray());
    Tensor bias = Init.uniform_(Tensor.zeros(2), -0.1, 0.1, Generator.forName(SEED, "2.bias"));
    assertArrayEquals(bias.toFloatArray(), net.getParameter("2.bias").data().toFloatArray());
  }

  private static String sha256(float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
