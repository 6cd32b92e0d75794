package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code multihead_attention}: PyTorch's {@code nn.MultiheadAttention(embed_dim, num_heads,
 * dropout, bias, add_bias_kv=False, add_zero_attn=False, kdim, vdim, batch_first)}; keys
 * {@code in_proj_weight}, {@code in_proj_bias}, {@code out_proj.weight}, {@code out_proj.bias}.
 * A forward calls it on one input, {@code attn(x)}: self-attention, PyTorch's
 * {@code attn(x, x, x, need_weights=False)[0]}, of the input's shape. Separate keys and values
 * (and so {@code kdim}/{@code vdim} other than {@code embed_dim}), masks and the attention
 * weights need layer calls with several arguments, which the forward language does not have yet.
 */
final class MultiheadAttentionKind extends LayerKind {
  MultiheadAttentionKind() {
    super("multihead_attention", "MultiheadAttention", null, List.of(
        ArgDef.required("embed_dim", ArgDef.Type.INT).positive(),
        ArgDef.required("num_heads", ArgDef.Type.INT).positive(),
        ArgDef.optional("dropout", ArgDef.Type.FLOAT, 0.0),
        ArgDef.optional("bias", ArgDef.Type.BOOL, Boolean.TRUE),
        ArgDef.optional("kdim", ArgDef.Type.INT, null).positive(),
        ArgDef.optional("vdim", ArgDef.Type.INT, null).positive(),
        ArgDef.optional("batch_first", ArgDef.Type.BOOL, Boolean.FALSE)),
        List.of()); // its parameters are initialized by path ('attn.in_proj_weight'), not as fields

  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    Dim e = args.dim("embed_dim");
    Transformers.checkHeads(e, args.dim("num_heads"), "embed_dim", "num_heads", ctx);
    Transformers.checkDropout(args, ctx);
    for (String kv : List.of("kdim", "vdim")) {
      if (args.has(kv) && !Dim.compatible(args.dim(kv), e)) {
        ctx.error(kv, kv + " " + args.dim(kv) + " differs from embed_dim " + e + ": that needs separate key and value"
            + " inputs, and a layer call takes one input (self-attention) for now");
      }
    }
    boolean bias = args.bool("bias", true);
    Shape out = Transformers.sequenceInput(in, e, "embed_dim", ctx);
    Map<String, Shape> params = new LinkedHashMap<>();
    Transformers.attentionParams("", e, bias, params);
    String repr = Transformers.attentionRepr(e, bias);
    return new Inferred(out, runtimeClass(), repr, params, Map.of(), Map.of(), Transformers.attentionFlops(in, e));
  }

  @Override
  public CodeBlock construct(Names names) {
    boolean plain = !names.has("dropout") && !names.has("bias") && !names.has("kdim") && !names.has("vdim")
        && !names.has("batch_first");
    if (plain) {
      return CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()), names.value("embed_dim"),
          names.value("num_heads"));
    }
    return CodeBlock.of("new $T($L, $L, $L, $L, false, false, $L, $L, $L)", javaClass(names.inferred()),
        names.value("embed_dim"), names.value("num_heads"), Transformers.or(names, "dropout", "0.0"),
        Transformers.or(names, "bias", "true"), Transformers.or(names, "kdim", "null"),
        Transformers.or(names, "vdim", "null"), Transformers.or(names, "batch_first", "false"));
  }
}
