package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.parse.PyRepr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code layer_norm}: PyTorch's {@code nn.LayerNorm(normalized_shape, eps, elementwise_affine)},
 * normalizing over the input's last dims, which have to be {@code normalized_shape}.
 */
final class LayerNormKind extends LayerKind {
  LayerNormKind() {
    super("layer_norm", "LayerNorm", "normalized_shape", List.of(
        ArgDef.required("normalized_shape", ArgDef.Type.INT_LIST).positive(),
        ArgDef.optional("eps", ArgDef.Type.FLOAT, 1e-5),
        ArgDef.optional("elementwise_affine", ArgDef.Type.BOOL, Boolean.TRUE)), List.of("weight", "bias"));
  }

  @Override
  public boolean normalizesSum() {
    return true;
  }

  @Override
  public String outOfRange(String arg, Object value) {
    return NormArgs.outOfRange(arg, value);
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    Object ns = args.value("normalized_shape", null);
    Object eps = args.value("eps", 1e-5);
    boolean affine = args.bool("elementwise_affine", true);
    List<Dim> nd = new ArrayList<>();
    if (ns instanceof List<?> sizes) {
      sizes.forEach(n -> nd.add(Dim.of(((Long) n).intValue())));
    } else if (ns instanceof Long n) {
      nd.add(Dim.of(n.intValue()));
    } else {
      nd.add((Dim) ns);
    }
    Shape out = in;
    if (in.knownRank()) {
      boolean fits = in.rank() >= nd.size();
      for (int i = 0; fits && i < nd.size(); i++) {
        fits = Dim.compatible(nd.get(i), in.dim(in.rank() - nd.size() + i));
      }
      if (!fits) {
        ctx.wrongInput("expects input ending in " + new Shape(nd) + ", got " + in);
        List<Dim> expected = new ArrayList<>(in.dims().subList(0, Math.max(0, in.rank() - nd.size())));
        expected.addAll(nd);
        out = new Shape(expected);
      }
    }
    Map<String, Shape> params = new LinkedHashMap<>();
    if (affine) {
      params.put("weight", new Shape(nd));
      params.put("bias", new Shape(nd));
    }
    String repr = PyRepr.tuple(nd) + ", eps=" + PyRepr.floatRepr(eps) + ", elementwise_affine=" + PyRepr.bool(affine);
    return new Inferred(out, runtimeClass(), repr, params, Map.of(), Map.of(), Inferred.perElement(in, 5));
  }

  @Override
  public CodeBlock construct(Names names) {
    CodeBlock sizes;
    if (names.literal("normalized_shape") instanceof List<?> list) {
      List<CodeBlock> parts = new ArrayList<>();
      for (Object n : list) {
        parts.add(CodeBlock.of("$L", ((Long) n).intValue()));
      }
      sizes = CodeBlock.join(parts, ", ");
    } else {
      sizes = names.value("normalized_shape");
    }
    CodeBlock eps = names.has("eps") ? names.value("eps") : CodeBlock.of("1e-5");
    CodeBlock affine = names.has("elementwise_affine") ? names.value("elementwise_affine") : CodeBlock.of("true");
    return CodeBlock.of("new $T(new int[] {$L}, $L, $L)", javaClass(names.inferred()), sizes, eps, affine);
  }
}
