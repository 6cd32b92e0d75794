package dev.netspec.compiler.layers;

import static dev.netspec.compiler.layers.ArgDef.Type.BOOL;
import static dev.netspec.compiler.layers.ArgDef.Type.INT_LIST;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.parse.PyRepr;
import java.util.Arrays;
import java.util.List;

/**
 * {@code max_pool1d}, {@code max_pool2d}, {@code avg_pool1d} and {@code avg_pool2d}:
 * PyTorch's {@code nn.MaxPool1d} ... {@code nn.AvgPool2d} over {@code (N, C, *spatial)} or
 * {@code (C, *spatial)}. {@code stride} defaults to {@code kernel_size}; each spatial output
 * is {@code (L + 2*padding - dilation*(kernel_size - 1) - 1) / stride + 1}, rounded up with
 * {@code ceil_mode}. The short form is the kernel: {@code {max_pool2d: 2}}.
 */
final class PoolKind extends LayerKind {
  private final boolean max;
  private final int spatial;

  PoolKind(boolean max, int spatial) {
    super((max ? "max" : "avg") + "_pool" + spatial + "d", (max ? "MaxPool" : "AvgPool") + spatial + "d",
        "kernel_size", max ? List.of(
            ArgDef.required("kernel_size", INT_LIST).positive(),
            ArgDef.optional("stride", INT_LIST, null).positive(),
            ArgDef.optional("padding", INT_LIST, 0L),
            ArgDef.optional("dilation", INT_LIST, 1L).positive(),
            ArgDef.optional("ceil_mode", BOOL, Boolean.FALSE))
            : List.of(
            ArgDef.required("kernel_size", INT_LIST).positive(),
            ArgDef.optional("stride", INT_LIST, null).positive(),
            ArgDef.optional("padding", INT_LIST, 0L),
            ArgDef.optional("ceil_mode", BOOL, Boolean.FALSE),
            ArgDef.optional("count_include_pad", BOOL, Boolean.TRUE)), List.of());
    this.max = max;
    this.spatial = spatial;
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    int[] kernel = args.ints("kernel_size", spatial, 1);
    String strideArg = args.has("stride") ? "stride" : "kernel_size";
    int[] stride = args.windowInts(strideArg, spatial, 1);
    int[] padding = args.windowInts("padding", spatial, 0);
    int[] dilation = max ? args.windowInts("dilation", spatial, 1) : new int[] {1, 1, 1};
    boolean ceil = Boolean.TRUE.equals(args.value("ceil_mode", false));
    String padError = Pooling.paddingError(kernel, padding);
    if (padError != null) {
      ctx.error("padding", padError);
    }
    String repr;
    if (max) {
      repr = "kernel_size=" + given(args, "kernel_size") + ", stride=" + given(args, strideArg) + ", padding="
          + given(args, "padding") + ", dilation=" + given(args, "dilation") + ", ceil_mode=" + PyRepr.bool(ceil);
    } else if (spatial == 1) {
      repr = "kernel_size=" + PyRepr.tuple(kernel) + ", stride=" + PyRepr.tuple(stride)
          + ", padding=" + PyRepr.tuple(padding);
    } else {
      repr = "kernel_size=" + given(args, "kernel_size") + ", stride=" + given(args, strideArg)
          + ", padding=" + given(args, "padding");
    }
    if (!in.knownRank()) {
      return Inferred.of(Shape.ANY, runtimeClass(), repr, 0);
    }
    Shape out = Pooling.window(in, spatial, kernel, stride, padding, dilation, ceil, repr);
    long taps = Arrays.stream(kernel).asLongStream().reduce(1, (a, b) -> a * b);
    return Inferred.of(out, runtimeClass(), repr, Inferred.perElement(out, taps));
  }

  /** A size as the spec gave it: an int prints as an int, a list as a tuple (PyTorch's repr). */
  private static String given(Args args, String name) {
    Object v = args.value(name, name.equals("dilation") ? 1L : 0L);
    return v instanceof List<?> l && l.size() > 1 ? PyRepr.tuple(l) : String.valueOf(v instanceof List<?> l ? l.get(0) : v);
  }

  /**
   * The shortest runtime constructor: {@code new MaxPool2d(2)}, {@code new MaxPool2d(3, 2, 1)},
   * the scalar form with every argument, or (2-D only) the {@code int[]} form for pairs.
   */
  @Override
  public CodeBlock construct(Names names) {
    ClassName cls = javaClass(names.inferred());
    boolean scalars = Windows.scalar(names, "kernel_size") && Windows.scalar(names, "stride") && Windows.scalar(names, "padding")
        && Windows.scalar(names, "dilation");
    List<String> flags = max ? List.of("dilation", "ceil_mode") : List.of("ceil_mode", "count_include_pad");
    boolean plain = flags.stream().noneMatch(names::has);
    CodeBlock k = Windows.javaInts(names, "kernel_size", 0, scalars);
    CodeBlock s = names.has("stride") ? Windows.javaInts(names, "stride", 1, scalars) : scalars ? k : CodeBlock.of("null");
    CodeBlock p = Windows.javaInts(names, "padding", 0, scalars);
    if (scalars && plain) {
      return !names.has("padding") && !names.has("stride") ? CodeBlock.of("new $T($L)", cls, k)
          : !names.has("padding") ? CodeBlock.of("new $T($L, $L)", cls, k, s)
          : CodeBlock.of("new $T($L, $L, $L)", cls, k, s, p);
    }
    CodeBlock ceil = names.has("ceil_mode") ? names.value("ceil_mode") : CodeBlock.of("false");
    if (max) {
      return CodeBlock.of("new $T($L, $L, $L, $L, $L)", cls, k, s, p, Windows.javaInts(names, "dilation", 1, scalars), ceil);
    }
    CodeBlock countPad = names.has("count_include_pad") ? names.value("count_include_pad") : CodeBlock.of("true");
    return spatial == 1 ? CodeBlock.of("new $T($L, $L, $L, $L, $L)", cls, k, s, p, ceil, countPad)
        : CodeBlock.of("new $T($L, $L, $L, $L, $L, null)", cls, k, s, p, ceil, countPad);
  }
}
