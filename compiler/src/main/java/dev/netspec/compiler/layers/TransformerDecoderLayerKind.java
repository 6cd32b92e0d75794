package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code transformer_decoder_layer}: PyTorch's {@code nn.TransformerDecoderLayer(d_model,
 * nhead, dim_feedforward=2048, dropout=0.1, activation='relu', layer_norm_eps=1e-5,
 * batch_first=False, norm_first=False)}, called as PyTorch calls it, {@code layer(tgt, memory,
 * tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None)}:
 * self-attention over the target, attention from the target to the memory, a feed-forward.
 * Keys {@code self_attn.in_proj_weight}, {@code multihead_attn.in_proj_weight}, {@code
 * linear1.weight}, {@code norm1.weight} ... {@code norm3.bias}.
 */
final class TransformerDecoderLayerKind extends LayerKind {
  private static final List<CallParam> CALL = List.of(CallParam.tensor("tgt"), CallParam.tensor("memory"),
      CallParam.mask("tgt_mask"), CallParam.mask("memory_mask"), CallParam.mask("tgt_key_padding_mask"),
      CallParam.mask("memory_key_padding_mask"));

  TransformerDecoderLayerKind() {
    super("transformer_decoder_layer", "TransformerDecoderLayer", null, Transformers.encoderLayerArgs(),
        List.of());
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
  public boolean oneTensorForm() {
    return false; // it needs the memory
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    Transformers.EncoderLayer c = Transformers.encoderLayer(args, ctx);
    Shape out = Transformers.sequenceInput(in, c.dModel(), "d_model", ctx);
    Map<String, Shape> params = new LinkedHashMap<>();
    Transformers.layerParams("", c, List.of("self_attn", "multihead_attn"), List.of("norm1", "norm2", "norm3"),
        params);
    long flops = Transformers.attentionFlops(in, c.dModel());
    return new Inferred(out, runtimeClass(), Transformers.layerRepr(c, 1), params, Map.of(), Map.of(),
        flops < 0 ? -1 : 2 * flops);
  }

  @Override
  public Type callType(Args args, Inferred first, Map<String, Type.TensorT> t, Map<String, Boolean> flags)
      throws ShapeError {
    boolean batchFirst = Boolean.TRUE.equals(args.value("batch_first", false));
    Transformers.Sequence tgt = Transformers.sequence(t.get("tgt").shape(), batchFirst);
    Transformers.Sequence memory = Transformers.sequence(t.get("memory").shape(), batchFirst);
    if (tgt.rank() > 0 && memory.rank() > 0) {
      if (tgt.rank() != memory.rank()) {
        throw new ShapeError("tgt and memory must both be batched (rank 3) or both unbatched (rank 2), got "
            + t.get("tgt").shape() + " and " + t.get("memory").shape());
      }
      Transformers.expect("the memory's last dim", memory.features(), args.dim("d_model"), "d_model");
      Transformers.expect("the memory's batch", memory.batch(), tgt.batch(), "the target's");
    }
    Transformers.checkMasks(t.get("tgt_key_padding_mask"), t.get("tgt_mask"), "tgt_key_padding_mask", "tgt_mask",
        tgt, tgt, args.dim("nhead"));
    Transformers.checkMasks(t.get("memory_key_padding_mask"), t.get("memory_mask"), "memory_key_padding_mask",
        "memory_mask", tgt, memory, args.dim("nhead"));
    return first.resultType();
  }

  @Override
  public CodeBlock construct(Names names) {
    return Transformers.layer(names, "TransformerDecoderLayer");
  }
}
