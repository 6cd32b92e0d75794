package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.GeneratedText.classes;
import static dev.netspec.compiler.generate.GeneratedText.method;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The buffers of the allocation-free forward ({@link Workspace}), read from the source the
 * compiler writes, no javac. The plans are worked by hand from {@code storages()}' rule: the
 * steps are numbered in the order they run; a buffer takes the first storage all of whose
 * buffers are read for the last time before the step that writes it; an int64 buffer or a
 * buffer written under a condition has a storage of its own; a loop keeps every buffer it
 * reads alive from its first step to its last. The input checks are the spec's shape: its
 * rank, known sizes, a size named twice equal, an int argument; and the least input a
 * convolution's output is at least 1 wide for (PyTorch's {@code (h - k) / s + 1 >= 1}).
 */
class WorkspaceTextTest {
  private static final String SPEC = """
      netspec: 1
      package: t.w
      blocks:
        Chain:
          input: [batch, seq, seq, 8]
          layers:
            fc1: {linear: 16}
            fc2: {linear: 16}
            fc3: {linear: 8}
          forward: |
            a = fc1(x)
            b = fc2(sigmoid(a))
            c = fc3(sigmoid(b))
            return sigmoid(c) + x
        Conv:
          input: [batch, 3, height, width]
          layers:
            conv: {conv2d: {out_channels: 4, kernel_size: 3, stride: 2}}
            conv2: {conv2d: {out_channels: 4, kernel_size: 2}}
          forward: conv2(sigmoid(conv(x)))
        Stack:
          args: {width: int, stride: int}
          input: [batch, width, 4]
          layers:
            h: {module_list: {repeat: 3, layer: {linear: 4}}}
            fc: {linear: 4}
          forward: |
            y = fc(x)
            for layer in h:
              y = relu(layer(y)) + y
            if stride != 1:
              y = fc(y)
            return y
        Fixed:
          input: [2, 8]
          layers:
            fc1: {linear: 8}
            fc2: {linear: 8}
          forward: fc2(sigmoid(fc1(x)))
        Named:
          inputs: {seq: [batch, seq, 8], ids: [batch, seq, int64]}
          layers:
            embed: {embedding: {num_embeddings: 10, embedding_dim: 8}}
            pos: {embedding: {num_embeddings: 16, embedding_dim: 8}}
          forward: seq + embed(ids) + pos(arange(seq))
      """;

  private String chain;
  private String conv;
  private String stack;
  private String fixed;
  private String named;

  @BeforeEach
  void generate() {
    Map<String, String> c = classes(SPEC);
    chain = c.get("Chain");
    conv = c.get("Conv");
    stack = c.get("Stack");
    fixed = c.get("Fixed");
    named = c.get("Named");
  }

  @Test
  void buffersShareStoragesByLiveness() {
    // Steps: 0 fc1Out, 1 sigmoidOut, 2 fc2Out, 3 sigmoidOut2, 4 fc3Out, 5 sigmoidOut3, 6 the output;
    // each read by the next step only.
    assertEquals("private void workspace(Tensor x) {\n"
        + "    checkInput(x);\n"
        + "    if (x.size(0) != batch || x.size(1) != seq) {\n"
        + "      batch = x.size(0);\n"
        + "      seq = x.size(1);\n"
        + "      // fc1Out, fc2Out, fc3Out: never live at once\n"
        + "      Tensor storage0 = Workspace.storage(new int[] {batch, seq, seq, 16}, new int[] {batch, seq, seq, 16},"
        + " new int[] {batch, seq, seq, 8});\n"
        + "      fc1Out = Workspace.view(storage0, batch, seq, seq, 16);\n"
        + "      fc2Out = Workspace.view(storage0, batch, seq, seq, 16);\n"
        + "      fc3Out = Workspace.view(storage0, batch, seq, seq, 8);\n"
        + "      // sigmoidOut, sigmoidOut2, sigmoidOut3: never live at once\n"
        + "      Tensor storage1 = Workspace.storage(new int[] {batch, seq, seq, 16}, new int[] {batch, seq, seq, 16},"
        + " new int[] {batch, seq, seq, 8});\n"
        + "      sigmoidOut = Workspace.view(storage1, batch, seq, seq, 16);\n"
        + "      sigmoidOut2 = Workspace.view(storage1, batch, seq, seq, 16);\n"
        + "      sigmoidOut3 = Workspace.view(storage1, batch, seq, seq, 8);\n"
        + "    }\n"
        + "  }\n", method(chain, "private void workspace("));
    assertTrue(chain.contains("  private int batch = -1;\n"), chain);
    assertTrue(chain.contains("Forward buffer {@code (batch, seq, seq, 16)}."), chain);
  }

  @Test
  void inputChecks() {
    // The second seq is the first; 8 is known; batch and seq are read, not checked.
    assertEquals("private void checkInput(Tensor x) {\n"
        + "    if (x.dim() != 4 || x.size(2) != x.size(1) || x.size(3) != 8) {\n"
        + "      throw new IllegalArgumentException(\"Chain: expected an input of shape (batch, seq, seq, 8), got \""
        + " + Arrays.toString(x.shape()));\n"
        + "    }\n"
        + "  }\n", method(chain, "private void checkInput("));
    // An int argument's size is its field.
    assertTrue(stack.contains("if (x.dim() != 3 || x.size(1) != width || x.size(2) != 4) {"), stack);
  }

  @Test
  void leastInputOfAConvolution() {
    // conv: (h - 3) / 2 + 1 >= 1 needs h >= 3; conv2 on it: (h - 3) / 2 + 1 - 2 + 1 >= 1 needs h >= 5.
    String m = method(conv, "private void checkInput(");
    assertTrue(m.contains("    if (x.size(2) < 5 || x.size(3) < 5) {\n"
        + "      throw new IllegalArgumentException(\"Conv: input (batch, 3, height, width) needs height >= 5 and"
        + " width >= 5, got \" + Arrays.toString(x.shape()));\n"), m);
    String w = method(conv, "private void workspace(");
    assertTrue(w.contains("if (x.size(0) != batch || x.size(2) != height || x.size(3) != width) {"), w);
    // sigmoidOut is written by the step that reads convOut for the last time: no sharing.
    assertTrue(w.contains("      convOut = Tensor.zeros(batch, 4, Math.floorDiv(height - 1, 2), Math.floorDiv(width - 1, 2));\n"
        + "      sigmoidOut = Tensor.zeros(batch, 4, Math.floorDiv(height - 1, 2), Math.floorDiv(width - 1, 2));\n"), w);
    // No expression over the sizes: no least size.
    assertEquals(1, chain.split("IllegalArgumentException", -1).length - 1, chain);
  }

  @Test
  void aLoopKeepsItsBuffersAliveAndAGuardedBufferIsAlone() {
    // In the loop, y (fcOut, then addOut) is read again at the next turn: nothing shares.
    assertEquals("private void workspace(Tensor x) {\n"
        + "    checkInput(x);\n"
        + "    if (x.size(0) != batch) {\n"
        + "      batch = x.size(0);\n"
        + "      fcOut = Tensor.zeros(batch, width, 4);\n"
        + "      layerOut = Tensor.zeros(batch, width, 4);\n"
        + "      reluOut = Tensor.zeros(batch, width, 4);\n"
        + "      addOut = Tensor.zeros(batch, width, 4);\n"
        + "      fcOut2 = stride != 1 ? Tensor.zeros(batch, width, 4) : null;\n"
        + "    }\n"
        + "  }\n", method(stack, "private void workspace("));
  }

  @Test
  void knownSizesAllocateOnce() {
    assertEquals("private void workspace(Tensor x) {\n"
        + "    checkInput(x);\n"
        + "    if (fc1Out == null) {\n"
        + "      fc1Out = Tensor.zeros(2, 8);\n"
        + "      sigmoidOut = Tensor.zeros(2, 8);\n"
        + "    }\n"
        + "  }\n", method(fixed, "private void workspace("));
  }

  @Test
  void typedInputsAndInt64Buffers() {
    // Steps: 0 embedOut, 1 addOut, 2 arangeOut (int64: alone), 3 posOut (embedOut is free), 4 the output.
    // The size seq is named after the input seq: seqSize.
    assertEquals("private void workspace(Tensor seq, Tensor ids) {\n"
        + "    if (seq.size(0) != batch || seq.size(1) != seqSize) {\n"
        + "      batch = seq.size(0);\n"
        + "      seqSize = seq.size(1);\n"
        + "      // embedOut, posOut: never live at once\n"
        + "      Tensor storage0 = Workspace.storage(new int[] {batch, seqSize, 8}, new int[] {seqSize, 8});\n"
        + "      embedOut = Workspace.view(storage0, batch, seqSize, 8);\n"
        + "      posOut = Workspace.view(storage0, seqSize, 8);\n"
        + "      addOut = Tensor.zeros(batch, seqSize, 8);\n"
        + "      arangeOut = Tensor.zeros(DType.INT64, seqSize);\n"
        + "    }\n"
        + "  }\n", method(named, "private void workspace("));
    assertTrue(named.contains("Forward buffer {@code int64 (seq,)}."), named);
    assertTrue(named.contains("  private int seqSize = -1;\n"), named);
  }
}
