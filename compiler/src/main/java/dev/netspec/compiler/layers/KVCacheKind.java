package dev.netspec.compiler.layers;

import static dev.netspec.compiler.layers.ArgDef.Type.INT;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code kv_cache}: causal self-attention over a cache of the keys and values of earlier
 * calls (runtime {@code CachedSelfAttention}). It takes the packed projection {@code qkv
 * (batch, seq, 3 * embed_dim)}, nanoGPT's {@code c_attn(x)}, and gives {@code (batch, seq,
 * embed_dim)}: {@code scaled_dot_product_attention(q, k, v, is_causal=True)} of the split
 * heads, the keys and values of the tokens before the block's {@code position:} included.
 * No parameters, nothing in the state dict.
 */
final class KVCacheKind extends LayerKind {
  KVCacheKind() {
    super("kv_cache", "CachedSelfAttention", null, List.of(
        ArgDef.required("embed_dim", INT).positive(),
        ArgDef.required("num_heads", INT).positive(),
        ArgDef.required("max_len", INT).positive()), List.of());
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    Dim e = args.dim("embed_dim");
    Transformers.checkHeads(e, args.dim("num_heads"), "embed_dim", "num_heads", ctx);
    Dim packed = Dim.times(Dim.of(3), e);
    Shape out = Shape.ANY;
    if (in.knownRank()) {
      if (in.rank() != 3) {
        ctx.wrongInput("expects the packed queries, keys and values (batch, seq, 3 * embed_dim) = (batch, seq, "
            + packed + "), got " + in);
        return new Inferred(new Shape(List.of(new Dim.Sym("batch"), new Dim.Sym("seq"), e)), runtimeClass(),
            repr(args), Map.of(), Map.of(), Map.of(), 0);
      }
      if (!Dim.compatible(in.dim(2), packed)) {
        ctx.wrongInput("expects the packed queries, keys and values (batch, seq, 3 * embed_dim) = (batch, seq, "
            + packed + "), got " + in);
      }
      List<Dim> dims = new ArrayList<>(in.dims().subList(0, 2));
      dims.add(e);
      out = new Shape(dims);
    }
    return new Inferred(out, runtimeClass(), repr(args), Map.of(), Map.of(), Map.of(), 0);
  }

  private static String repr(Args args) {
    return "embed_dim=" + args.dim("embed_dim") + ", num_heads=" + args.dim("num_heads") + ", max_len="
        + args.dim("max_len");
  }

  @Override
  public CodeBlock construct(Names names) {
    return CodeBlock.of("new $T($L, $L, $L)", javaClass(names.inferred()), names.value("embed_dim"),
        names.value("num_heads"), names.value("max_len"));
  }
}
