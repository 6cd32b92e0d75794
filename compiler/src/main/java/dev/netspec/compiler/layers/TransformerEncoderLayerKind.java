package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code transformer_encoder_layer}: PyTorch's {@code nn.TransformerEncoderLayer(d_model,
 * nhead, dim_feedforward=2048, dropout=0.1, activation='relu', layer_norm_eps=1e-5,
 * batch_first=False, norm_first=False)}, called on one input {@code layer(src)} (no masks
 * yet); dropout is the identity in eval mode. Keys {@code self_attn.in_proj_weight},
 * {@code linear1.weight}, {@code norm1.weight}, ...
 */
final class TransformerEncoderLayerKind extends LayerKind {
  TransformerEncoderLayerKind() {
    super("transformer_encoder_layer", "TransformerEncoderLayer", null, Transformers.encoderLayerArgs(),
        List.of());
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
