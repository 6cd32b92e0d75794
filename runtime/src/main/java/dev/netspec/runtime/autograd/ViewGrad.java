package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;
import java.util.List;

/**
 * The backward of the view and copy operations (slices, selects, transposes, reshapes,
 * expand, clone, split, cat, stack): a result's gradient goes back to the positions of the
 * input it shows, and the rest of the input gets zero. Each records the node PyTorch 1.13
 * names for the operation; none saves a tensor (they read shapes only).
 */
public final class ViewGrad {
  private ViewGrad() {}

  /** Records {@code out = input[start:end:step]} on {@code dim} ({@code SliceBackward0}). */
  public static Tensor recordSlice(Tensor input, int dim, int start, int end, int step,
      Tensor out) {
    if (!Autograd.isRecording(input)) {
      return out;
    }
    int[] shape = input.shape();
    return Autograd.recordUnary("SliceBackward0", input, out, g -> {
      Tensor grad = Tensor.zeros(shape);
      grad.slice(dim, start, end, step).copy_(g);
      return grad;
    });
  }

  /** Records {@code out = input.select(dim, index)} ({@code SelectBackward0}). */
  public static Tensor recordSelect(Tensor input, int dim, int index, Tensor out) {
    if (!Autograd.isRecording(input)) {
      return out;
    }
    int[] shape = input.shape();
    return Autograd.recordUnary("SelectBackward0", input, out, g -> {
      Tensor grad = Tensor.zeros(shape);
      grad.select(dim, index).copy_(g);
      return grad;
    });
  }

  /**
   * Records {@code out = input.transpose(dim0, dim1)} ({@code TransposeBackward0}, or {@code
   * TBackward0} for {@code t()}, as {@code name} says).
   */
  public static Tensor recordTranspose(String name, Tensor input, int dim0, int dim1,
      Tensor out) {
    return Autograd.recordUnary(name, input, out, g -> g.transpose(dim0, dim1));
  }

  /** Records {@code out = input.permute(dims)} ({@code PermuteBackward0}). */
  public static Tensor recordPermute(Tensor input, int[] dims, Tensor out) {
    if (!Autograd.isRecording(input)) {
      return out;
    }
    int[] inverse = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      inverse[Math.floorMod(dims[i], dims.length)] = i;
    }
    return Autograd.recordUnary("PermuteBackward0", input, out, g -> g.permute(inverse));
  }

  /**
   * Records an operation that keeps the elements in order and changes only the shape: {@code
   * view} ({@code ViewBackward0}), {@code reshape} and {@code flatten} ({@code
   * ReshapeAliasBackward0}, or {@code UnsafeViewBackward0} after the copy a non-contiguous
   * input needs), {@code unsqueeze} ({@code UnsqueezeBackward0}), {@code squeeze(dim)}
   * ({@code SqueezeBackward1}). The gradient is reshaped back.
   */
  public static Tensor recordReshape(String name, Tensor input, Tensor out) {
    if (!Autograd.isRecording(input)) {
      return out;
    }
    int[] shape = input.shape();
    return Autograd.recordUnary(name, input, out, g -> g.reshape(shape));
  }

  /** Records {@code out = input.expand(shape)} ({@code ExpandBackward0}): summed back. */
  public static Tensor recordExpand(Tensor input, Tensor out) {
    if (!Autograd.isRecording(input)) {
      return out;
    }
    int[] shape = input.shape();
    return Autograd.recordUnary("ExpandBackward0", input, out, g -> Grads.sumTo(g, shape));
  }

  /** Records {@code out = input.clone()} or a copying {@code contiguous()} ({@code CloneBackward0}). */
  public static Tensor recordClone(Tensor input, Tensor out) {
    return Autograd.recordUnary("CloneBackward0", input, out, g -> g);
  }

  /**
   * Records the views {@code outs} that {@code split} or {@code chunk} cut from {@code input}
   * along {@code dim} ({@code SplitBackward0}, or {@code SplitWithSizesBackward0} for explicit
   * sizes): the gradients of the parts are laid side by side, zero for an unused part.
   */
  public static List<Tensor> recordSplit(String name, Tensor input, int dim, List<Tensor> outs) {
    if (!Autograd.isRecording(input)) {
      return outs;
    }
    int[] shape = input.shape();
    int d = Math.floorMod(dim, Math.max(1, shape.length));
    int[] sizes = new int[outs.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = outs.get(i).size(d);
    }
    return Autograd.recordOutputs(name, input, outs, gs -> {
      Tensor grad = Tensor.zeros(shape);
      int at = 0;
      for (int i = 0; i < sizes.length; i++) {
        if (gs[i] != null) {
          grad.narrow(d, at, sizes[i]).copy_(gs[i]);
        }
        at += sizes[i];
      }
      return grad;
    });
  }

  /** Records {@code out = torch.cat(inputs, dim)} ({@code CatBackward0}). */
  public static Tensor recordCat(List<Tensor> inputs, int dim, Tensor out) {
    Tensor[] in = inputs.toArray(new Tensor[0]);
    int d = Math.floorMod(dim, Math.max(1, out.dim()));
    return Autograd.record("CatBackward0", out, in, new Tensor[0], (g, s) -> {
      Tensor[] grads = new Tensor[in.length];
      int at = 0;
      for (int i = 0; i < in.length; i++) {
        int n = in[i].size(d);
        grads[i] = g.narrow(d, at, n).contiguous();
        at += n;
      }
      return grads;
    });
  }

  /** Records {@code out = torch.stack(inputs, dim)} ({@code StackBackward0}). */
  public static Tensor recordStack(List<Tensor> inputs, int dim, Tensor out) {
    Tensor[] in = inputs.toArray(new Tensor[0]);
    int d = Math.floorMod(dim, out.dim());
    return Autograd.record("StackBackward0", out, in, new Tensor[0], (g, s) -> {
      Tensor[] grads = new Tensor[in.length];
      for (int i = 0; i < in.length; i++) {
        grads[i] = g.select(d, i).contiguous();
      }
      return grads;
    });
  }
}
