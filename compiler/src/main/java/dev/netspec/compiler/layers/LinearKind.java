package dev.netspec.compiler.layers;

import static dev.netspec.compiler.layers.ArgDef.Type.BOOL;
import static dev.netspec.compiler.layers.ArgDef.Type.INT;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.parse.PyRepr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code linear}: PyTorch's {@code nn.Linear}, {@code y = x W^T + b} over the last dim.
 * {@code in_features} comes from the input when left out, and makes a {@code LazyLinear}
 * when the input's last dim is {@code ?}.
 */
class LinearKind extends LayerKind {
  static final InferredArg IN_FEATURES = new InferredArg("in_features", -1, "input features", "last dim", true);

  LinearKind() {
    this("linear", "Linear");
  }

  LinearKind(String name, String runtimeClass) {
    super(name, runtimeClass, "out_features", name.equals("linear")
        ? List.of(ArgDef.optional("in_features", INT, null).positive(), ArgDef.required("out_features", INT).positive(),
            ArgDef.optional("bias", BOOL, Boolean.TRUE))
        : List.of(ArgDef.required("out_features", INT).positive(), ArgDef.optional("bias", BOOL, Boolean.TRUE)),
        List.of("weight", "bias"));
  }

  @Override
  public List<InferredArg> inferredArgs() {
    return List.of(IN_FEATURES);
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    if (in.knownRank() && in.rank() == 0) {
      throw new ShapeError("expects a tensor of at least 1 dim, got a scalar");
    }
    return infer(args, in, ctx, inferArg(IN_FEATURES, args, in, ctx));
  }

  /** The rule once {@code in_features} is known (or lazy). */
  final Inferred infer(Args args, Shape in, Context ctx, Dim inF) {
    Dim outF = args.dim("out_features");
    boolean bias = args.bool("bias", true);
    Shape out = in.knownRank() ? in.withLast(outF) : Shape.ANY;
    long flops = 0;
    if (in.knownRank()) {
      Dim rows = Dim.of(1);
      for (int i = 0; i < in.rank() - 1; i++) {
        rows = Dim.times(rows, in.dim(i));
      }
      flops = rows instanceof Dim.Known r && inF instanceof Dim.Known i && outF instanceof Dim.Known o
          ? 2L * r.size() * i.size() * o.size() : -1;
    }
    // a forward has materialized a lazy_linear: it prints as Linear, as in PyTorch
    boolean lazy = inF.isLazy() || !name().equals("linear") && !ctx.afterForward();
    Map<String, Shape> params = new LinkedHashMap<>();
    if (!inF.isLazy() || !ctx.generic()) {
      params.put("weight", new Shape(List.of(outF, inF)));
      if (bias) {
        params.put("bias", new Shape(List.of(outF)));
      }
    }
    String repr = "in_features=" + (lazy ? "0" : inF) + ", out_features=" + outF + ", bias=" + PyRepr.bool(bias);
    return new Inferred(out, lazy ? "LazyLinear" : "Linear", repr, params, Map.of(),
        Map.of(IN_FEATURES.name(), inF), flops);
  }

  @Override
  public ClassName javaClass(Map<String, Dim> inferred) {
    Dim in = inferred.get(IN_FEATURES.name());
    return ClassName.get(RUNTIME_PACKAGE, in != null && in.isLazy() ? "LazyLinear" : runtimeClass());
  }

  @Override
  public CodeBlock construct(Names names) {
    Dim in = names.inferred().get(IN_FEATURES.name());
    CodeBlock out = names.value("out_features");
    boolean defaultBias = !names.has("bias") || Boolean.TRUE.equals(names.literal("bias"));
    ClassName cls = javaClass(names.inferred());
    if (in != null && in.isLazy()) {
      return defaultBias ? CodeBlock.of("new $T($L)", cls, out)
          : CodeBlock.of("new $T($L, $L)", cls, out, names.value("bias"));
    }
    CodeBlock inCode = names.inferredValue(IN_FEATURES);
    if (inCode == null) {
      return CodeBlock.of("null");
    }
    return defaultBias ? CodeBlock.of("new $T($L, $L)", cls, inCode, out)
        : CodeBlock.of("new $T($L, $L, $L)", cls, inCode, out, names.value("bias"));
  }

  @Override
  public boolean fusesActivation() {
    return name().equals("linear");
  }

  /** ReLU and GELU: the GEMM applies either to each tile while it is in L1. */
  @Override
  public boolean fusesActivation(String activation) {
    return fusesActivation() && ("RELU".equals(activation) || "GELU".equals(activation));
  }
}
