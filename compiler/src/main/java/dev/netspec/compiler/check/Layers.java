package dev.netspec.compiler.check;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The catalogue of builtin layers: their names, arguments and parameters, one line each. */
public final class Layers {
  /** The type of a layer argument. */
  public enum Type { INT, FLOAT, BOOL, STRING, INT_LIST }

  /**
   * One argument: {@code defaultValue} is null when the argument is required (or, for
   * {@code in_features}, inferred from the input shape).
   */
  public record ArgDef(String name, Type type, Object defaultValue, boolean required) {}

  /**
   * A builtin layer.
   *
   * @param name the spec name ({@code linear})
   * @param runtimeClass the runtime class ({@code Linear})
   * @param mainArg the argument of the short form {@code {linear: 256}}, or null
   * @param args every argument in PyTorch's order
   * @param params the parameter names ({@code weight}, {@code bias})
   */
  public record Def(String name, String runtimeClass, String mainArg, List<ArgDef> args,
      List<String> params) {
    /** The argument named {@code n}, or null. */
    public ArgDef arg(String n) {
      for (ArgDef a : args) {
        if (a.name().equals(n)) {
          return a;
        }
      }
      return null;
    }
  }

  private static final Map<String, Def> DEFS = new LinkedHashMap<>();

  static {
    add(new Def("linear", "Linear", "out_features", List.of(
        new ArgDef("in_features", Type.INT, null, false),
        new ArgDef("out_features", Type.INT, null, true),
        new ArgDef("bias", Type.BOOL, Boolean.TRUE, false)), List.of("weight", "bias")));
    add(new Def("lazy_linear", "LazyLinear", "out_features", List.of(
        new ArgDef("out_features", Type.INT, null, true),
        new ArgDef("bias", Type.BOOL, Boolean.TRUE, false)), List.of("weight", "bias")));
    add(simple("relu", "ReLU"));
    add(simple("sigmoid", "Sigmoid"));
    add(simple("tanh", "Tanh"));
    add(simple("gelu", "GELU"));
    add(simple("identity", "Identity"));
    add(new Def("softmax", "Softmax", "dim",
        List.of(new ArgDef("dim", Type.INT, null, true)), List.of()));
    add(new Def("log_softmax", "LogSoftmax", "dim",
        List.of(new ArgDef("dim", Type.INT, null, true)), List.of()));
    add(new Def("dropout", "Dropout", "p",
        List.of(new ArgDef("p", Type.FLOAT, 0.5, false)), List.of()));
    add(new Def("flatten", "Flatten", null, List.of(
        new ArgDef("start_dim", Type.INT, 1L, false),
        new ArgDef("end_dim", Type.INT, -1L, false)), List.of()));
    add(new Def("layer_norm", "LayerNorm", "normalized_shape", List.of(
        new ArgDef("normalized_shape", Type.INT_LIST, null, true),
        new ArgDef("eps", Type.FLOAT, 1e-5, false),
        new ArgDef("elementwise_affine", Type.BOOL, Boolean.TRUE, false)), List.of("weight", "bias")));
  }

  private Layers() {}

  private static Def simple(String name, String cls) {
    return new Def(name, cls, null, List.of(), List.of());
  }

  private static void add(Def d) {
    DEFS.put(d.name(), d);
  }

  /** The layer named {@code name}, or null. */
  public static Def get(String name) {
    return DEFS.get(name);
  }

  /** Every builtin layer name, sorted. */
  public static List<String> names() {
    return List.copyOf(new TreeMap<>(DEFS).keySet());
  }
}
