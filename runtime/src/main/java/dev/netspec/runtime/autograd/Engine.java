package dev.netspec.runtime.autograd;

import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Runs a backward pass ({@code tensor.backward()}): walks the recorded graph from a result
 * to its leaves, each node once, after every node that feeds it a gradient (Kahn's order over
 * the graph's dependency counts), summing the gradients that reach one output from several
 * uses, and leaves the result in the leaves' {@code .grad}. Recording is off meanwhile.
 */
final class Engine {
  private Engine() {}

  static void backward(Tensor root, Tensor gradient) {
    backward(new Tensor[] {root}, new Tensor[] {gradient});
  }

  /**
   * {@code torch.autograd.backward(roots, gradients)}: one pass for several results, each
   * with its gradient (null for a one-element result), so a node that feeds several of them
   * runs once with all their gradients.
   */
  static void backward(Tensor[] roots, Tensor[] gradients) {
    if (roots.length != gradients.length || roots.length == 0) {
      throw new IllegalArgumentException("backward: " + roots.length + " tensors and "
          + gradients.length + " gradients; give one gradient per tensor, at least one");
    }
    Node.Edge[] starts = new Node.Edge[roots.length];
    Tensor[] checked = new Tensor[roots.length];
    for (int i = 0; i < roots.length; i++) {
      checked[i] = check(i, roots[i], gradients[i]);
      starts[i] = Node.Edge.of(roots[i]);
    }
    try (GradMode.Scope scope = GradMode.noGrad()) {
      run(starts, checked);
    }
  }

  /** The gradient of root {@code i}, checked against it (ones for a one-element root). */
  private static Tensor check(int i, Tensor root, Tensor gradient) {
    AutogradMeta meta = root.autogradMeta();
    if (meta == null || !meta.requiresGrad()) {
      throw new IllegalStateException(
          "element " + i + " of tensors does not require grad and does not have a grad_fn");
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
    return gradient;
  }

  private static void run(Node.Edge[] starts, Tensor[] gradients) {
    // the number of edges into each node from the nodes the roots reach, each node walked once
    Map<Node, Integer> dependencies = new IdentityHashMap<>();
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Node> stack = new ArrayDeque<>();
    for (Node.Edge start : starts) {
      dependencies.putIfAbsent(start.node(), 0);
      if (seen.add(start.node())) {
        stack.push(start.node());
      }
    }
    while (!stack.isEmpty()) {
      Node node = stack.pop();
      for (int i = 0; i < node.numInputs(); i++) {
        Node.Edge e = node.edge(i);
        if (e != null) {
          dependencies.merge(e.node(), 1, Integer::sum);
          if (seen.add(e.node())) {
            stack.push(e.node());
          }
        }
      }
    }
    Map<Node, Tensor[]> pending = new IdentityHashMap<>();
    ArrayDeque<Node> ready = new ArrayDeque<>();
    for (int i = 0; i < starts.length; i++) {
      add(pending, starts[i], gradients[i]);
      // a root that another root's graph reaches waits for that root's gradient
      if (dependencies.get(starts[i].node()) == 0 && !ready.contains(starts[i].node())) {
        ready.add(starts[i].node());
      }
    }
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
