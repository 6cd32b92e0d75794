package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A forward's statements ({@link ForwardWriter#body}), read from the generated text of both
 * forwards without compiling it: a {@code for} over a module list (by index in the
 * allocation-free forward, where a for-each would allocate an iterator at every call), an
 * augmented assignment ({@code y += 2} is {@code y = y + 2}), a variable every branch of an
 * {@code if}/{@code elif}/{@code else} assigns declared before it (Java's definite
 * assignment), a {@code while}, and a number on the left of an operator (a scalar tensor, as
 * PyTorch's {@code 2 - x} is {@code torch.tensor(2.) - x}). Each line written by hand from the
 * runtime's API; BufferedForwardTest and ForwardSemanticsTest run such forwards compiled.
 */
class ForwardTextTest {
  /** Generated again by each test, never kept in a static field (a mutation run swaps mutants into one JVM). */
  private static final String SPEC = """
      netspec: 1
      package: t.fw
      blocks:
        Loop:
          input: [batch, 4]
          layers:
            layers: {module_list: {repeat: 3, layer: {linear: {in_features: 4, out_features: 4}}}}
          forward: |
            for layer in layers:
              x = relu(layer(x))
            return x
        Branches:
          args: {k: int}
          input: [batch, 4]
          forward: |
            y = x * 1
            y += 2
            y *= x
            if k == 0:
              z = y + 1
            elif k == 1:
              z = y - 1
            else:
              z = y * 2
            return z
        Grow:
          input: [batch, 4]
          forward: |
            y = x * 1
            while sum(y) < 100:
              y = y * 2
            return y
        Scalars:
          input: [batch, 4]
          forward: |
            a = (x > 0) * x
            b = (1 < x) * 2
            c = 2 - x
            d = 3 / (x + 4)
            return a + b + c + d
      """;

  /**
   * The statements of {@code body} after its last line starting with {@code after} (the
   * allocating forward opens a {@code try} for its replica first), up to the next {@code finally}.
   */
  private static List<String> after(String body, String after) {
    List<String> lines = new ArrayList<>();
    for (String line : body.split("\n")) {
      lines.add(line.trim());
    }
    int from = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(after)) {
        from = i + 1;
      }
    }
    int to = from;
    while (to < lines.size() && !lines.get(to).startsWith("} finally {")) {
      to++;
    }
    return lines.subList(from, to);
  }

  @Test
  void aForLoopRunsByIndexWhenBuffered() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of(
        "for (int layerIndex = 0; layerIndex < layers.size(); layerIndex++) {",
        "Linear layer = layers.get(layerIndex);",
        "layer.forward(x, layerOut); // (batch, 4)",
        "x = layerOut.reluInto(reluOut); // (batch, 4)",
        "}",
        "return x.copyInto(output); // (batch, 4)"), after(text.buffered("Loop"), "workspace("));
    assertEquals(List.of(
        "for (Linear layer : layers) {",
        "x = layer.forward(x).relu(); // (batch, 4)",
        "}",
        "return x;"), after(text.allocating("Loop"), "try {"));
    // the loop body's buffers live through every turn: layerOut is read after reluOut is written, so no sharing
    assertEquals(List.of("layerOut = Tensor.zeros(batch, 4);", "reluOut = Tensor.zeros(batch, 4);"),
        after(text.method("Loop", "private void workspace(", null), "batch = x.size(0);").subList(0, 2));
  }

  @Test
  void aVariableEveryBranchAssignsIsDeclaredBeforeTheIf() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of(
        "Tensor y = x.mulInto(1.0f, mulOut); // (batch, 4)",
        "y = y.addInto(2.0f, addOut); // (batch, 4)",
        "y = y.mulInto(x, mulOut2); // (batch, 4)",
        "Tensor z; // (batch, 4)",
        "if (k == 0) {",
        "z = y.addInto(1.0f, addOut2); // (batch, 4)",
        "} else if (k == 1) {",
        "z = y.subInto(1.0f, subOut); // (batch, 4)",
        "} else {",
        "z = y.mulInto(2.0f, mulOut3); // (batch, 4)",
        "}",
        "return z.copyInto(output); // (batch, 4)"), after(text.buffered("Branches"), "workspace("));
    assertEquals(List.of(
        "Tensor y = x.mul(1.0f); // (batch, 4)",
        "y = y.add(2.0f); // (batch, 4)",
        "y = y.mul(x); // (batch, 4)",
        "Tensor z; // (batch, 4)",
        "if (k == 0) {",
        "z = y.add(1.0f); // (batch, 4)",
        "} else if (k == 1) {",
        "z = y.sub(1.0f); // (batch, 4)",
        "} else {",
        "z = y.mul(2.0f); // (batch, 4)",
        "}",
        "return z;"), after(text.allocating("Branches"), "try {"));
    // mulOut is dead once y + 2 is written, addOut once y * x is: each may share a storage with a later buffer;
    // the 'if' on the arguments' buffer exists only where its condition holds
    assertEquals(List.of(
        "// mulOut, mulOut2: never live at once",
        "Tensor storage0 = Workspace.storage(new int[] {batch, 4}, new int[] {batch, 4});",
        "mulOut = Workspace.view(storage0, batch, 4);",
        "mulOut2 = Workspace.view(storage0, batch, 4);",
        "// addOut, subOut: never live at once",
        "Tensor storage1 = Workspace.storage(new int[] {batch, 4}, new int[] {batch, 4});",
        "addOut = Workspace.view(storage1, batch, 4);",
        "subOut = Workspace.view(storage1, batch, 4);",
        "addOut2 = k == 0 ? Tensor.zeros(batch, 4) : null;",
        "mulOut3 = Tensor.zeros(batch, 4);"),
        after(text.method("Branches", "private void workspace(", null), "batch = x.size(0);").subList(0, 10));
  }

  @Test
  void aWhileLoopInBothForwards() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of(
        "Tensor y = x.mulInto(1.0f, mulOut); // (batch, 4)",
        "while (y.sumAsFloat() < 100.0f) {",
        "y = y.mulInto(2.0f, mulOut2); // (batch, 4)",
        "}",
        "return y.copyInto(output); // (batch, 4)"), after(text.buffered("Grow"), "workspace("));
    assertEquals(List.of(
        "Tensor y = x.mul(1.0f); // (batch, 4)",
        "while (y.sum().item() < 100.0f) {",
        "y = y.mul(2.0f); // (batch, 4)",
        "}",
        "return y;"), after(text.allocating("Grow"), "try {"));
    // y's first buffer is read in the loop's first turn, so the body's buffer cannot share its storage
    assertEquals(List.of("mulOut = Tensor.zeros(batch, 4);", "mulOut2 = Tensor.zeros(batch, 4);"),
        after(text.method("Grow", "private void workspace(", null), "batch = x.size(0);").subList(0, 2));
  }

  @Test
  void aComparisonIsAMaskAndANumberOnTheLeftATensor() {
    GeneratedText text = GeneratedText.of(SPEC);
    assertEquals(List.of(
        "Tensor a = x.gt(0.0f).mul(x); // (batch, 4)",
        // 1 < x is x > 1
        "Tensor b = x.gt(1.0f).mul(2.0f); // (batch, 4)",
        "Tensor c = Tensor.scalar(2.0f).sub(x); // (batch, 4)",
        "Tensor d = Tensor.scalar(3.0f).div(x.add(4.0f)); // (batch, 4)",
        "return a.add(b).add(c).add(d);"), after(text.allocating("Scalars"), "try {"));
    assertNull(text.buffered("Scalars"));
  }
}
