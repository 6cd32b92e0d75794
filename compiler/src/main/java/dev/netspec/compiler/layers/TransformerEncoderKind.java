package dev.netspec.compiler.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code transformer_encoder}: PyTorch's {@code nn.TransformerEncoder(encoder_layer,
 * num_layers)} with the encoder layer's arguments given alongside, flat:
 * {@code {transformer_encoder: {num_layers: 2, d_model: 16, nhead: 4}}} is
 * {@code nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4), 2)}; keys
 * {@code layers.0.self_attn.in_proj_weight}, ... With {@code norm: true}, the final norm
 * PyTorch users pass, {@code norm=nn.LayerNorm(d_model, eps=layer_norm_eps)} (keys {@code
 * norm.weight}, {@code norm.bias}). Called as PyTorch calls it, {@code encoder(src,
 * mask=None, src_key_padding_mask=None)}.
 */
final class TransformerEncoderKind extends LayerKind {
  private static final List<CallParam> CALL = List.of(CallParam.tensor("src"), CallParam.mask("mask"),
      CallParam.mask("src_key_padding_mask"));

  TransformerEncoderKind() {
    super("transformer_encoder", "TransformerEncoder", null, argDefs(), List.of());
  }

  private static List<ArgDef> argDefs() {
    List<ArgDef> out = new ArrayList<>();
    out.add(ArgDef.required("num_layers", ArgDef.Type.INT).positive());
    out.addAll(Transformers.encoderLayerArgs());
    out.add(ArgDef.optional("norm", ArgDef.Type.BOOL, Boolean.FALSE));
    return out;
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
    if (args.bool("norm", false)) {
      params.put("norm.weight", new Shape(List.of(c.dModel())));
      params.put("norm.bias", new Shape(List.of(c.dModel())));
      repr += "\n(norm): " + Transformers.normRepr(c);
    }
    long flops = Transformers.attentionFlops(in, c.dModel());
    return new Inferred(out, runtimeClass(), repr, params, Map.of(), Map.of(), flops < 0 ? -1 : flops * layers);
  }

  @Override
  public CodeBlock construct(Names names) {
    if (names.has("norm") && !Boolean.FALSE.equals(names.literal("norm"))) {
      CodeBlock norm = CodeBlock.of("new $T(new int[] {$L}, $L, true)", ClassName.get(RUNTIME_PACKAGE, "LayerNorm"),
          names.value("d_model"), Transformers.or(names, "layer_norm_eps", "1e-5"));
      if (!Boolean.TRUE.equals(names.literal("norm"))) { // a block argument
        norm = CodeBlock.of("$L ? $L : null", names.value("norm"), norm);
      }
      return CodeBlock.of("new $T($L, $L, $L)", javaClass(names.inferred()), Transformers.encoderLayer(names),
          names.value("num_layers"), norm);
    }
    return CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()), Transformers.encoderLayer(names),
        names.value("num_layers"));
  }
}
