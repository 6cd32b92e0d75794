package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code transformer_encoder}: PyTorch's {@code nn.TransformerEncoder(encoder_layer,
 * num_layers)} with the encoder layer's arguments given alongside, flat:
 * {@code {transformer_encoder: {num_layers: 2, d_model: 16, nhead: 4}}} is
 * {@code nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4), 2)}; keys
 * {@code layers.0.self_attn.in_proj_weight}, ... (no final {@code norm} yet).
 */
final class TransformerEncoderKind extends LayerKind {
  TransformerEncoderKind() {
    super("transformer_encoder", "TransformerEncoder", null, argDefs(), List.of());
  }

  private static List<ArgDef> argDefs() {
    List<ArgDef> out = new ArrayList<>();
    out.add(ArgDef.required("num_layers", ArgDef.Type.INT).positive());
    out.addAll(Transformers.encoderLayerArgs());
    return out;
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    Transformers.EncoderLayer c = Transformers.encoderLayer(args, ctx);
    Shape out = Transformers.sequenceInput(in, c.dModel(), "d_model", ctx);
    Object n = args.value("num_layers", 1L);
    if (!(n instanceof Long layers)) {
      throw new ShapeError("num_layers must be known here, got " + n);
    }
    Map<String, Shape> params = new LinkedHashMap<>();
    List<String> lines = new ArrayList<>();
    String layer = "TransformerEncoderLayer(\n  " + Transformers.encoderLayerRepr(c).replace("\n", "\n  ") + "\n)";
    for (int i = 0; i < layers; i++) {
      Transformers.encoderLayerParams("layers." + i + ".", c, params);
      lines.add("  (" + i + "): " + layer.replace("\n", "\n  "));
    }
    String repr = "(layers): ModuleList(\n" + String.join("\n", lines) + "\n)";
    long flops = Transformers.attentionFlops(in, c.dModel());
    return new Inferred(out, runtimeClass(), repr, params, Map.of(), Map.of(), flops < 0 ? -1 : flops * layers);
  }

  @Override
  public CodeBlock construct(Names names) {
    return CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()), Transformers.encoderLayer(names),
        names.value("num_layers"));
  }
}
