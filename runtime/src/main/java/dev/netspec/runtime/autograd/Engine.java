package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Runs a backward pass ({@code tensor.backward()}): walks the recorded graph from a result
 * to its leaves, each node once, after every node that feeds it a gradient (Kahn's order over
 * the graph's dependency counts), summing the gradients that reach one output from several
 * uses, and leaves the result in the leaves' {@code .grad}. Recording is off meanwhile.
 */
final class Engine {
  private Engine() {}

  static void backward(Tensor root, Tensor gradient) {
    AutogradMeta meta = root.autogradMeta();
    if (meta == null || !meta.requiresGrad()) {
      throw new IllegalStateException(
          "element 0 of tensors does not require grad and does not have a grad_fn");
    }
    if (gradient == null) {
      if (root.numel() != 1) {
        throw new IllegalArgumentException("grad can be implicitly created only for scalar"
            + " outputs; got shape " + Arrays.toString(root.shape())
            + ": call backward(gradient) with a gradient of that shape");
      }
      gradient = Tensor.ones(root.shape());
    } else if (!Arrays.equals(gradient.shape(), root.shape())) {
      throw new IllegalArgumentException("backward: gradient of shape "
          + Arrays.toString(gradient.shape()) + " for a tensor of shape "
          + Arrays.toString(root.shape()));
    }
    Node.Edge start = Node.Edge.of(root);
    try (GradMode.Scope scope = GradMode.noGrad()) {
      run(start, gradient);
    }
  }

  private static void run(Node.Edge start, Tensor gradient) {
    Map<Node, Integer> dependencies = new IdentityHashMap<>();
    ArrayDeque<Node> stack = new ArrayDeque<>();
    dependencies.put(start.node(), 0);
    stack.push(start.node());
    while (!stack.isEmpty()) {
      Node node = stack.pop();
      for (int i = 0; i < node.numInputs(); i++) {
        Node.Edge e = node.edge(i);
        if (e != null && dependencies.merge(e.node(), 1, Integer::sum) == 1) {
          stack.push(e.node());
        }
      }
    }
    Map<Node, Tensor[]> pending = new IdentityHashMap<>();
    add(pending, start, gradient);
    ArrayDeque<Node> ready = new ArrayDeque<>();
    ready.add(start.node());
    while (!ready.isEmpty()) {
      Node node = ready.poll();
      Tensor[] inputs = node.backward(pending.remove(node));
      if (inputs.length != node.numInputs()) {
        throw new IllegalStateException(node.name() + " returned " + inputs.length
            + " gradients for " + node.numInputs() + " inputs");
      }
      for (int i = 0; i < inputs.length; i++) {
        Node.Edge e = node.edge(i);
        if (e == null) {
          continue;
        }
        if (inputs[i] != null) {
          if (!Arrays.equals(inputs[i].shape(), e.shape())) {
            throw new IllegalStateException(node.name() + " returned a gradient of shape "
                + Arrays.toString(inputs[i].shape()) + " for input " + i + " of shape "
                + Arrays.toString(e.shape()));
          }
          add(pending, e, inputs[i]);
        }
        if (dependencies.merge(e.node(), -1, Integer::sum) == 0) {
          pending.computeIfAbsent(e.node(), n -> new Tensor[Math.max(1, n.numOutputs())]);
          ready.add(e.node());
        }
      }
    }
  }

  private static void add(Map<Node, Tensor[]> pending, Node.Edge e, Tensor g) {
    Tensor[] slots = pending.computeIfAbsent(e.node(),
        n -> new Tensor[Math.max(1, n.numOutputs())]);
    slots[e.input()] = slots[e.input()] == null ? g : slots[e.input()].add(g);
  }
}
