package dev.netspec.compiler.layers;

import static dev.netspec.compiler.layers.ArgDef.Type.BOOL;
import static dev.netspec.compiler.layers.ArgDef.Type.FLOAT;
import static dev.netspec.compiler.layers.ArgDef.Type.INT;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.parse.PyRepr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code group_norm}: PyTorch's {@code nn.GroupNorm(num_groups, num_channels)} over
 * {@code (N, C, *)}; {@code num_channels} comes from dim 1 when left out and has to be a
 * multiple of {@code num_groups}. The short form is the groups: {@code {group_norm: 32}}.
 */
final class GroupNormKind extends LayerKind {
  private static final InferredArg CHANNELS = new InferredArg("num_channels", 1, "channels", "channel dim", false);

  GroupNormKind() {
    super("group_norm", "GroupNorm", "num_groups", List.of(
        ArgDef.required("num_groups", INT).positive(),
        ArgDef.optional("num_channels", INT, null).positive(),
        ArgDef.optional("eps", FLOAT, 1e-5),
        ArgDef.optional("affine", BOOL, Boolean.TRUE)), List.of("weight", "bias"));
  }

  @Override
  public String outOfRange(String arg, Object value) {
    return NormArgs.outOfRange(arg, value);
  }

  @Override
  public List<InferredArg> inferredArgs() {
    return List.of(CHANNELS);
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    if (in.knownRank() && in.rank() < 2) {
      throw new ShapeError("expects an input of at least 2 dims (N, C, *), got " + in);
    }
    Dim c = inferArg(CHANNELS, args, in, ctx);
    Dim groups = args.dim("num_groups");
    if (c instanceof Dim.Known ck && groups instanceof Dim.Known gk && ck.size() % gk.size() != 0) {
      throw new ShapeError("num_channels " + ck.size() + " must be divisible by num_groups " + gk.size());
    }
    boolean affine = args.bool("affine", true);
    Map<String, Shape> params = new LinkedHashMap<>();
    if (affine) {
      params.put("weight", new Shape(List.of(c)));
      params.put("bias", new Shape(List.of(c)));
    }
    String repr = groups + ", " + c + ", eps=" + PyRepr.floatRepr(args.value("eps", 1e-5)) + ", affine="
        + PyRepr.bool(affine);
    return new Inferred(in, runtimeClass(), repr, params, Map.of(), Map.of(CHANNELS.name(), c),
        Inferred.perElement(in, 5));
  }

  @Override
  public CodeBlock construct(Names names) {
    CodeBlock c = names.inferredValue(CHANNELS);
    if (c == null) {
      return CodeBlock.of("null");
    }
    if (!names.has("eps") && !names.has("affine")) {
      return CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()), names.value("num_groups"), c);
    }
    return CodeBlock.of("new $T($L, $L, $L, $L)", javaClass(names.inferred()), names.value("num_groups"), c,
        names.has("eps") ? names.value("eps") : CodeBlock.of("1e-5"),
        names.has("affine") ? names.value("affine") : CodeBlock.of("true"));
  }
}
