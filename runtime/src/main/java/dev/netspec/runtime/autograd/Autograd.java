package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The autograd side of {@link Tensor}: {@code requires_grad}, {@code .grad}, {@code grad_fn},
 * {@code backward()}, and the test every differentiable operation makes before recording
 * ({@link #isRecording}). Tensor's methods of those names call these.
 */
public final class Autograd {
  private Autograd() {}

  /**
   * Whether an operation on {@code inputs} must record itself: recording is on in this
   * thread ({@link GradMode}) and some input requires a gradient. Null inputs are skipped.
   * Costs a field read per input when nothing requires a gradient (the thread's mode is read
   * only when one does).
   */
  public static boolean isRecording(Tensor... inputs) {
    for (Tensor t : inputs) {
      if (t != null && requiresGrad(t)) {
        return GradMode.isEnabled();
      }
    }
    return false;
  }

  /** {@code isRecording(a)} without the array. */
  public static boolean isRecording(Tensor a) {
    return requiresGrad(a) && GradMode.isEnabled();
  }

  /** {@code isRecording(a, b)} without the array. */
  public static boolean isRecording(Tensor a, Tensor b) {
    return (requiresGrad(a) || b != null && requiresGrad(b)) && GradMode.isEnabled();
  }

  /**
   * Records a one-input operation {@code out = op(input)} when recording is on and
   * {@code input} requires a gradient: the node {@code name} returns {@code
   * backward.apply(gradOutput)} as the input's gradient. For operations whose backward reads
   * no tensor that could be edited in place meanwhile (views, reshapes, sums); others subclass
   * {@link Node} and {@link Node#save} what they read. Returns {@code out}.
   */
  public static Tensor recordUnary(String name, Tensor input, Tensor out,
      UnaryOperator<Tensor> backward) {
    if (isRecording(input)) {
      new Node(name, input) {
        @Override
        protected Tensor[] backward(Tensor[] gradOutputs) {
          return new Tensor[] {backward.apply(gradOutputs[0])};
        }
      }.record(out);
    }
    return out;
  }

  /**
   * The backward of an operation recorded by {@link #record}: the gradient of each input
   * (null for one that needs none) from the output's gradient {@code g} and the tensors the
   * operation saved, in the order it saved them (each checked against in-place edits).
   */
  @FunctionalInterface
  public interface Backward {
    Tensor[] apply(Tensor g, Tensor[] saved);
  }

  /**
   * Records {@code out = op(inputs)} as the node {@code name} when recording is on and some
   * input requires a gradient; {@code saved} are the tensors {@code backward} reads (guarded
   * by their versions). Returns {@code out}. Saving and the node cost nothing otherwise.
   */
  public static Tensor record(String name, Tensor out, Tensor[] inputs, Tensor[] saved,
      Backward backward) {
    if (isRecording(inputs)) {
      new Node(name, inputs) {
        private final SavedTensor[] kept = saveAll(saved);

        @Override
        protected Tensor[] backward(Tensor[] gradOutputs) {
          Tensor[] values = new Tensor[kept.length];
          for (int i = 0; i < kept.length; i++) {
            values[i] = kept[i] == null ? null : kept[i].get();
          }
          return backward.apply(gradOutputs[0], values);
        }
      }.record(out);
    }
    return out;
  }

  /**
   * Records an operation of one input and several outputs ({@code split}, {@code chunk}): the
   * input's gradient is {@code backward} of the outputs' gradients, null for an output no
   * later operation used. Returns {@code outs}.
   */
  public static List<Tensor> recordOutputs(String name, Tensor input, List<Tensor> outs,
      Function<Tensor[], Tensor> backward) {
    if (isRecording(input)) {
      new Node(name, input) {
        @Override
        protected Tensor[] backward(Tensor[] gradOutputs) {
          return new Tensor[] {backward.apply(gradOutputs)};
        }
      }.record(outs.toArray(new Tensor[0]));
    }
    return outs;
  }

  /**
   * Refuses an in-place edit of a leaf that requires a gradient while recording, as PyTorch
   * does (its gradient would be of values that no longer exist). A parameter's values ({@code
   * param.data}) may be edited; so may anything under {@link GradMode#noGrad}.
   */
  public static void checkInPlace(Tensor t) {
    AutogradMeta m = t.autogradMeta();
    if (m != null && m.requiresGrad && m.gradFn == null && m.sink == null
        && GradMode.isEnabled()) {
      throw new IllegalStateException(
          "a leaf Variable that requires grad is being used in an in-place operation.");
    }
  }

  /** {@code t.requires_grad}. */
  public static boolean requiresGrad(Tensor t) {
    AutogradMeta m = t.autogradMeta();
    return m != null && m.requiresGrad();
  }

  /** {@code t.requires_grad_(flag)}: only on leaves, only for float32. */
  public static void setRequiresGrad(Tensor t, boolean flag) {
    AutogradMeta m = t.autogradMeta();
    if (m != null && m.gradFn != null) {
      throw new IllegalStateException("you can only change requires_grad flags of leaf"
          + " variables (this tensor is the result of " + m.gradFn.name() + "); use detach()");
    }
    if (flag && t.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException(
          "only tensors of floating point dtype can require gradients, got " + t.dtype());
    }
    if (m != null && m.sink != null) {
      throw new IllegalStateException("this tensor holds a parameter's values: set"
          + " requires_grad on the parameter (Parameter.requiresGrad(boolean))");
    }
    if (m == null) {
      if (!flag) {
        return;
      }
      m = new AutogradMeta();
      t.autogradMeta(m);
    }
    m.requiresGrad = flag;
  }

  /** {@code t.grad}: the accumulated gradient of a leaf, or null. */
  public static Tensor grad(Tensor t) {
    AutogradMeta m = t.autogradMeta();
    if (m == null) {
      return null;
    }
    return m.sink != null ? m.sink.grad() : m.grad;
  }

  /** Sets or clears ({@code null}) a leaf's gradient ({@code t.grad = g}). */
  public static void setGrad(Tensor t, Tensor grad) {
    AutogradMeta m = t.autogradMeta();
    if (m == null || m.sink != null) {
      throw new IllegalStateException(m == null ? "this tensor does not require grad"
          : "this tensor holds a parameter's values: use Parameter.setGrad");
    }
    m.grad = grad;
  }

  /** {@code t.grad_fn}: the node that computed {@code t}, or null for a leaf. */
  public static Node gradFn(Tensor t) {
    AutogradMeta m = t.autogradMeta();
    return m == null ? null : m.gradFn;
  }

  /**
   * {@code t.backward(gradient)}: accumulates d(sum(t * gradient))/d leaf into every leaf
   * that requires a gradient; {@code gradient} may be null for a one-element {@code t}.
   */
  public static void backward(Tensor t, Tensor gradient) {
    Engine.backward(t, gradient);
  }

  /**
   * {@code torch.autograd.backward(tensors, grad_tensors)}: accumulates d(sum_i sum(tensors[i]
   * * gradients[i]))/d leaf into every leaf that requires a gradient, in one pass over the
   * graph (a node several of the tensors depend on runs once). Every tensor must require a
   * gradient; a null gradient stands for ones of a one-element tensor.
   */
  public static void backward(Tensor[] tensors, Tensor[] gradients) {
    Engine.backward(tensors, gradients);
  }

  /**
   * Makes {@code sink} the owner of the gradient of {@code values}, a parameter's tensor
   * (see {@link GradSink}). {@link dev.netspec.runtime.nn.Parameter} calls it.
   */
  public static void bind(Tensor values, GradSink sink) {
    AutogradMeta m = values.autogradMeta();
    if (m != null && m.gradFn != null) {
      throw new IllegalArgumentException("a parameter's values must be a leaf tensor, this one"
          + " is the result of " + m.gradFn.name() + "; pass detach()");
    }
    m = new AutogradMeta();
    m.sink = sink;
    values.autogradMeta(m);
  }

  /**
   * What PyTorch appends when it prints {@code t}: {@code ", grad_fn=<AddmmBackward0>"} for a
   * recorded result, {@code ", requires_grad=True"} for a leaf that requires a gradient.
   * A parameter's values print as PyTorch prints {@code param.data}, without a suffix (the
   * parameter itself prints {@code requires_grad=True}).
   */
  public static String printSuffix(Tensor t) {
    AutogradMeta m = t.autogradMeta();
    if (m == null || m.sink != null) {
      return "";
    }
    if (m.gradFn != null) {
      return ", grad_fn=<" + m.gradFn.name() + ">";
    }
    return m.requiresGrad() ? ", requires_grad=True" : "";
  }
}
