package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.init.Init;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tutorial's "parameter management" programs, checked against PyTorch. */
class ParameterManagementTest {
  @Test
  void parameterAccess() throws IOException {
    Fixture fixture = Fixture.of("parameters");
    Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
    SafeTensors.loadStateDict(net, fixture.weights(), true);
    Tensor x = fixture.io("X");
    Linear out = net.get(2, Linear.class);

    assertEquals(fixture.text("output"), net.forward(x).toString());
    assertEquals(fixture.text("net2_state_dict"),
        Fixture.stdout(() -> Fixture.printShapes(out.stateDict())));
    assertEquals(fixture.text("net2_weight_data"), out.stateDict().get("weight").toString());
    assertEquals(fixture.text("net2_bias"), out.bias.toString());
    assertEquals(fixture.text("net2_bias_data"), out.bias.data().toString());
    assertEquals(Boolean.parseBoolean(fixture.text("net2_weight_grad_is_none").toLowerCase()),
        out.weight.grad() == null);
    assertEquals(fixture.text("net0_named_parameters"),
        Fixture.stdout(() -> printShapes(net.get(0).namedParameters())));
    assertEquals(fixture.text("named_parameters"),
        Fixture.stdout(() -> printShapes(net.namedParameters())));
    assertEquals(fixture.text("state_dict_2_bias"), net.stateDict().get("2.bias").toString());
  }

  /** {@code print(*[(name, param.shape) for name, param in m.named_parameters()])}, a line each. */
  static void printShapes(Map<String, Parameter> params) {
    params.forEach((name, p) -> System.out.println(name + " " + Arrays.toString(p.shape())));
  }

  static Sequential block1() {
    return new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 4), new ReLU());
  }

  static Sequential block2() {
    Sequential net = new Sequential();
    for (int i = 0; i < 4; i++) {
      net.add("block" + i, block1());
    }
    return net;
  }

  @Test
  void nestedBlocks() throws IOException {
    Sequential rgnet = new Sequential(block2(), new Linear(4, 1));
    Fixture.of("rgnet").assertRunsLikePyTorch(rgnet);
  }

  @Test
  void initNormal() {
    Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
    Generator gen = new Generator(42);
    net.apply(m -> {
      if (m instanceof Linear linear) {
        Init.normal_(linear.weight.data(), 0, 0.01, gen);
        Init.zeros_(linear.bias.data());
      }
    });
    Linear first = net.get(0, Linear.class);

    assertEquals(Fixture.of("init_normal").text("net0_bias_data_0"),
        first.bias.data().detach().select(0, 0).toString());
    float[] w = first.weight.data().toFloatArray();
    double sum = 0;
    double sumOfSquares = 0;
    for (float v : w) {
      sum += v;
      sumOfSquares += (double) v * v;
    }
    double mean = sum / w.length;
    double std = Math.sqrt((sumOfSquares - w.length * mean * mean) / (w.length - 1));
    // 32 draws of N(0, 0.01): the standard error of the mean is 0.0018, of the std about 0.0013
    assertTrue(Math.abs(mean) < 0.006, "mean " + mean);
    assertTrue(std > 0.006 && std < 0.014, "std " + std);
  }

  @Test
  void initConstantGivesPyTorchsNumbers() {
    Fixture fixture = Fixture.of("init_constant");
    Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
    net.apply(m -> {
      if (m instanceof Linear linear) {
        Init.constant_(linear.weight.data(), 1);
        Init.zeros_(linear.bias.data());
      }
    });
    Linear first = net.get(0, Linear.class);
    Tensor y = net.forward(fixture.io("X"));

    // weight.data in PyTorch is detached: its views record nothing
    assertEquals(fixture.text("net0_weight_data_0"),
        first.weight.data().detach().select(0, 0).toString());
    assertEquals(fixture.text("net0_bias_data_0"),
        first.bias.data().detach().select(0, 0).toString());
    Fixture.assertClose(fixture.io("Y"), y, "output after constant init");
    assertEquals(fixture.text("output"), y.toString());
  }

  /** The tutorial's {@code my_init}: U(-10, 10), then every weight below 5 in size is zeroed. */
  static void myInit(Module m, Generator gen) {
    if (m instanceof Linear linear) {
      var first = m.namedParameters().entrySet().iterator().next(); // ("weight", parameter)
      System.out.println("Init " + first.getKey() + " "
          + Arrays.toString(first.getValue().shape()));
      Tensor w = linear.weight.data();
      Init.uniform_(w, -10, 10, gen);
      w.mul_(w.abs().ge(5));
    }
  }

  @Test
  void myInitKeepsOnlyLargeWeights() {
    Fixture fixture = Fixture.of("my_init");
    Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
    Generator gen = new Generator(42);

    String log = Fixture.stdout(() -> net.apply(m -> myInit(m, gen)));

    assertEquals(fixture.text("apply_log"), log);
    for (String name : new String[] {"0.weight", "2.weight"}) {
      float[] w = net.stateDict().get(name).toFloatArray();
      long zeros = 0;
      for (float v : w) {
        assertTrue(v == 0 || (Math.abs(v) >= 5 && Math.abs(v) <= 10), name + " has " + v);
        zeros += v == 0 ? 1 : 0;
      }
      assertTrue(zeros > 0 && zeros < w.length, name + ": " + zeros + " zeros of " + w.length);
    }
  }

  @Test
  void parameterReplacement() throws IOException {
    Fixture fixture = Fixture.of("my_init");
    Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
    SafeTensors.loadStateDict(net, fixture.weights(), true); // the weights after PyTorch's my_init
    Linear first = net.get(0, Linear.class);

    assertEquals(fixture.text("net0_weight_first2"), first.weight.data().slice(0, 0, 2).toString());
    first.weight.data().add_(1);
    first.weight.data().set(42, 0, 0);
    assertEquals(fixture.text("net0_weight_data_0_replaced"),
        first.weight.data().detach().select(0, 0).toString());
    Fixture.assertClose(fixture.io("replaced_0.weight"), first.weight.data(), "replaced weight");
  }
}
