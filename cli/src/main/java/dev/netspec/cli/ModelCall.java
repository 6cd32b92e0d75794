package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward of a generated block on named inputs, its result named as {@code run} writes
 * it: {@code y} for a tensor, {@code y.0}, {@code y.1.0}, ... for the tensors of a tuple.
 * A block with one input and one output is {@code Module.forward(x)}; one with several inputs
 * has {@code forwardInputs(Tensor...)}, and one returning a tuple {@code forwardTuple(Tensor...)}
 * returning its {@code Output} record (its tensors in order, nested tuples flattened).
 */
final class ModelCall {
  private ModelCall() {}

  /**
   * Whether a forward's exception is about its inputs (the user's data): an argument the
   * runtime refuses, or an id outside an embedding's table (a plain IndexOutOfBoundsException,
   * PyTorch's IndexError). An array's or string's index out of bounds is a bug in netspec.
   */
  static boolean isInputFault(RuntimeException e) {
    return e instanceof IllegalArgumentException || e.getClass() == IndexOutOfBoundsException.class;
  }

  /** Runs {@code model}, described by {@code inspection}, on {@code inputs} (in its order). */
  static Map<String, Tensor> run(Module model, Inspection inspection, List<Tensor> inputs) {
    List<Inspection.Port> outputs = inspection.outputs();
    boolean tuple = !(outputs.size() == 1 && outputs.get(0).name().equals("y"));
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (!tuple && inputs.size() == 1) {
      out.put("y", model.forward(inputs.get(0)));
      return out;
    }
    Class<?>[] types = new Class<?>[inputs.size()];
    Arrays.fill(types, Tensor.class);
    Object result;
    try {
      Method m = model.getClass().getMethod(tuple ? "forwardTuple" : inputs.size() > 1 ? "forwardInputs" : "forward", types);
      result = m.invoke(model, inputs.toArray());
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(inspection.block() + ": the generated class has no forward"
          + " taking " + inputs.size() + " tensors", e);
    }
    if (!tuple) {
      out.put("y", (Tensor) result);
      return out;
    }
    RecordComponent[] parts = result.getClass().getRecordComponents();
    try {
      for (int i = 0; i < parts.length && i < outputs.size(); i++) {
        out.put(outputs.get(i).name(), (Tensor) parts[i].getAccessor().invoke(result));
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
