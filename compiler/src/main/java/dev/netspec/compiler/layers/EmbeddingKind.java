package dev.netspec.compiler.layers;

import static dev.netspec.compiler.layers.ArgDef.Type.INT;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code embedding}: PyTorch's {@code nn.Embedding(num_embeddings, embedding_dim,
 * padding_idx)}, a lookup table: int64 ids {@code (...)} give float32 rows {@code (...,
 * embedding_dim)}.
 */
final class EmbeddingKind extends LayerKind {
  EmbeddingKind() {
    super("embedding", "Embedding", null, List.of(
        ArgDef.required("num_embeddings", INT).positive(),
        ArgDef.required("embedding_dim", INT).positive(),
        ArgDef.optional("padding_idx", INT, null)), List.of("weight"));
  }

  @Override
  public DType inputDType() {
    return DType.INT64;
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    Dim n = args.dim("num_embeddings");
    Dim d = args.dim("embedding_dim");
    String repr = n + ", " + d;
    if (args.has("padding_idx")) {
      Object p = args.value("padding_idx", null);
      if (p instanceof Long idx && n instanceof Dim.Known k) {
        if (idx >= k.size() || idx < -k.size()) {
          ctx.error("padding_idx", "padding_idx must be within num_embeddings (in [" + -k.size() + ", "
              + k.size() + ")), got " + idx);
        } else {
          repr += ", padding_idx=" + (idx < 0 ? idx + k.size() : idx); // PyTorch keeps it non-negative
        }
      } else {
        repr += ", padding_idx=" + p;
      }
    }
    Shape out = Shape.ANY;
    if (in.knownRank()) {
      List<Dim> dims = new ArrayList<>(in.dims());
      dims.add(d);
      out = new Shape(dims);
    }
    return new Inferred(out, runtimeClass(), repr, Map.of("weight", new Shape(List.of(n, d))), Map.of(),
        Map.of(), 0);
  }

  @Override
  public CodeBlock construct(Names names) {
    CodeBlock n = names.value("num_embeddings");
    CodeBlock d = names.value("embedding_dim");
    return names.has("padding_idx")
        ? CodeBlock.of("new $T($L, $L, $L)", javaClass(names.inferred()), n, d, names.value("padding_idx"))
        : CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()), n, d);
  }
}
