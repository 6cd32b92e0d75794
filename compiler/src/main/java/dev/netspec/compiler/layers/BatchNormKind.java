package dev.netspec.compiler.layers;

import static dev.netspec.compiler.layers.ArgDef.Type.BOOL;
import static dev.netspec.compiler.layers.ArgDef.Type.FLOAT;
import static dev.netspec.compiler.layers.ArgDef.Type.INT;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.parse.PyRepr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code batch_norm1d} and {@code batch_norm2d}: PyTorch's {@code nn.BatchNorm1d} over
 * {@code (N, C)} or {@code (N, C, L)} and {@code nn.BatchNorm2d} over {@code (N, C, H, W)};
 * {@code num_features} comes from dim 1 when left out. State: {@code weight}, {@code bias}
 * (with {@code affine}) and the buffers {@code running_mean}, {@code running_var},
 * {@code num_batches_tracked} (with {@code track_running_stats}).
 */
final class BatchNormKind extends LayerKind {
  private static final InferredArg FEATURES = new InferredArg("num_features", 1, "features", "channel dim", false);

  private final int spatial;

  BatchNormKind(int spatial) {
    super("batch_norm" + spatial + "d", "BatchNorm" + spatial + "d", "num_features", List.of(
        ArgDef.optional("num_features", INT, null).positive(),
        ArgDef.optional("eps", FLOAT, 1e-5),
        ArgDef.optional("momentum", FLOAT, 0.1),
        ArgDef.optional("affine", BOOL, Boolean.TRUE),
        ArgDef.optional("track_running_stats", BOOL, Boolean.TRUE)), List.of("weight", "bias"));
    this.spatial = spatial;
  }

  @Override
  public String outOfRange(String arg, Object value) {
    return NormArgs.outOfRange(arg, value);
  }

  /** 1 or 2: the spatial rank of the convolution it folds into. */
  int spatial() {
    return spatial;
  }

  @Override
  public List<InferredArg> inferredArgs() {
    return List.of(FEATURES);
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    if (in.knownRank()) {
      boolean fits = spatial == 1 ? in.rank() == 2 || in.rank() == 3 : in.rank() == 4;
      if (!fits) {
        throw new ShapeError("expects a " + (spatial == 1 ? "2-dim or 3-dim" : "4-dim") + " input, got " + in);
      }
    }
    Dim c = inferArg(FEATURES, args, in, ctx);
    boolean affine = args.bool("affine", true);
    boolean track = args.bool("track_running_stats", true);
    Map<String, Shape> params = new LinkedHashMap<>();
    Map<String, Shape> buffers = new LinkedHashMap<>();
    Shape perChannel = new Shape(List.of(c));
    if (affine) {
      params.put("weight", perChannel);
      params.put("bias", perChannel);
    }
    if (track) {
      buffers.put("running_mean", perChannel);
      buffers.put("running_var", perChannel);
      buffers.put("num_batches_tracked", Shape.SCALAR);
    }
    String repr = c + ", eps=" + PyRepr.floatRepr(args.value("eps", 1e-5)) + ", momentum="
        + PyRepr.floatRepr(args.value("momentum", 0.1)) + ", affine=" + PyRepr.bool(affine)
        + ", track_running_stats=" + PyRepr.bool(track);
    return new Inferred(in, runtimeClass(), repr, params, buffers, Map.of(FEATURES.name(), c),
        Inferred.perElement(in, 2));
  }

  @Override
  public CodeBlock construct(Names names) {
    CodeBlock c = names.inferredValue(FEATURES);
    if (c == null) {
      return CodeBlock.of("null");
    }
    if (!names.has("eps") && !names.has("momentum") && !names.has("affine") && !names.has("track_running_stats")) {
      return CodeBlock.of("new $T($L)", javaClass(names.inferred()), c);
    }
    return CodeBlock.of("new $T($L, $L, $L, $L, $L)", javaClass(names.inferred()), c,
        names.has("eps") ? names.value("eps") : CodeBlock.of("1e-5"),
        names.has("momentum") ? names.value("momentum") : CodeBlock.of("0.1"),
        names.has("affine") ? names.value("affine") : CodeBlock.of("true"),
        names.has("track_running_stats") ? names.value("track_running_stats") : CodeBlock.of("true"));
  }
}
