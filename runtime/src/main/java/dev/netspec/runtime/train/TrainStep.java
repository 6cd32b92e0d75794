package dev.netspec.runtime.train;

import dev.netspec.runtime.kernels.Activation;
import dev.netspec.runtime.loss.Loss;
import dev.netspec.runtime.nn.Dropout;
import dev.netspec.runtime.nn.Flatten;
import dev.netspec.runtime.nn.Identity;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.ReLU;
import dev.netspec.runtime.nn.Sequential;
import dev.netspec.runtime.nn.Sigmoid;
import dev.netspec.runtime.nn.Tanh;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fast path of a training step: forward, loss and backward of a {@link Sequential} model
 * (every {@code sequential:} block of a spec is one) without the tape, allocating nothing once
 * warm. The intermediates live in buffers sized once per input shape, and each parameter's
 * gradient is written into a buffer this step owns and hands to the parameter as its {@code
 * .grad}; the optimizer's step then updates the weights as after {@code loss.backward()}.
 *
 * <pre>{@code
 * TrainStep step = TrainStep.of(model, new CrossEntropyLoss());
 * SGD sgd = new SGD(model.parameters(), 0.01);
 * for (...) {
 *   sgd.zeroGrad();
 *   float loss = step.forwardBackward(x, target); // loss.backward() done: p.grad() is set
 *   sgd.step();
 * }
 * }</pre>
 *
 * <p>It applies to a Sequential whose children are, in order, any of {@link Linear}, {@link
 * ReLU} (fused into the Linear before it), {@link Tanh}, {@link Sigmoid}, {@link Flatten},
 * {@link Identity}, {@link Dropout} (its masks drawn from its own stream, as its forward draws
 * them, so a seeded run is the tape's), and nested Sequentials of these, with
 * a {@link dev.netspec.runtime.loss.CrossEntropyLoss} or {@link
 * dev.netspec.runtime.loss.MSELoss} reducing to a scalar ({@link #supports}); {@link Trainer}
 * uses it for such models and the tape for every other. The gradients are PyTorch's, as the
 * tape's are: the same formulas, the forward's products possibly summed in another order
 * than the inference kernel sums them (the last bits); a test holds both to PyTorch's.
 *
 * <p>Like {@code loss.backward()}, a gradient is added to a parameter's {@code .grad} when
 * there is one; when it is null (after {@code zeroGrad()}) it becomes this step's buffer,
 * overwritten. So a {@code .grad} tensor kept across a {@code zeroGrad()} is reused by the
 * next step; {@code clone()} it to keep it. The step computes gradients whatever the grad
 * mode and records nothing on the tape; the input needs no gradient (none is computed for
 * it).
 *
 * <p>A step serves one thread at a time (its buffers are its own): a call from a second thread
 * while one runs fails with an {@link IllegalStateException}. To train one model from several
 * threads, make one step per thread: each computes its gradients into its own buffers and
 * adds them to the parameters' {@code .grad} under each parameter's lock, as concurrent
 * {@code loss.backward()} calls do, so every thread's gradient is counted (in the threads'
 * order: the last bits may differ between runs). A {@link Dropout} draws its masks from one
 * stream, so threads sharing one draw in their order.
 */
public final class TrainStep {
  private final Module model;
  private final StepNode[] nodes;
  private final StepLoss loss;
  /** {@code needsInputGrad[i]}: whether an earlier step has parameters to train. */
  private final boolean[] needsInputGrad;
  /** The thread inside {@link #forwardBackward}, or null: a second one is refused. */
  private final AtomicReference<Thread> owner = new AtomicReference<>();
  private int[] inputShape;
  private Tensor input; // a contiguous copy of a strided input
  private Tensor h0; // the last call's input, contiguous
  private Tensor[] outputs;
  private Tensor[] grads; // grads[i]: d loss / d outputs[i]

  private TrainStep(Module model, StepNode[] nodes, StepLoss loss) {
    this.model = model;
    this.nodes = nodes;
    this.loss = loss;
    this.needsInputGrad = new boolean[nodes.length];
    boolean trainable = false;
    for (int i = 0; i < nodes.length; i++) {
      if (i > 0 && nodes[i] instanceof LinearNode linear
          && nodes[i - 1] instanceof LinearNode before) {
        linear.follows(before);
      }
      needsInputGrad[i] = trainable;
      nodes[i].inputGradNeeded(trainable);
      trainable |= nodes[i].hasTrainableParameters();
    }
  }

  /** Whether {@link #of} accepts {@code model} and {@code loss} (see the class comment). */
  public static boolean supports(Module model, Loss loss) {
    return unsupported(model, loss) == null;
  }

  /**
   * The fast step of {@code model} with {@code loss}.
   *
   * @throws IllegalArgumentException naming the first layer (or the loss) it does not cover
   */
  public static TrainStep of(Module model, Loss loss) {
    String why = unsupported(model, loss);
    if (why != null) {
      throw new IllegalArgumentException("no fast training step: " + why);
    }
    List<StepNode> nodes = new ArrayList<>();
    plan(model, nodes);
    return new TrainStep(model, nodes.toArray(new StepNode[0]), StepLoss.of(loss));
  }

  /** Why {@link #of} refuses, or null. */
  private static String unsupported(Module model, Loss loss) {
    if (StepLoss.of(loss) == null) {
      return "the loss " + loss.getClass().getSimpleName() + " (reduction "
          + loss.reduction() + ") has no fused gradient";
    }
    if (!(model instanceof Sequential seq)) {
      return model.getClass().getSimpleName() + " is not a Sequential";
    }
    List<Module> layers = new ArrayList<>();
    collect(seq, layers);
    for (Module layer : layers) {
      String why = unsupportedLayer(layer);
      if (why != null) {
        return why;
      }
    }
    if (layers.stream().noneMatch(m -> m instanceof Linear)) {
      return "the model has no Linear layer";
    }
    return null;
  }

  private static String unsupportedLayer(Module m) {
    if (m instanceof Linear || m instanceof ReLU || m instanceof Tanh || m instanceof Sigmoid
        || m instanceof Flatten || m instanceof Identity || m instanceof Dropout) {
      return null;
    }
    return "layer " + m.getClass().getSimpleName() + " has no allocation-free backward";
  }

  /** The steps of {@code model}'s children, in order: a ReLU right after a Linear fused. */
  private static void plan(Module model, List<StepNode> nodes) {
    List<Module> children = new ArrayList<>();
    collect((Sequential) model, children);
    for (int i = 0; i < children.size(); i++) {
      Module m = children.get(i);
      if (m instanceof Linear linear) {
        boolean relu = i + 1 < children.size() && children.get(i + 1) instanceof ReLU;
        nodes.add(new LinearNode(linear, relu ? Activation.RELU : Activation.NONE));
        i += relu ? 1 : 0;
      } else if (m instanceof Flatten flatten) {
        nodes.add(new StepNode.Flattening(flatten));
      } else if (m instanceof ReLU || m instanceof Tanh || m instanceof Sigmoid) {
        nodes.add(new StepNode.Elementwise(m));
      } else if (m instanceof Dropout dropout) {
        nodes.add(new StepNode.Dropping(dropout));
      } // Identity passes its input on
    }
  }

  private static void collect(Sequential seq, List<Module> out) {
    for (Module child : seq) {
      if (child instanceof Sequential inner) {
        collect(inner, out);
      } else {
        out.add(child);
      }
    }
  }

  /** The Linear steps, in order (tests). */
  List<LinearNode> linearNodes() {
    List<LinearNode> out = new ArrayList<>();
    for (StepNode n : nodes) {
      if (n instanceof LinearNode linear) {
        out.add(linear);
      }
    }
    return out;
  }

  /** The model this step trains. */
  public Module model() {
    return model;
  }

  /**
   * Runs the forward on {@code x}, the loss against {@code target} and the backward: every
   * parameter that requires a gradient gets it added to its {@code .grad} (see the class
   * comment). Returns the loss ({@code loss.forward(model.forward(x), target).item()}).
   */
  public float forwardBackward(Tensor x, Tensor target) {
    Thread me = Thread.currentThread();
    if (!owner.compareAndSet(null, me)) {
      throw busy(me);
    }
    try {
      return run(x, target);
    } finally {
      owner.set(null);
    }
  }

  private IllegalStateException busy(Thread me) {
    Thread other = owner.get();
    return new IllegalStateException("TrainStep.forwardBackward called from thread \""
        + me.getName() + "\" while " + (other == null ? "another thread"
            : "thread \"" + other.getName() + "\"") + " runs it: a TrainStep's buffers "
        + "serve one thread at a time; make one TrainStep per thread (TrainStep.of)");
  }

  private float run(Tensor x, Tensor target) {
    Tensor h = input(x);
    for (int i = 0; i < nodes.length; i++) {
      nodes[i].forward(h, outputs[i]);
      h = outputs[i];
    }
    int last = nodes.length - 1;
    float value = loss.valueAndGrad(output(), target, grads[last]);
    for (int i = last; i >= 0; i--) {
      Tensor in = i == 0 ? h0 : outputs[i - 1];
      nodes[i].backward(in, outputs[i], grads[i], needsInputGrad[i] ? grads[i - 1] : null);
    }
    return value;
  }

  /**
   * The model's output of the last {@link #forwardBackward} (its logits, say): a buffer this
   * step owns, overwritten by the next call.
   */
  public Tensor output() {
    return outputs[nodes.length - 1];
  }

  /** The input as a contiguous float tensor, and the buffers sized for its shape. */
  private Tensor input(Tensor x) {
    x.requireFloat("training input");
    if (inputShape == null || !x.hasShape(inputShape)) {
      size(x.shape());
    }
    if (x.isContiguous()) {
      h0 = x;
    } else {
      h0 = x.copyInto(input);
    }
    return h0;
  }

  private void size(int[] shape) {
    outputs = new Tensor[nodes.length];
    grads = new Tensor[nodes.length];
    int[] s = shape;
    for (int i = 0; i < nodes.length; i++) {
      s = nodes[i].outputShape(s);
      outputs[i] = Tensor.zeros(s);
      grads[i] = Tensor.zeros(s);
    }
    input = Tensor.zeros(shape);
    inputShape = shape.clone();
  }
}
