package dev.netspec.compiler.infer;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The builtin functions of the forward language, with PyTorch's parameter names. */
public final class Functions {
  /** A parameter; {@code defaultValue} null means required, {@link #NONE} means Python's None. */
  public record Param(String name, Object defaultValue) {}

  /** Python's {@code None} as a default. */
  public static final Object NONE = new Object() {
    @Override
    public String toString() {
      return "None";
    }
  };

  /** What a function does, for shape rules and code generation. */
  public enum Kind {
    ELEMENTWISE, REDUCE, SOFTMAX, TRANSPOSE, FLATTEN, CONCAT, STACK, MATMUL, POW, POOL, ADAPTIVE_POOL, SPLIT,
    /** A tensor operation of {@link TensorOps}: views, masks, {@code arange}, attention. */
    TENSOR_OP,
    /** A loss of {@link Losses}: {@code mse_loss(input, target)}, {@code cross_entropy}, ... */
    LOSS
  }

  /** Registers a function of one kind, for the rule classes that own their functions. */
  @FunctionalInterface
  interface Registry {
    void fn(String name, Param... params);
  }

  /** A builtin function. */
  public record Fn(String name, Kind kind, List<Param> params) {}

  private static final Map<String, Fn> FNS = new TreeMap<>();

  static {
    for (String n : List.of("relu", "sigmoid", "tanh", "abs", "exp", "log", "sqrt", "neg")) {
      add(n, Kind.ELEMENTWISE, new Param("input", null));
    }
    add("gelu", Kind.ELEMENTWISE, new Param("input", null), new Param("approximate", "none"));
    add("silu", Kind.ELEMENTWISE, new Param("input", null));
    add("leaky_relu", Kind.ELEMENTWISE, new Param("input", null), new Param("negative_slope", 0.01));
    // torch.clamp(input, min=None, max=None): at least one bound
    add("clamp", Kind.ELEMENTWISE, new Param("input", null), new Param("min", NONE), new Param("max", NONE));
    for (String n : List.of("sum", "mean", "max")) {
      add(n, Kind.REDUCE, new Param("input", null), new Param("dim", NONE), new Param("keepdim", false));
    }
    add("softmax", Kind.SOFTMAX, new Param("input", null), new Param("dim", null));
    add("log_softmax", Kind.SOFTMAX, new Param("input", null), new Param("dim", null));
    add("transpose", Kind.TRANSPOSE, new Param("input", null), new Param("dim0", null), new Param("dim1", null));
    add("flatten", Kind.FLATTEN, new Param("input", null), new Param("start_dim", 0L), new Param("end_dim", -1L));
    add("concat", Kind.CONCAT, new Param("tensors", null), new Param("dim", 0L));
    add("cat", Kind.CONCAT, new Param("tensors", null), new Param("dim", 0L));
    add("stack", Kind.STACK, new Param("tensors", null), new Param("dim", 0L));
    add("chunk", Kind.SPLIT, new Param("input", null), new Param("chunks", null), new Param("dim", 0L));
    add("split", Kind.SPLIT, new Param("input", null), new Param("split_size_or_sections", null), new Param("dim", 0L));
    add("matmul", Kind.MATMUL, new Param("input", null), new Param("other", null));
    add("pow", Kind.POW, new Param("input", null), new Param("exponent", null));
    for (String n : List.of("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d")) {
      add(n, Kind.POOL, new Param("input", null), new Param("kernel_size", null), new Param("stride", NONE),
          new Param("padding", List.of(0L)));
    }
    for (String n : List.of("adaptive_avg_pool1d", "adaptive_avg_pool2d")) {
      add(n, Kind.ADAPTIVE_POOL, new Param("input", null), new Param("output_size", null));
    }
  }

  static {
    add("reshape", Kind.TENSOR_OP, new Param("input", null), new Param("shape", null));
    add("view", Kind.TENSOR_OP, new Param("input", null), new Param("shape", null));
    add("permute", Kind.TENSOR_OP, new Param("input", null), new Param("dims", null));
    add("unsqueeze", Kind.TENSOR_OP, new Param("input", null), new Param("dim", null));
    add("squeeze", Kind.TENSOR_OP, new Param("input", null), new Param("dim", NONE));
    add("contiguous", Kind.TENSOR_OP, new Param("input", null));
    add("masked_fill", Kind.TENSOR_OP, new Param("input", null), new Param("mask", null), new Param("value", null));
    add("where", Kind.TENSOR_OP, new Param("condition", null), new Param("input", null), new Param("other", null));
    add("tril", Kind.TENSOR_OP, new Param("input", null), new Param("diagonal", 0L));
    add("triu", Kind.TENSOR_OP, new Param("input", null), new Param("diagonal", 0L));
    // arange(end) or arange(start, end, step), as torch.arange: one positional argument is the end.
    add("arange", Kind.TENSOR_OP, new Param("start", null), new Param("end", NONE), new Param("step", 1L));
    add("scaled_dot_product_attention", Kind.TENSOR_OP, new Param("query", null), new Param("key", null),
        new Param("value", null), new Param("attn_mask", NONE), new Param("dropout_p", 0L),
        new Param("is_causal", false));
    // float('-inf'), float('inf'): Python's spelling of the infinities, a constant.
    add("float", Kind.TENSOR_OP, new Param("x", null));
    Losses.register((name, params) -> add(name, Kind.LOSS, params));
  }

  private Functions() {}

  private static void add(String name, Kind kind, Param... params) {
    FNS.put(name, new Fn(name, kind, List.of(params)));
  }

  /** The function named {@code name}, or null. */
  public static Fn get(String name) {
    return FNS.get(name);
  }

  /** The spatial dims of a pooling function: 1 for {@code max_pool1d}, 2 for {@code max_pool2d}. */
  public static int spatialDims(Fn fn) {
    return fn.name().endsWith("1d") ? 1 : 2;
  }

  /** Every function name, sorted. */
  public static List<String> names() {
    return List.copyOf(FNS.keySet());
  }
}
