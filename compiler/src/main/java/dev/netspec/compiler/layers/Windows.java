package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The geometry shared by convolutions and poolings: the input's rank, its spatial dims and
 * the output size of a sliding window, PyTorch's
 * {@code floor((L + pad - dilation*(kernel - 1) - 1) / stride) + 1}.
 */
final class Windows {
  private Windows() {}

  /** The names of {@code n} spatial dims in messages. */
  static List<String> spatialNames(int n) {
    return n == 1 ? List.of("length") : n == 2 ? List.of("height", "width") : List.of("depth", "height", "width");
  }

  /** Checks a rank of {@code spatial + 1} (unbatched) or {@code spatial + 2}; returns whether batched. */
  static boolean batched(Shape in, int spatial) throws ShapeError {
    if (in.rank() != spatial + 1 && in.rank() != spatial + 2) {
      throw new ShapeError("expects a " + (spatial + 1) + "-dim (unbatched) or " + (spatial + 2)
          + "-dim (batched) input, got " + in);
    }
    return in.rank() == spatial + 2;
  }

  /**
   * The output size along one dim. {@code pad} is the padding on both sides together. With
   * {@code ceil}, PyTorch's pooling rule: the last window must start inside the input or its
   * left padding ({@code left}); where that depends on a symbolic size the result is lazy.
   */
  static Dim outSize(Dim in, int kernel, int pad, int left, int stride, int dilation, boolean ceil) {
    return outSize(in, kernel, pad, left, stride, null, dilation, ceil);
  }

  /**
   * {@link #outSize(Dim, int, int, int, int, int, boolean)} where the stride may be a block
   * argument not known here ({@code stride: stride} in the generic instantiation): {@code
   * strideArg} is its symbol (null: none), and without {@code ceil} the size is the expression
   * over it, {@code (height - 1) / stride + 1}, so the generated code can size a buffer by it.
   */
  static Dim outSize(Dim in, int kernel, int pad, int left, int stride, Dim strideArg, int dilation,
      boolean ceil) {
    if (stride == Args.UNKNOWN && strideArg instanceof Dim.Sym && !ceil && dilation != Args.UNKNOWN
        && left != Args.UNKNOWN) {
      int span = dilation * (kernel - 1) + 1;
      return Dim.plus(Dim.floorDiv(Dim.plus(in, Dim.of(pad - span)), strideArg), Dim.of(1));
    }
    if (stride == Args.UNKNOWN || dilation == Args.UNKNOWN || left == Args.UNKNOWN) {
      return new Dim.Sym("?"); // a window argument of the generic instantiation: known per use
    }
    int span = dilation * (kernel - 1) + 1;
    Dim num = Dim.plus(in, Dim.of(pad - span + (ceil ? stride - 1 : 0)));
    Dim out = Dim.plus(Dim.floorDiv(num, stride), Dim.of(1));
    if (ceil) {
      if (in instanceof Dim.Known k) {
        return (out.size() - 1L) * stride >= k.size() + left ? Dim.of(out.size() - 1) : out;
      }
      // (out - 1) * stride < in + left always holds when stride <= span - left.
      return stride + left <= span ? out : new Dim.Sym("?");
    }
    return out;
  }

  /**
   * Refuses a known output size below 1: the input is too small for the window. {@code what}
   * says which window ({@code kernel_size=(7, 7), stride=(2, 2), padding=(3, 3)}).
   */
  static void checkPositive(String dimName, Dim in, Dim out, String what) throws ShapeError {
    if (out instanceof Dim.Known k && k.size() < 1) {
      throw new ShapeError("output " + dimName + " would be " + k.size() + " for input " + dimName + " " + in
          + " (" + what + "); the input is too small");
    }
  }

  /** Whether {@code arg} is one value (absent, an int, a block argument or a list of one). */
  static boolean scalar(LayerKind.Names names, String arg) {
    return !(names.literal(arg) instanceof List<?> l && l.size() > 1);
  }

  /**
   * An int-or-ints argument as Java: an {@code int} when {@code scalar}, else an
   * {@code int[]} of the values as given; {@code fallback} when absent.
   */
  static CodeBlock javaInts(LayerKind.Names names, String arg, int fallback, boolean scalar) {
    Object literal = names.literal(arg);
    CodeBlock one = !names.has(arg) ? CodeBlock.of("$L", fallback)
        : literal instanceof List<?> l ? CodeBlock.of("$L", ((Long) l.get(0)).intValue()) : names.value(arg);
    if (scalar) {
      return one;
    }
    if (literal instanceof List<?> list) {
      List<CodeBlock> items = new ArrayList<>();
      list.forEach(x -> items.add(CodeBlock.of("$L", ((Long) x).intValue())));
      return CodeBlock.of("new int[] {$L}", CodeBlock.join(items, ", "));
    }
    return CodeBlock.of("new int[] {$L}", one);
  }
}
