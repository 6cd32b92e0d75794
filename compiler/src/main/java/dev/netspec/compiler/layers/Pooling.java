package dev.netspec.compiler.layers;

import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape rules of pooling, shared by the layers ({@code {max_pool2d: 2}}) and the forward
 * functions ({@code max_pool2d(x, 2)}): one place for each rule.
 */
public final class Pooling {
  private Pooling() {}

  /**
   * PyTorch's refusal of a padding above half the kernel, or null when every padding is
   * fine ({@link Args#UNKNOWN} values are not checked).
   */
  public static String paddingError(int[] kernel, int[] padding) {
    for (int i = 0; i < padding.length; i++) {
      if (padding[i] != Args.UNKNOWN && (padding[i] < 0 || padding[i] > kernel[i] / 2)) {
        return "pad should be at most half of kernel size, but got pad=" + padding[i] + " and kernel_size=" + kernel[i];
      }
    }
    return null;
  }

  /**
   * The output of a sliding-window pooling over the last {@code spatial} dims of
   * {@code (N, C, *spatial)} or {@code (C, *spatial)}; {@code what} names the window in
   * messages. Refuses a known input smaller than the (dilated) kernel after padding.
   */
  public static Shape window(Shape in, int spatial, int[] kernel, int[] stride, int[] padding, int[] dilation,
      boolean ceil, String what) throws ShapeError {
    if (!in.knownRank()) {
      return Shape.ANY;
    }
    Windows.batched(in, spatial);
    List<Dim> dims = new ArrayList<>(in.dims());
    List<String> names = Windows.spatialNames(spatial);
    for (int i = 0; i < spatial; i++) {
      int d = in.rank() - spatial + i;
      Dim o = Windows.outSize(in.dim(d), kernel[i], 2 * padding[i], padding[i], stride[i], dilation[i], ceil);
      Windows.checkPositive(names.get(i), in.dim(d), o, what);
      dims.set(d, o);
    }
    return new Shape(dims);
  }

  /** The output of an adaptive pooling: the last {@code spatial} dims become {@code size}. */
  public static Shape adaptive(Shape in, int spatial, int[] size) throws ShapeError {
    if (!in.knownRank()) {
      return Shape.ANY;
    }
    Windows.batched(in, spatial);
    List<Dim> dims = new ArrayList<>(in.dims());
    for (int i = 0; i < spatial; i++) {
      dims.set(in.rank() - spatial + i, Dim.of(size[i]));
    }
    return new Shape(dims);
  }
}
