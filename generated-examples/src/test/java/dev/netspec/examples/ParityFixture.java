package dev.netspec.examples;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One case written by tools/fixtures/spec_fixtures.py: the PyTorch twin of a generated class,
 * its weights, an input and PyTorch's output, print(net) and the state-dict layout; for the
 * tutorial's programs also print(net(x)), which shows the output's grad_fn.
 */
record ParityFixture(String name, String spec, String className, List<Integer> args,
    String repr, String reprBeforeForward, List<String> stateDict, long parameters,
    List<String> inputs, List<String> outputs, String printed) {
  static final Path DIR = Path.of("src/test/resources/fixtures/parity");

  static ParityFixture read(Path json) throws IOException {
    JsonNode root = new JsonMapper().readTree(json.toFile());
    String file = json.getFileName().toString();
    List<Integer> args = new ArrayList<>();
    root.get("args").forEach(a -> args.add(a.asInt()));
    List<String> stateDict = new ArrayList<>();
    root.get("state_dict").forEach(e -> stateDict.add(entry(e.get("name").asString(),
        shape(e.get("shape")))));
    JsonNode before = root.get("repr_before_forward");
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    if (root.has("inputs")) { // tools/fixtures/seq_fixtures.py: named inputs, outputs y.0, y.1.0, ...
      root.get("inputs").forEach(n -> inputs.add(n.asString()));
      root.get("outputs").forEach(n -> outputs.add(n.asString()));
    } else {
      inputs.add("x");
      outputs.add("y");
    }
    return new ParityFixture(file.substring(0, file.length() - ".json".length()),
        root.get("spec").asString(), root.get("class").asString(), List.copyOf(args),
        root.get("repr").asString(), before == null ? null : before.asString(),
        List.copyOf(stateDict), root.get("parameters").asLong(), List.copyOf(inputs), List.copyOf(outputs),
        root.has("printed") ? root.get("printed").asString() : null);
  }

  private static int[] shape(JsonNode dims) {
    int[] out = new int[dims.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = dims.get(i).asInt();
    }
    return out;
  }

  /** A state-dict entry as text, {@code 0.weight [8, 4]}, so lists compare and print clearly. */
  static String entry(String name, int[] shape) {
    return name + " " + Arrays.toString(shape);
  }

  /** A new instance of the generated class, built with the fixture's constructor arguments. */
  Module newModule() throws ReflectiveOperationException {
    Class<? extends Module> type = Class.forName(className).asSubclass(Module.class);
    for (Constructor<?> c : type.getConstructors()) {
      Class<?>[] params = c.getParameterTypes();
      if (params.length == args.size() && List.of(params).stream().allMatch(int.class::equals)) {
        try {
          return type.cast(c.newInstance(args.toArray()));
        } catch (InvocationTargetException e) {
          throw new AssertionError(className + args + " failed", e.getCause());
        }
      }
    }
    throw new AssertionError(className + " has no public constructor taking " + args.size()
        + " int arguments");
  }

  /**
   * Runs {@code net} on this case's inputs, by name, through its generated forward ({@code
   * forward(x)}, {@code forwardInputs(Tensor...)} for several inputs, or {@code
   * forwardTuple(Tensor...)} for a tuple), and names the
   * output's tensors as the fixture does: {@code y}, or {@code y.0}, {@code y.1.0}, ... in order.
   */
  Map<String, Tensor> run(Module net, Map<String, Tensor> io) throws ReflectiveOperationException {
    Class<?>[] types = new Class<?>[inputs.size()];
    Arrays.fill(types, Tensor.class);
    boolean tuple = !outputs.equals(List.of("y"));
    String method = tuple ? "forwardTuple" : inputs.size() > 1 ? "forwardInputs" : "forward";
    Method forward = net.getClass().getMethod(method, types);
    Object[] values = inputs.stream().map(io::get).toArray();
    Object result;
    try {
      result = forward.invoke(net, values);
    } catch (InvocationTargetException e) {
      throw new AssertionError(name + ": forward failed", e.getCause());
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (!tuple) {
      out.put("y", (Tensor) result);
      return out;
    }
    RecordComponent[] parts = result.getClass().getRecordComponents();
    if (parts.length != outputs.size()) {
      throw new AssertionError(name + ": the record has " + parts.length + " tensors, PyTorch's tuple "
          + outputs.size());
    }
    for (int i = 0; i < parts.length; i++) {
      out.put(outputs.get(i), (Tensor) parts[i].getAccessor().invoke(result));
    }
    return out;
  }

  /** PyTorch's state dict of this case. */
  Map<String, Tensor> weights() throws IOException {
    return SafeTensors.load(DIR.resolve(name + ".weights.safetensors")).tensors();
  }

  /** The input x, PyTorch's output y and any case-specific tensors. */
  Map<String, Tensor> io() throws IOException {
    return SafeTensors.load(DIR.resolve(name + ".io.safetensors")).tensors();
  }
}
