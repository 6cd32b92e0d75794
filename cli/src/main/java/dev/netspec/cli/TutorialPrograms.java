package dev.netspec.cli;

import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The rest of two tutorial programs, replayed by {@code netspec demo} on the example model of
 * the same name: parameter access ("参数管理", block {@code ParamNet}) and in-place edits after
 * a custom initializer ("参数替换", block {@code MyInit}). Both are
 * {@code Sequential(Linear, ReLU, Linear)}; a model of that name with another shape is left
 * alone. Every line printed is computed on the model, never copied from the tutorial.
 */
final class TutorialPrograms {
  private TutorialPrograms() {}

  /** Replays the program that {@code block} mirrors on {@code net}, if it mirrors one. */
  static void replay(String block, Module net, DemoSteps out) {
    if (!(child(net, "0") instanceof Linear) || !(child(net, "2") instanceof Linear)) {
      return;
    }
    switch (block) {
      case "ParamNet" -> parameterAccess(net, out);
      case "MyInit" -> editsAfterMyInit(net, out);
      default -> { }
    }
  }

  private static Module child(Module net, String name) {
    return net.namedChildren().get(name);
  }

  /** {@code net[2].state_dict()}, {@code net[2].bias} and friends. */
  private static void parameterAccess(Module net, DemoSteps out) {
    Module last = net.getSubmodule("2");
    out.step("net.getSubmodule(\"2\").stateDict()", "net[2].state_dict()");
    List<String> entries = new ArrayList<>();
    last.stateDict().forEach((name, t) -> entries.add("('" + name + "', " + t + ")"));
    out.result("OrderedDict([" + String.join(", ", entries) + "])");
    Parameter bias = net.getParameter("2.bias");
    out.step("net.getParameter(\"2.bias\").getClass()", "type(net[2].bias)");
    out.result(bias.getClass());
    out.step("net.getParameter(\"2.bias\")", "net[2].bias");
    out.result(bias);
    out.step("net.getParameter(\"2.bias\").data()", "net[2].bias.data");
    out.result(bias.data());
    out.step("net.getParameter(\"2.weight\").grad() == null", "net[2].weight.grad == None");
    out.result(net.getParameter("2.weight").grad() == null);
    out.step("net.getSubmodule(\"0\").namedParameters()", "net[0].named_parameters()");
    out.result(String.join(" ", namesAndShapes(net.getSubmodule("0").namedParameters())));
    out.step("net.stateDict().get(\"2.bias\")", "net.state_dict()['2.bias'].data");
    out.result(net.stateDict().get("2.bias"));
  }

  /** my_init's {@code Init} lines, then {@code weight.data[:] += 1; weight.data[0, 0] = 42}. */
  private static void editsAfterMyInit(Module net, DemoSteps out) {
    out.step("net.apply(m -> print first of Linear m's namedParameters())",
        "net.apply(my_init)'s print");
    net.apply(m -> {
      if (m instanceof Linear) {
        Map.Entry<String, Parameter> first =
            m.namedParameters().entrySet().iterator().next();
        out.result("Init " + first.getKey() + " " + Arrays.toString(first.getValue().shape()));
      }
    });
    Tensor w = net.getParameter("0.weight").data();
    out.step("w = net.getParameter(\"0.weight\").data()", "w = net[0].weight");
    out.step("w.slice(0, 0, 2)", "net[0].weight[:2]");
    out.result(w.slice(0, 0, 2));
    out.step("w.add_(1)", "net[0].weight.data[:] += 1");
    w.add_(1);
    out.step("w.set(42, 0, 0)", "net[0].weight.data[0, 0] = 42");
    w.set(42, 0, 0);
    out.step("w.detach().select(0, 0)", "net[0].weight.data[0]"); // .data: outside the graph
    out.result(w.detach().select(0, 0));
  }

  /** {@code ('weight', [8, 4])} for each parameter, as the tutorial's {@code print(*[...])}. */
  static List<String> namesAndShapes(Map<String, Parameter> params) {
    List<String> items = new ArrayList<>();
    params.forEach((name, p) -> items.add("('" + name + "', " + Arrays.toString(p.shape()) + ")"));
    return items;
  }
}
