package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.GeneratedText.java;
import static dev.netspec.compiler.generate.GeneratedText.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@code sequential} block's constructor and allocation-free forward ({@link JavaGenerator}'s
 * {@code sequentialInto}, {@code repeatInto}, {@code repeatedSequential}), read from the source
 * the compiler writes, no javac. The expectations are PyTorch's and the runtime's rules: an
 * {@code nn.Sequential} names its children {@code "0"}, {@code "1"}, ... so a repeat after one
 * child is built as {@code addModules(n, i -> Integer.toString(1 + i), ...)}; a convolution's
 * {@code forwardInto(x, bn, act, add, out)} folds the batch norm that follows it (in eval mode)
 * and runs the activation after that; a linear's {@code forwardInto(x, act, out)} runs a
 * following ReLU; the last step writes the caller's {@code output}. A repeat's copies run in a
 * loop, copy {@code i} reading {@code h} and writing one of two buffers by {@code i}'s parity,
 * so copy {@code i} never writes what it reads; the copy that ends the block writes
 * {@code output}, and the step after a repeat reads the buffer its last copy, number
 * {@code n - 1}, wrote (the first buffer when {@code n - 1} is even). Two copies that end the
 * block need one buffer only (copy 0 writes it, copy 1 the output).
 */
class SequentialTextTest {
  private static final String SPEC = """
      netspec: 1
      package: t.s
      blocks:
        End:
          input: [batch, 4]
          sequential:
            - {linear: 4}
            - {repeat: 3, layer: {linear: 4}}
        Two:
          input: [batch, 4]
          sequential:
            - {repeat: 2, layer: {linear: 4}}
        Mid:
          input: [batch, 4]
          sequential:
            - {repeat: 2, layer: {linear: 4}}
            - {linear: 2}
        Mid3:
          input: [batch, 4]
          sequential:
            - {repeat: 3, layer: {linear: 4}}
            - {linear: 2}
        Runs:
          input: [batch, 4]
          sequential:
            - {repeat: 2, layer: {linear: 4}}
            - {repeat: 2, layer: {linear: {out_features: 4, bias: false}}}
            - relu
        Cbr:
          input: [batch, 3, 8, 8]
          sequential:
            - {conv2d: {in_channels: 3, out_channels: 4, kernel_size: 3, padding: 1}}
            - {batch_norm2d: 4}
            - relu
            - {conv2d: {in_channels: 4, out_channels: 4, kernel_size: 3, padding: 1}}
            - {batch_norm2d: 4}
            - {conv2d: {in_channels: 4, out_channels: 2, kernel_size: 1}}
        Inline:
          input: [batch, 4]
          layers:
            s: {sequential: [{linear: 4}, {repeat: 3, layer: {linear: 4}}, relu, {linear: 2}]}
            t: {sequential: [{repeat: 2, layer: {linear: 2}}, {linear: 2}, {repeat: 2, layer: {linear: {out_features: 2, bias: false}}}]}
            u: {sequential: [{repeat: 2, name: "b{i}", layer: {linear: 2}}]}
          forward: u(t(s(x)))
      """;

  private static List<String> forwardInto(String block) {
    String body = GeneratedText.of(SPEC).buffered(block);
    assertTrue(body != null, "no forward(x, output) in " + block);
    return lines(body, "linear", "conv", "Tensor h", "h = ", "for (", "return", "relu");
  }

  @Test
  void aRepeatEndingTheBlockAlternatesTwoBuffersAndItsLastCopyWritesTheOutput() {
    assertEquals(List.of(
        "linear0.forward(x, linear0Out); // (batch, 4)",
        "Tensor h = linear0Out;",
        "for (int i = 0; i < 3; i++) {",
        "h = linears.get(i).forward(h, i == 2 ? output : i % 2 == 0 ? linearsOut : linearsOut2);"
            + " // (batch, 4), children 1 .. 3",
        "return h;"), forwardInto("End"));
    String java = java(SPEC, "End");
    assertTrue(java.contains("    linears = addModules(3, i -> Integer.toString(1 + i), i -> new Linear(4, 4));\n"), java);
    assertTrue(java.contains("   * Children {@code 1} .. {@code 3} (linear, a {@code repeat}), output {@code (batch, 4)} each.\n"
        + "   */\n  public final List<Linear> linears;\n"), java);
    assertEquals(List.of("linear0Out = Tensor.zeros(batch, 4);", "linearsOut = Tensor.zeros(batch, 4);",
        "linearsOut2 = Tensor.zeros(batch, 4);"), lines(GeneratedText.method(java, "private void workspace("),
        "linear"));
    // the recording forward: every copy allocates, in a for-each over the list
    assertEquals(List.of("x = linear0.forward(x); // (batch, 4)", "for (Linear linear : linears) {",
        "x = linear.forward(x); // (batch, 4)", "return x;"),
        lines(GeneratedText.of(SPEC).allocating("End"), "x = ", "for (", "return x"));
  }

  @Test
  void twoCopiesEndingTheBlockNeedOneBuffer() {
    assertEquals(List.of(
        "Tensor h = x;",
        "for (int i = 0; i < 2; i++) {",
        "h = linears.get(i).forward(h, i == 1 ? output : linearsOut); // (batch, 4), children 0 .. 1",
        "return h;"), forwardInto("Two"));
    assertFalse(java(SPEC, "Two").contains("linearsOut2"));
  }

  @Test
  void theStepAfterARepeatReadsWhatItsLastCopyWrote() {
    assertEquals(List.of(
        "Tensor h = x;",
        "for (int i = 0; i < 2; i++) {",
        "h = linears.get(i).forward(h, i % 2 == 0 ? linearsOut : linearsOut2); // (batch, 4), children 0 .. 1",
        "return linear2.forward(linearsOut2, output); // (batch, 2)"), forwardInto("Mid"));
    assertEquals(List.of(
        "Tensor h = x;",
        "for (int i = 0; i < 3; i++) {",
        "h = linears.get(i).forward(h, i % 2 == 0 ? linearsOut : linearsOut2); // (batch, 4), children 0 .. 2",
        "return linear3.forward(linearsOut, output); // (batch, 2)"), forwardInto("Mid3"));
    assertTrue(java(SPEC, "Mid3").contains("    linear3 = addModule(\"3\", new Linear(4, 2));\n"));
  }

  @Test
  void aSecondRepeatReusesTheRunningValue() {
    assertEquals(List.of(
        "Tensor h = x;",
        "for (int i = 0; i < 2; i++) {",
        "h = linears.get(i).forward(h, i % 2 == 0 ? linearsOut : linearsOut2); // (batch, 4), children 0 .. 1",
        "h = linearsOut2;",
        "for (int i = 0; i < 2; i++) {",
        "h = linears_.get(i).forward(h, i % 2 == 0 ? linearsOut_ : linearsOut2_); // (batch, 4), children 2 .. 3",
        "return relu4.forward(linearsOut2_, output); // (batch, 4)"), forwardInto("Runs"));
    String java = java(SPEC, "Runs");
    assertTrue(java.contains("    linears_ = addModules(2, i -> Integer.toString(2 + i), i -> new Linear(4, 4, false));\n"),
        java);
  }

  @Test
  void aConvolutionFoldsTheBatchNormAfterItAndRunsTheReluAfterThat() {
    assertEquals(List.of(
        "conv2d0.forwardInto(x, batchNorm2d1, Activation.RELU, null, relu2Out); // (batch, 4, 8, 8): 0, 1 and 2,"
            + " the batch norm folded in eval mode, the ReLU fused",
        "conv2d3.forwardInto(relu2Out, batchNorm2d4, Activation.NONE, null, batchNorm2d4Out); // (batch, 4, 8, 8):"
            + " 3 and 4, the batch norm folded in eval mode",
        "return conv2d5.forward(batchNorm2d4Out, output); // (batch, 2, 8, 8)"), forwardInto("Cbr"));
  }

  @Test
  void anInlineSequentialBuildsItsRepeatsInLoops() {
    String java = java(SPEC, "Inline");
    assertTrue(java.contains("    s = addModule(\"s\", new Sequential(new Linear(4, 4)).append(3, i -> new Linear(4, 4))"
        + ".append(new ReLU()).append(new Linear(4, 2)));\n"), java);
    assertTrue(java.contains("    t = addModule(\"t\", new Sequential().append(2, i -> new Linear(2, 2))"
        + ".append(new Linear(2, 2)).append(2, i -> new Linear(2, 2, false)));\n"), java);
    // named copies are not PyTorch's indices: each is added under its name
    assertTrue(java.contains("    u = addModule(\"u\", new Sequential().add(\"b0\", new Linear(2, 2))"
        + ".add(\"b1\", new Linear(2, 2)));\n"), java);
  }
}
