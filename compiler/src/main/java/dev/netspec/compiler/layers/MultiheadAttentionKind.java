package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code multihead_attention}: PyTorch's {@code nn.MultiheadAttention(embed_dim, num_heads,
 * dropout, bias, add_bias_kv=False, add_zero_attn=False, kdim, vdim, batch_first)}; keys
 * {@code in_proj_weight} (or {@code q_proj_weight}, {@code k_proj_weight}, {@code
 * v_proj_weight} when {@code kdim} or {@code vdim} differ from {@code embed_dim}), {@code
 * in_proj_bias}, {@code out_proj.weight}, {@code out_proj.bias}. Its call is PyTorch's,
 * {@code attn(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
 * average_attn_weights=True)}, returning {@code (attn_output, attn_weights)} ({@code None} as
 * the weights when {@code need_weights=False}); {@code attn(x)} alone is self-attention's
 * output, {@code attn(x, x, x, need_weights=False)[0]}.
 */
final class MultiheadAttentionKind extends LayerKind {
  private static final List<CallParam> CALL = List.of(CallParam.tensor("query"), CallParam.tensor("key"),
      CallParam.tensor("value"), CallParam.mask("key_padding_mask"), CallParam.flag("need_weights", true),
      CallParam.mask("attn_mask"), CallParam.flag("average_attn_weights", true));

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
  public String outOfRange(String arg, Object value) {
    return Transformers.outOfRange(arg, value);
  }

  @Override
  public List<CallParam> callParams() {
    return CALL;
  }

  @Override
  public List<String> outputAccessors() {
    return List.of("output", "weights");
  }

  /** {@code attn.forwardInto(query, key, value, keyPadding, attnMask, out)}: the output alone, when the weights are not asked for. */
  @Override
  public CodeBlock callInto(CodeBlock layer, Map<String, CodeBlock> t, Map<String, Boolean> flags, CodeBlock out) {
    if (flags.get("need_weights")) {
      return null;
    }
    return CodeBlock.of("$L.forwardInto($L, $L, $L, $L, $L, $L)", layer, t.get("query"), t.get("key"), t.get("value"),
        t.get("key_padding_mask"), t.get("attn_mask"), out);
  }

  /** {@code attn.forwardInto(query, key, value, keyPadding, attnMask, average, attnResult)}: output and weights. */
  @Override
  public CodeBlock tupleCallInto(CodeBlock layer, Map<String, CodeBlock> t, Map<String, Boolean> flags,
      CodeBlock record) {
    if (!flags.get("need_weights")) {
      return null;
    }
    return CodeBlock.of("$L.forwardInto($L, $L, $L, $L, $L, $L, $L)", layer, t.get("query"), t.get("key"),
        t.get("value"), t.get("key_padding_mask"), t.get("attn_mask"), flags.get("average_attn_weights"), record);
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    Dim e = args.dim("embed_dim");
    Transformers.checkHeads(e, args.dim("num_heads"), "embed_dim", "num_heads", ctx);
    boolean bias = args.bool("bias", true);
    Shape out = Transformers.sequenceInput(in, e, "embed_dim", ctx);
    Map<String, Shape> params = new LinkedHashMap<>();
    Transformers.attentionParams("", e, kdim(args), vdim(args), bias, params);
    String repr = Transformers.attentionRepr(e, bias);
    return new Inferred(out, runtimeClass(), repr, params, Map.of(), Map.of(), Transformers.attentionFlops(in, e));
  }

  private static Dim kdim(Args args) {
    return args.has("kdim") ? args.dim("kdim") : args.dim("embed_dim");
  }

  private static Dim vdim(Args args) {
    return args.has("vdim") ? args.dim("vdim") : args.dim("embed_dim");
  }

  @Override
  public Type callType(Args args, Inferred first, Map<String, Type.TensorT> t, Map<String, Boolean> flags)
      throws ShapeError {
    Shape q = t.get("query").shape();
    boolean batchFirst = Boolean.TRUE.equals(args.value("batch_first", false));
    Transformers.Sequence qs = Transformers.sequence(q, batchFirst);
    Transformers.Sequence ks = Transformers.sequence(t.get("key").shape(), batchFirst);
    Transformers.Sequence vs = Transformers.sequence(t.get("value").shape(), batchFirst);
    if (ks.rank() != qs.rank() || vs.rank() != qs.rank()) {
      throw new ShapeError("query, key and value must all be batched (rank 3) or all unbatched (rank 2), got "
          + q + ", " + t.get("key").shape() + " and " + t.get("value").shape());
    }
    Transformers.expect("the key's last dim", ks.features(), kdim(args), args.has("kdim") ? "kdim" : "kdim, embed_dim");
    Transformers.expect("the value's last dim", vs.features(), vdim(args), args.has("vdim") ? "vdim" : "vdim, embed_dim");
    Transformers.expect("the key's batch", ks.batch(), qs.batch(), "the query's");
    Transformers.expect("the value's batch", vs.batch(), qs.batch(), "the query's");
    Transformers.expect("the value's length", vs.length(), ks.length(), "the key's");
    Dim heads = args.dim("num_heads");
    Transformers.checkMasks(t.get("key_padding_mask"), t.get("attn_mask"), "key_padding_mask", "attn_mask",
        qs, ks, heads);
    Type weights = new Type.NoneT();
    if (flags.get("need_weights") && (qs.rank() < 0 || ks.rank() < 0)) {
      weights = new Type.TensorT(Shape.ANY); // an earlier error, reported
    } else if (flags.get("need_weights")) {
      List<Dim> w = new ArrayList<>();
      if (qs.rank() == 3) {
        w.add(qs.batch());
      }
      if (!flags.get("average_attn_weights")) {
        w.add(heads);
      }
      w.add(qs.length());
      w.add(ks.length());
      weights = new Type.TensorT(new Shape(w));
    }
    return new Type.TupleT(List.of(first.resultType(), weights));
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
