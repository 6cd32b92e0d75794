package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The upstream gradients of {@code netspec grad}: one tensor per float output of the block,
 * named after it as {@code run} names outputs, {@code y} to {@code g}, {@code y.0} to {@code
 * g.0}, {@code y.1.0} to {@code g.1.0}; the loss is {@code L = sum_i sum(y_i * g_i)}, so the
 * gradients are PyTorch's {@code torch.autograd.backward([y_0, y_1, ...], [g_0, g_1, ...])}.
 * An int64 output takes none.
 */
final class Upstream {
  private Upstream() {}

  /** The results to differentiate and their gradients, in the outputs' order. */
  record Roots(Tensor[] tensors, Tensor[] gradients) {}

  /** The name of the upstream gradient of output {@code y...}: {@code g...}. */
  static String nameOf(String output) {
    return "g" + output.substring(1);
  }

  /**
   * The gradient of each float output of {@code outputs} from {@code file}, by output name;
   * every one must be there and be float32.
   */
  static Map<String, Tensor> read(Path file, List<Inspection.Port> outputs, PrintWriter err)
      throws UserException {
    Map<String, Tensor> tensors = TensorFiles.read(file, err);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Inspection.Port port : outputs) {
      if ("int64".equals(port.dtype())) {
        continue;
      }
      String name = nameOf(port.name());
      Tensor g = tensors.get(name);
      if (g == null) {
        throw UserException.at(file, "no tensor named '" + name + "' (found: "
            + String.join(", ", new TreeMap<>(tensors).keySet()) + ")"
            + (outputs.size() > 1 ? "; " + names(outputs) + " needs one per output" : ""));
      }
      if (g.dtype() != DType.FLOAT32) {
        throw UserException.at(file, "'" + name + "' is " + g.dtype() + "; it must be float32");
      }
      out.put(port.name(), g);
    }
    return out;
  }

  /**
   * The outputs of {@code ys} that require a gradient with their upstream gradients of {@code
   * gs} (each of its output's shape); an output that depends on no float input and no
   * parameter adds nothing to L and is left out, and if every output is, there is nothing to
   * differentiate.
   */
  static Roots roots(Path upstream, Path input, Map<String, Tensor> ys, Map<String, Tensor> gs)
      throws UserException {
    List<Tensor> tensors = new ArrayList<>();
    List<Tensor> gradients = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : ys.entrySet()) {
      Tensor y = e.getValue();
      Tensor g = gs.get(e.getKey());
      if (g == null) { // an int64 output
        continue;
      }
      if (!Arrays.equals(y.shape(), g.shape())) {
        throw UserException.at(upstream, "'" + nameOf(e.getKey()) + "' has shape "
            + Arrays.toString(g.shape()) + ", but " + e.getKey() + " has shape "
            + Arrays.toString(y.shape()));
      }
      if (y.requiresGrad()) {
        tensors.add(y);
        gradients.add(g);
      }
    }
    if (tensors.isEmpty()) {
      throw UserException.at(input, (ys.size() == 1 ? "y does" : "no output")
          + (ys.size() == 1 ? " not depend" : " depends") + " on a float input or on a"
          + " parameter that requires grad: there is nothing to differentiate");
    }
    return new Roots(tensors.toArray(new Tensor[0]), gradients.toArray(new Tensor[0]));
  }

  /** {@code sum(y * g)}, or {@code sum(y.0 * g.0) + sum(y.1 * g.1)} for a tuple. */
  static String loss(Collection<String> outputs) {
    List<String> terms = new ArrayList<>();
    for (String y : outputs) {
      terms.add("sum(" + y + " * " + nameOf(y) + ")");
    }
    return String.join(" + ", terms);
  }

  private static String names(List<Inspection.Port> outputs) {
    List<String> out = new ArrayList<>();
    for (Inspection.Port p : outputs) {
      out.add(p.name());
    }
    return String.join(", ", out);
  }
}
