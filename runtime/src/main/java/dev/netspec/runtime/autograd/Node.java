package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;

/**
 * One recorded operation of the graph a backward pass walks (PyTorch's {@code grad_fn}, named
 * as PyTorch names it: {@code AddmmBackward0}, {@code SumBackward0}, ...). An operation that
 * supports gradients does, after computing its result {@code out} from inputs {@code a, b}:
 *
 * <pre>{@code
 * if (Autograd.isRecording(a, b)) {
 *   new MulBackward0(a, b).record(out);   // the node saves what its backward reads
 * }
 * }</pre>
 *
 * <p>{@link #backward} receives the gradient of each output (null for an output of a
 * several-output node that no later operation used) and returns the gradient of each input,
 * in the order the inputs were given to the constructor, each shaped as its input (null where
 * {@link #needsInputGrad} is false, or for an input such as an absent bias). It runs with
 * recording off, must not edit its arguments, and reads saved tensors through {@link
 * SavedTensor#get}, which refuses a tensor edited in place since it was saved. The derivative
 * kernels it calls live beside it in this package ({@code LinearGrad}, {@code ConvGrad}, ...).
 */
public abstract class Node {
  private final String name;
  private final Edge[] next;
  private int outputs;

  /**
   * A node named {@code name} (PyTorch's class name of the backward, e.g. {@code
   * "AddmmBackward0"}) for an operation on {@code inputs} (null entries allowed: an absent
   * optional input).
   */
  protected Node(String name, Tensor... inputs) {
    this.name = name;
    this.next = new Edge[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      next[i] = Edge.of(inputs[i]);
    }
  }

  /** PyTorch's name of this backward ({@code type(y.grad_fn).__name__}). */
  public final String name() {
    return name;
  }

  /** Whether input {@code i} needs a gradient (it requires grad, directly or through its graph). */
  public final boolean needsInputGrad(int i) {
    return next[i] != null;
  }

  /** The number of inputs. */
  public final int numInputs() {
    return next.length;
  }

  /** The number of outputs {@link #record} gave this node. */
  public final int numOutputs() {
    return outputs;
  }

  /** The node an input's gradient flows to, or null: for graph walks and printing. */
  public final Node nextFunction(int input) {
    return next[input] == null ? null : next[input].node();
  }

  /** Keeps {@code t} (null allowed) for the backward, guarded against later in-place edits. */
  protected final SavedTensor save(Tensor t) {
    return t == null ? null : new SavedTensor(t, name);
  }

  /** {@link #save} of each tensor (null entries stay null). */
  protected final SavedTensor[] saveAll(Tensor... tensors) {
    SavedTensor[] out = new SavedTensor[tensors.length];
    for (int i = 0; i < tensors.length; i++) {
      out[i] = save(tensors[i]);
    }
    return out;
  }

  /**
   * Makes this node the {@code grad_fn} of {@code outs} (output {@code i} is {@code outs[i]})
   * and returns {@code outs[0]}. Call it once, on fresh results.
   */
  public final Tensor record(Tensor... outs) {
    if (outputs != 0) {
      throw new IllegalStateException(name + " is already recorded");
    }
    outputs = outs.length;
    for (int i = 0; i < outs.length; i++) {
      if (outs[i] != null) {
        AutogradMeta m = new AutogradMeta();
        m.gradFn = this;
        m.outputNr = i;
        outs[i].autogradMeta(m);
      }
    }
    return outs.length == 0 ? null : outs[0];
  }

  /**
   * The gradients of the inputs given those of the outputs; see the class comment.
   *
   * @param gradOutputs one per output, null for an output that received no gradient
   */
  protected abstract Tensor[] backward(Tensor[] gradOutputs);

  final Edge edge(int input) {
    return next[input];
  }

  @Override
  public String toString() {
    return "<" + name + ">";
  }

  /** Where an input's gradient goes: output {@code input} of {@code node}, of shape {@code shape}. */
  record Edge(Node node, int input, int[] shape) {
    static Edge of(Tensor t) {
      if (t == null) {
        return null;
      }
      AutogradMeta m = t.autogradMeta();
      if (m == null || !m.requiresGrad()) {
        return null;
      }
      if (m.gradFn != null) {
        return new Edge(m.gradFn, m.outputNr, t.shape());
      }
      if (m.accumulator == null) {
        m.accumulator = new AccumulateGrad(m);
      }
      return new Edge(m.accumulator, 0, t.shape());
    }
  }
}
