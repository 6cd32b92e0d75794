package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code transformer_encoder_layer}: PyTorch's {@code nn.TransformerEncoderLayer(d_model,
 * nhead, dim_feedforward=2048, dropout=0.1, activation='relu', layer_norm_eps=1e-5,
 * batch_first=False, norm_first=False)}, called as PyTorch calls it, {@code layer(src,
 * src_mask=None, src_key_padding_mask=None)} (PyTorch 1.13 has no {@code is_causal}); dropout
 * is the identity in eval mode. Keys {@code self_attn.in_proj_weight}, {@code linear1.weight},
 * {@code norm1.weight}, ...
 */
final class TransformerEncoderLayerKind extends LayerKind {
  private static final List<CallParam> CALL = List.of(CallParam.tensor("src"), CallParam.mask("src_mask"),
      CallParam.mask("src_key_padding_mask"));

  TransformerEncoderLayerKind() {
    super("transformer_encoder_layer", "TransformerEncoderLayer", null, Transformers.encoderLayerArgs(),
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
  public Type callType(Args args, Inferred first, Map<String, Type.TensorT> t, Map<String, Boolean> flags)
      throws ShapeError {
    return Transformers.selfAttentionCall(args, first, t, CALL);
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    Transformers.EncoderLayer c = Transformers.encoderLayer(args, ctx);
    Shape out = Transformers.sequenceInput(in, c.dModel(), "d_model", ctx);
    Map<String, Shape> params = new LinkedHashMap<>();
    Transformers.encoderLayerParams("", c, params);
    return new Inferred(out, runtimeClass(), Transformers.encoderLayerRepr(c), params, Map.of(), Map.of(),
        Transformers.attentionFlops(in, c.dModel()));
  }

  @Override
  public CodeBlock construct(Names names) {
    return Transformers.encoderLayer(names);
  }
}
