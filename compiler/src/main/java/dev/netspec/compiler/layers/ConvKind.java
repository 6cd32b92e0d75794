package dev.netspec.compiler.layers;

import static dev.netspec.compiler.layers.ArgDef.Type.BOOL;
import static dev.netspec.compiler.layers.ArgDef.Type.INT;
import static dev.netspec.compiler.layers.ArgDef.Type.INT_LIST;
import static dev.netspec.compiler.layers.ArgDef.Type.INT_LIST_OR_STRING;
import static dev.netspec.compiler.layers.ArgDef.Type.STRING;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.parse.PyRepr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code conv1d} and {@code conv2d}: PyTorch's {@code nn.Conv1d} and {@code nn.Conv2d}
 * ({@code _ConvNd}), over {@code (N, C_in, *spatial)} or unbatched {@code (C_in, *spatial)}.
 * {@code in_channels} comes from the input's channel dim when left out; each spatial output
 * is {@code (L + 2*padding - dilation*(kernel_size - 1) - 1) / stride + 1}, a compile error
 * when it is below 1 for a known input.
 */
final class ConvKind extends LayerKind {
  private static final Set<String> PADDING_MODES = Set.of("zeros", "reflect", "replicate");

  private final int spatial;
  private final InferredArg inChannels;

  ConvKind(int spatial) {
    super("conv" + spatial + "d", "Conv" + spatial + "d", null, List.of(
        ArgDef.optional("in_channels", INT, null).positive(),
        ArgDef.required("out_channels", INT).positive(),
        ArgDef.required("kernel_size", INT_LIST).positive(),
        ArgDef.optional("stride", INT_LIST, 1L).positive(),
        ArgDef.optional("padding", INT_LIST_OR_STRING, 0L),
        ArgDef.optional("dilation", INT_LIST, 1L).positive(),
        ArgDef.optional("groups", INT, 1L).positive(),
        ArgDef.optional("bias", BOOL, Boolean.TRUE),
        ArgDef.optional("padding_mode", STRING, "zeros")), List.of("weight", "bias"));
    this.spatial = spatial;
    this.inChannels = new InferredArg("in_channels", -spatial - 1, "input channels", "channel dim", false);
  }

  @Override
  public List<InferredArg> inferredArgs() {
    return List.of(inChannels);
  }

  /**
   * {@code input: [batch, 28, 28]} for a conv2d, PyTorch's unbatched {@code (C, H, W)}: its
   * first dim would be the channels, so the channel dim is missing after {@code batch}.
   */
  private String noChannelDim(Shape in, Dim channels) {
    List<Dim> meant = new ArrayList<>(in.dims());
    meant.add(1, channels);
    String letters = spatial == 1 ? "L" : "H, W";
    return "expects (N, C, " + letters + ") or unbatched (C, " + letters + "), got " + in
        + ", whose first dim 'batch' would be read as the channels; add the channel dim after 'batch', as in "
        + new Shape(meant);
  }

  /** The checked window arguments of one use. */
  private record Window(int[] kernel, int[] stride, int[] padding, String paddingString, int[] dilation,
      int groups, String mode) {
    /** The padding before each spatial dim and both sides together ({@code same} pads one more after). */
    int before(int i) {
      return paddingString == null ? padding[i] : paddingString.equals("same") ? dilation[i] * (kernel[i] - 1) / 2 : 0;
    }

    int total(int i) {
      return paddingString == null ? 2 * padding[i] : paddingString.equals("same") ? dilation[i] * (kernel[i] - 1) : 0;
    }
  }

  private Window window(Args args, Context ctx) throws ShapeError {
    int[] kernel = args.ints("kernel_size", spatial, 1);
    int[] stride = args.windowInts("stride", spatial, 1);
    int[] dilation = args.windowInts("dilation", spatial, 1);
    Object p = args.value("padding", 0L);
    String paddingString = p instanceof String s ? s : null;
    int[] padding = paddingString == null ? args.windowInts("padding", spatial, 0) : null;
    if (paddingString != null && !paddingString.equals("same") && !paddingString.equals("valid")) {
      ctx.error("padding", "padding must be an int, a list of ints, 'same' or 'valid', got '" + paddingString + "'");
    } else if ("same".equals(paddingString) && Arrays.stream(stride).anyMatch(s -> s != 1 && s != Args.UNKNOWN)) {
      ctx.error("padding", "padding='same' is not supported for strided convolutions");
    } else if (padding != null && Arrays.stream(padding).anyMatch(x -> x < 0 && x != Args.UNKNOWN)) {
      ctx.error("padding", "negative padding is not supported, got " + PyRepr.tuple(padding));
    }
    String mode = String.valueOf(args.value("padding_mode", "zeros"));
    if (!PADDING_MODES.contains(mode)) {
      ctx.error("padding_mode", "padding_mode must be 'zeros', 'reflect' or 'replicate', got '" + mode + "'"
          + (mode.equals("circular") ? " (netspec has no circular padding yet)" : ""));
    }
    long groups = args.known("groups", 1L);
    return new Window(kernel, stride, padding, paddingString, dilation, (int) groups, mode);
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    Window w = window(args, ctx);
    boolean batched = in.knownRank() && Windows.batched(in, spatial);
    if (!batched && in.knownRank() && in.dim(0) instanceof Dim.Sym s && s.name().equals("batch")) {
      throw new ShapeError(noChannelDim(in, args.has("in_channels") ? args.dim("in_channels") : Dim.of(1)));
    }
    Dim inC = inferArg(inChannels, args, in, ctx);
    Dim outC = args.dim("out_channels");
    for (Dim c : List.of(inC, outC)) {
      if (c instanceof Dim.Known k && k.size() % w.groups() != 0) {
        throw new ShapeError((c == inC ? "in_channels " : "out_channels ") + k.size()
            + " must be divisible by groups " + w.groups());
      }
    }
    Shape out = Shape.ANY;
    long flops = -1;
    if (in.knownRank()) {
      List<Dim> dims = new ArrayList<>();
      if (batched) {
        dims.add(in.dim(0));
      }
      dims.add(outC);
      Dim positions = Dim.of(1);
      List<String> names = Windows.spatialNames(spatial);
      for (int i = 0; i < spatial; i++) {
        Dim l = in.dim(in.rank() - spatial + i);
        Dim o = Windows.outSize(l, w.kernel()[i], w.total(i), w.before(i), w.stride()[i], strideArg(args),
            w.dilation()[i], false);
        Windows.checkPositive(names.get(i), l, o, windowRepr(w, args));
        if (!w.mode().equals("zeros") && l instanceof Dim.Known k && w.before(i) >= k.size()) {
          throw new ShapeError(w.mode() + " padding " + w.before(i) + " must be less than the input "
              + names.get(i) + " " + k.size());
        }
        dims.add(o);
        positions = Dim.times(positions, o);
      }
      out = new Shape(dims);
      long taps = Arrays.stream(w.kernel()).asLongStream().reduce(1, (a, b) -> a * b);
      Dim n = batched ? in.dim(0) : Dim.of(1);
      if (n instanceof Dim.Known nk && positions instanceof Dim.Known pk && inC instanceof Dim.Known ik
          && outC instanceof Dim.Known ok) {
        flops = 2L * nk.size() * pk.size() * ok.size() * (ik.size() / w.groups()) * taps;
      }
    } else {
      flops = 0;
    }
    Map<String, Shape> params = new LinkedHashMap<>();
    List<Dim> weight = new ArrayList<>(List.of(outC, Dim.floorDiv(inC, w.groups())));
    for (int k : w.kernel()) {
      weight.add(Dim.of(k));
    }
    params.put("weight", new Shape(weight));
    boolean bias = args.bool("bias", true);
    if (bias) {
      params.put("bias", new Shape(List.of(outC)));
    }
    String repr = inC + ", " + outC + ", " + windowRepr(w, args) + (w.groups() != 1 ? ", groups=" + w.groups() : "")
        + (bias ? "" : ", bias=False") + (w.mode().equals("zeros") ? "" : ", padding_mode=" + w.mode());
    return new Inferred(out, runtimeClass(), repr, params, Map.of(), Map.of(inChannels.name(), inC), flops);
  }

  /** The runtime's {@code ConvNd.forwardInto(x, act, out)}: a ReLU after it runs in the GEMM's epilogue. */
  @Override
  public boolean fusesActivation() {
    return true;
  }

  /** A batch norm of the same spatial rank: {@code ConvNd.forwardInto(x, BatchNorm, act, add, out)}. */
  @Override
  public boolean absorbsNorm(LayerKind norm) {
    return norm instanceof BatchNormKind b && b.spatial() == spatial;
  }

  @Override
  public boolean fusesResidual() {
    return true;
  }

  /**
   * {@code conv.forwardInto(x, bn, Activation.RELU, identity, out)} with a batch norm (folded in
   * eval mode, run apart in training mode), else {@code conv.forwardInto(x, act, add, out)}.
   */
  @Override
  public CodeBlock epilogueInto(CodeBlock layer, CodeBlock in, CodeBlock norm, String activation, CodeBlock add,
      CodeBlock out) {
    CodeBlock act = CodeBlock.of("$T.$N", ACTIVATION, activation == null ? "NONE" : activation);
    CodeBlock residual = add == null ? CodeBlock.of("null") : add;
    if (norm != null) {
      return CodeBlock.of("$L.forwardInto($L, $L, $L, $L, $L)", layer, in, norm, act, residual, out);
    }
    return add == null ? CodeBlock.of("$L.forwardInto($L, $L, $L)", layer, in, act, out)
        : CodeBlock.of("$L.forwardInto($L, $L, $L, $L)", layer, in, act, residual, out);
  }

  /** The symbol of a {@code stride} that is one block argument ({@code stride: stride}), or null. */
  private static Dim strideArg(Args args) {
    return args.has("stride") && !(args.value("stride", null) instanceof List<?>) ? args.dim("stride") : null;
  }

  /**
   * {@code _ConvNd.extra_repr}'s window part: {@code kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)};
   * a block argument not known here (the generic instantiation) shows as its name.
   */
  private static String windowRepr(Window w, Args args) {
    String s = "kernel_size=" + PyRepr.tuple(w.kernel()) + ", stride=" + tuple(w.stride(), "stride", args);
    if (w.paddingString() != null) {
      s += ", padding=" + w.paddingString();
    } else if (Arrays.stream(w.padding()).anyMatch(p -> p != 0)) {
      s += ", padding=" + tuple(w.padding(), "padding", args);
    }
    if (Arrays.stream(w.dilation()).anyMatch(d -> d != 1)) {
      s += ", dilation=" + tuple(w.dilation(), "dilation", args);
    }
    return s;
  }

  private static String tuple(int[] values, String arg, Args args) {
    return Arrays.stream(values).anyMatch(v -> v == Args.UNKNOWN) ? String.valueOf(args.value(arg, null))
        : PyRepr.tuple(values);
  }

  /**
   * The shortest runtime constructor that says it all: {@code new Conv2d(3, 64, 3)},
   * {@code new Conv2d(3, 64, 7, 2, 3)}, the scalar form with every argument, or the
   * {@code int[]} form for pairs and {@code padding: same}.
   */
  @Override
  public CodeBlock construct(Names names) {
    CodeBlock in = names.inferredValue(inChannels);
    if (in == null) {
      return CodeBlock.of("null");
    }
    ClassName cls = javaClass(names.inferred());
    CodeBlock out = names.value("out_channels");
    boolean paddingString = names.literal("padding") instanceof String;
    boolean scalars = Windows.scalar(names, "kernel_size") && Windows.scalar(names, "stride") && Windows.scalar(names, "dilation")
        && (paddingString ? spatial == 1 : Windows.scalar(names, "padding"));
    boolean plain = !names.has("dilation") && !names.has("groups") && !names.has("padding_mode")
        && (!names.has("bias") || Boolean.TRUE.equals(names.literal("bias"))) && !paddingString;
    CodeBlock k = Windows.javaInts(names, "kernel_size", 1, scalars);
    if (scalars && plain && !names.has("stride") && !names.has("padding")) {
      return CodeBlock.of("new $T($L, $L, $L)", cls, in, out, k);
    }
    CodeBlock s = Windows.javaInts(names, "stride", 1, scalars);
    CodeBlock p = paddingString ? names.value("padding") : Windows.javaInts(names, "padding", 0, scalars);
    if (scalars && plain) {
      return CodeBlock.of("new $T($L, $L, $L, $L, $L)", cls, in, out, k, s, p);
    }
    return CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L)", cls, in, out, k, s, p,
        Windows.javaInts(names, "dilation", 1, scalars), names.has("groups") ? names.value("groups") : CodeBlock.of("1"),
        names.has("bias") ? names.value("bias") : CodeBlock.of("true"),
        names.has("padding_mode") ? names.value("padding_mode") : CodeBlock.of("$S", "zeros"));
  }
}
