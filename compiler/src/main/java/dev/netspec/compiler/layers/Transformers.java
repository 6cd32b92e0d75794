package dev.netspec.compiler.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.parse.PyRepr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code multihead_attention}, {@code transformer_encoder_layer} and
 * {@code transformer_encoder} share: PyTorch's arguments and defaults, the input check (the
 * last dim is {@code embed_dim} / {@code d_model}), the parameters in registration order, the
 * repr of the submodules, and the Java that builds an encoder layer. One call takes one input,
 * {@code attn(x)} being self-attention {@code attn(x, x, x, need_weights=False)[0]}.
 */
final class Transformers {
  private Transformers() {}

  /** {@code nn.TransformerEncoderLayer}'s arguments after {@code d_model} and {@code nhead}. */
  static List<ArgDef> encoderLayerArgs() {
    return List.of(
        ArgDef.required("d_model", ArgDef.Type.INT).positive(),
        ArgDef.required("nhead", ArgDef.Type.INT).positive(),
        ArgDef.optional("dim_feedforward", ArgDef.Type.INT, 2048L).positive(),
        ArgDef.optional("dropout", ArgDef.Type.FLOAT, 0.1),
        ArgDef.optional("activation", ArgDef.Type.STRING, "relu"),
        ArgDef.optional("layer_norm_eps", ArgDef.Type.FLOAT, 1e-5),
        ArgDef.optional("batch_first", ArgDef.Type.BOOL, Boolean.FALSE),
        ArgDef.optional("norm_first", ArgDef.Type.BOOL, Boolean.FALSE));
  }

  /** The encoder layer's configuration; its values' ranges: {@link #outOfRange}. */
  record EncoderLayer(Dim dModel, Dim nhead, Dim ff, Object dropout, String activation, Object eps) {}

  static EncoderLayer encoderLayer(Args args, LayerKind.Context ctx) {
    Dim e = args.dim("d_model");
    Dim h = args.dim("nhead");
    checkHeads(e, h, "d_model", "nhead", ctx);
    String activation = String.valueOf(args.value("activation", "relu")); // its values: outOfRange
    Dim ff = args.has("dim_feedforward") ? args.dim("dim_feedforward") : Dim.of(2048);
    return new EncoderLayer(e, h, ff, args.value("dropout", 0.1), activation, args.value("layer_norm_eps", 1e-5));
  }

  static void checkHeads(Dim e, Dim h, String eName, String hName, LayerKind.Context ctx) {
    if (e instanceof Dim.Known ek && h instanceof Dim.Known hk && ek.size() % hk.size() != 0) {
      ctx.error(hName, eName + " " + ek.size() + " is not divisible by " + hName + " " + hk.size());
    }
  }

  /**
   * The ranges of the attention's and the transformer layers' arguments, {@link
   * LayerKind#outOfRange} for each of them: a {@code dropout} probability, a {@code
   * layer_norm_eps} of at least 0, an {@code activation} of {@code relu} or {@code gelu}.
   */
  static String outOfRange(String arg, Object value) {
    return switch (arg) {
      case "dropout" -> DropoutKind.probability(value);
      case "layer_norm_eps" -> NormArgs.outOfRange(arg, value);
      case "activation" -> value.equals("relu") || value.equals("gelu") ? null
          : "activation should be relu or gelu, not " + value;
      default -> null;
    };
  }

  /**
   * Checks a sequence input ({@code (L, N, E)}, {@code (N, L, E)} or unbatched {@code (L, E)})
   * ending in {@code e}; the output has the input's shape.
   */
  static Shape sequenceInput(Shape in, Dim e, String what, LayerKind.Context ctx) throws ShapeError {
    if (!in.knownRank()) {
      return in;
    }
    if (in.rank() != 2 && in.rank() != 3) {
      throw new ShapeError("expects a sequence of rank 3 (or 2 unbatched) ending in " + what + " " + e
          + ", got " + in);
    }
    if (!Dim.compatible(e, in.dim(-1))) {
      ctx.wrongInput("expects input ending in " + what + " " + e + ", got " + in);
      List<Dim> fixed = new ArrayList<>(in.dims().subList(0, in.rank() - 1));
      fixed.add(e);
      return new Shape(fixed);
    }
    return in;
  }

  /** The parameters of one multi-head attention (packed projections), under {@code prefix}. */
  static void attentionParams(String prefix, Dim e, boolean bias, Map<String, Shape> out) {
    attentionParams(prefix, e, e, e, bias, out);
  }

  /**
   * The parameters of one multi-head attention under {@code prefix}, as PyTorch registers
   * them: the packed {@code in_proj_weight} when {@code kdim} and {@code vdim} are {@code e},
   * else {@code q_proj_weight}, {@code k_proj_weight}, {@code v_proj_weight}.
   */
  static void attentionParams(String prefix, Dim e, Dim kdim, Dim vdim, boolean bias, Map<String, Shape> out) {
    if (kdim.equals(e) && vdim.equals(e)) {
      out.put(prefix + "in_proj_weight", new Shape(List.of(Dim.times(e, Dim.of(3)), e)));
    } else {
      out.put(prefix + "q_proj_weight", new Shape(List.of(e, e)));
      out.put(prefix + "k_proj_weight", new Shape(List.of(e, kdim)));
      out.put(prefix + "v_proj_weight", new Shape(List.of(e, vdim)));
    }
    if (bias) {
      out.put(prefix + "in_proj_bias", new Shape(List.of(Dim.times(e, Dim.of(3)))));
    }
    out.put(prefix + "out_proj.weight", new Shape(List.of(e, e)));
    if (bias) {
      out.put(prefix + "out_proj.bias", new Shape(List.of(e)));
    }
  }

  /**
   * A sequence's dims by role: {@code (L, N, E)}, {@code (N, L, E)} with {@code batch_first},
   * or unbatched {@code (L, E)} (batch null); all null for an unknown rank.
   */
  record Sequence(int rank, Dim batch, Dim length, Dim features) {}

  static Sequence sequence(Shape s, boolean batchFirst) throws ShapeError {
    if (!s.knownRank()) {
      return new Sequence(-1, null, null, null);
    }
    if (s.rank() == 2) {
      return new Sequence(2, null, s.dim(0), s.dim(1));
    }
    if (s.rank() != 3) {
      throw new ShapeError("expects sequences of rank 3 (or 2 unbatched), got " + s);
    }
    return new Sequence(3, s.dim(batchFirst ? 0 : 1), s.dim(batchFirst ? 1 : 0), s.dim(2));
  }

  /** Checks that {@code what} is {@code expected} (named by {@code whose}); unknowns pass. */
  static void expect(String what, Dim actual, Dim expected, String whose) throws ShapeError {
    if (actual != null && expected != null && !Dim.compatible(actual, expected)) {
      throw new ShapeError(what + " is " + actual + ", expected " + expected + " (" + whose + ")");
    }
  }

  /**
   * Checks an attention's masks, PyTorch's shapes: the key padding mask {@code (N, S)}
   * ({@code (S)} unbatched), the attention mask {@code (L, S)} or {@code (N * num_heads, L, S)}.
   */
  static void checkMasks(Type.TensorT padding, Type.TensorT mask, String paddingName, String maskName, Sequence q,
      Sequence k, Dim heads) throws ShapeError {
    if (q.rank() < 0 || k.rank() < 0) {
      return;
    }
    if (padding != null) {
      List<Dim> want = q.rank() == 3 ? List.of(q.batch(), k.length()) : List.of(k.length());
      if (!fits(padding.shape(), want)) {
        throw new ShapeError(paddingName + " must be " + (q.rank() == 3 ? "(N, S) = " : "(S) = ") + new Shape(want)
            + ", got " + padding.shape());
      }
    }
    if (mask != null) {
      List<Dim> two = List.of(q.length(), k.length());
      Dim n = q.rank() == 3 ? Dim.times(q.batch(), heads) : heads;
      List<Dim> three = List.of(n, q.length(), k.length());
      if (!fits(mask.shape(), two) && !fits(mask.shape(), three)) {
        throw new ShapeError(maskName + " must be (L, S) = " + new Shape(two) + " or ("
            + (q.rank() == 3 ? "N * num_heads" : "num_heads") + ", L, S) = " + new Shape(three) + ", got "
            + mask.shape());
      }
    }
  }

  private static boolean fits(Shape s, List<Dim> want) {
    if (!s.knownRank()) {
      return true;
    }
    if (s.rank() != want.size()) {
      return false;
    }
    for (int i = 0; i < want.size(); i++) {
      if (!Dim.compatible(s.dim(i), want.get(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks the masks of an encoder's self-attention, whose call is {@code (src, mask,
   * key_padding_mask)} ({@code src_mask} or {@code mask}, then {@code src_key_padding_mask});
   * the result is the input's shape, as {@code first} found.
   */
  static Type selfAttentionCall(Args args, Inferred first, Map<String, Type.TensorT> t, List<CallParam> call)
      throws ShapeError {
    String mask = call.get(1).name();
    String padding = call.get(2).name();
    Sequence s = sequence(t.get(call.get(0).name()).shape(), Boolean.TRUE.equals(args.value("batch_first", false)));
    checkMasks(t.get(padding), t.get(mask), padding, mask, s, s, args.dim("nhead"));
    return first.resultType();
  }

  /** The parameters of one encoder layer, in PyTorch's registration order, under {@code prefix}. */
  static void encoderLayerParams(String prefix, EncoderLayer c, Map<String, Shape> out) {
    layerParams(prefix, c, List.of("self_attn"), List.of("norm1", "norm2"), out);
  }

  /** An encoder's or decoder's layer: its attentions, feed-forward and norms under {@code prefix}. */
  static void layerParams(String prefix, EncoderLayer c, List<String> attentions, List<String> norms,
      Map<String, Shape> out) {
    for (String attention : attentions) {
      attentionParams(prefix + attention + ".", c.dModel(), true, out);
    }
    out.put(prefix + "linear1.weight", new Shape(List.of(c.ff(), c.dModel())));
    out.put(prefix + "linear1.bias", new Shape(List.of(c.ff())));
    out.put(prefix + "linear2.weight", new Shape(List.of(c.dModel(), c.ff())));
    out.put(prefix + "linear2.bias", new Shape(List.of(c.dModel())));
    for (String norm : norms) {
      out.put(prefix + norm + ".weight", new Shape(List.of(c.dModel())));
      out.put(prefix + norm + ".bias", new Shape(List.of(c.dModel())));
    }
  }

  /** The lines inside {@code MultiheadAttention(...)}: its output projection. */
  static String attentionRepr(Dim e, boolean bias) {
    return "(out_proj): NonDynamicallyQuantizableLinear(in_features=" + e + ", out_features=" + e
        + ", bias=" + PyRepr.bool(bias) + ")";
  }

  /** The lines inside {@code TransformerEncoderLayer(...)}, as PyTorch prints them. */
  static String encoderLayerRepr(EncoderLayer c) {
    return layerRepr(c, 0);
  }

  /**
   * The lines inside {@code TransformerEncoderLayer(...)} ({@code crossAttentions} 0) or
   * {@code TransformerDecoderLayer(...)} (1: {@code multihead_attn} and a third norm).
   */
  static String layerRepr(EncoderLayer c, int crossAttentions) {
    String dropout = "Dropout(p=" + PyRepr.floatRepr(c.dropout()) + ", inplace=False)";
    List<String> lines = new ArrayList<>();
    List<String> attentions = crossAttentions == 0 ? List.of("self_attn") : List.of("self_attn", "multihead_attn");
    for (String a : attentions) {
      lines.add("(" + a + "): MultiheadAttention(");
      lines.add("  " + attentionRepr(c.dModel(), true));
      lines.add(")");
    }
    lines.add("(linear1): Linear(in_features=" + c.dModel() + ", out_features=" + c.ff() + ", bias=True)");
    lines.add("(dropout): " + dropout);
    lines.add("(linear2): Linear(in_features=" + c.ff() + ", out_features=" + c.dModel() + ", bias=True)");
    int blocks = attentions.size() + 1;
    for (int i = 1; i <= blocks; i++) {
      lines.add("(norm" + i + "): " + normRepr(c));
    }
    for (int i = 1; i <= blocks; i++) {
      lines.add("(dropout" + i + "): " + dropout);
    }
    return String.join("\n", lines);
  }

  /** {@code LayerNorm((d_model,), eps=..., elementwise_affine=True)}. */
  static String normRepr(EncoderLayer c) {
    return "LayerNorm((" + c.dModel() + ",), eps=" + PyRepr.floatRepr(c.eps()) + ", elementwise_affine=True)";
  }

  /** {@code new TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, ...)}. */
  static CodeBlock encoderLayer(LayerKind.Names names) {
    return layer(names, "TransformerEncoderLayer");
  }

  /** {@code new <runtimeClass>(d_model, nhead, dim_feedforward, dropout, ...)}. */
  static CodeBlock layer(LayerKind.Names names, String runtimeClass) {
    ClassName layer = ClassName.get(LayerKind.RUNTIME_PACKAGE, runtimeClass);
    return CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L, $L)", layer, names.value("d_model"),
        names.value("nhead"), or(names, "dim_feedforward", "2048"), or(names, "dropout", "0.1"),
        names.has("activation") ? names.value("activation") : CodeBlock.of("$S", "relu"),
        or(names, "layer_norm_eps", "1e-5"), or(names, "batch_first", "false"), or(names, "norm_first", "false"));
  }

  /** The argument as Java, or the literal default. */
  static CodeBlock or(LayerKind.Names names, String arg, String literal) {
    return names.has(arg) ? names.value(arg) : CodeBlock.of("$L", literal);
  }

  /** Multiply-adds of one self-attention over a known {@code (..., L, E)} input, or -1. */
  static long attentionFlops(Shape in, Dim e) {
    if (in.numel() < 0 || !(e instanceof Dim.Known k) || !in.knownRank()) {
      return -1;
    }
    long tokens = in.numel() / k.size();
    long l = in.dim(in.rank() == 3 ? 1 : 0).size();
    return 2 * tokens * (4L * k.size() * k.size() + 2L * l * k.size());
  }
}
