package dev.netspec.compiler.infer;

import static dev.netspec.compiler.infer.ForwardErrorsTest.at;
import static dev.netspec.compiler.infer.ForwardErrorsTest.errors;
import static dev.netspec.compiler.infer.ForwardErrorsTest.expect;
import static dev.netspec.compiler.infer.ForwardErrorsTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.Inspection;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The forward language's functions on an input of [2, 4] ({@code [batch, 4]} declared): each
 * output shape as PyTorch's function gives it, the floating-point operations the inspection
 * counts (its documented rule: one per element of an elementwise result or a reduced input,
 * three per element of a softmax, a window's size per pooled element), and one located error
 * for each wrong argument.
 */
class FunctionCallsTest {
  /** The inspection of B at [2, 4] for a forward of {@code lines}. */
  static Inspection inspect(String layers, String... lines) {
    Compilation c = new Compiler(CompilerOptions.defaults())
        .compile(List.of(new SpecSource(Path.of("t.yaml"), spec(layers, lines))));
    assertEquals(List.of(), c.diagnostics().stream().map(d -> d.format()).toList(), String.join("\n", lines));
    return c.inspect("B", new int[] {2, 4});
  }

  private static void shape(List<Object> expected, long flops, String... lines) {
    Inspection i = inspect("", lines);
    assertEquals(expected, i.outputShape(), String.join("\n", lines));
    assertEquals(flops, i.flops(), "flops of " + String.join("\n", lines));
  }

  @Test
  void elementwiseAndPow() {
    shape(List.of(2, 4), 8, "return relu(x)");
    shape(List.of(2, 4), 8, "return gelu(x, approximate='tanh')");
    shape(List.of(2, 4), 8, "return pow(x, 2)");
    shape(List.of(2, 4), 8, "return pow(x, x)");
    // sum over dim 0 reads 8 elements and gives (4); pow broadcasts it against (2, 4): 8 more
    shape(List.of(2, 4), 16, "return pow(x, sum(x, 0))");
  }

  @Test
  void reductionsAndSoftmax() {
    shape(List.of(2), 8, "return sum(x, 1)");
    shape(List.of(2, 1), 8, "return mean(x, 1, keepdim=True)");
    shape(List.of(), 8, "return max(x)");
    shape(List.of(4), 8, "return sum(x, -2)");
    shape(List.of(2, 4), 24, "return softmax(x, 1)");
    shape(List.of(2, 4), 24, "return log_softmax(x, dim=-1)");
  }

  @Test
  void viewsConcatAndMatmul() {
    shape(List.of(4, 2), 0, "return transpose(x, 0, 1)");
    shape(List.of(4, 2), 0, "return transpose(x, -1, -2)");
    shape(List.of(8), 0, "return flatten(x)");
    shape(List.of(2, 4), 0, "return flatten(reshape(x, (batch, 2, 2)), 1)");
    shape(List.of(2, 8), 0, "return concat([x, x], 1)");
    shape(List.of(4, 4), 0, "return cat([x, x])");
    shape(List.of(2, 2), 0, "return matmul(x, transpose(x, 0, 1))");
  }

  @Test
  void poolingWindows() {
    // (2, 1, 4) pooled by 2: (2, 1, 2), each of the 4 outputs reads a window of 2
    shape(List.of(2, 1, 2), 8, "return max_pool1d(reshape(x, (batch, 1, 4)), 2)");
    // stride 1: (4 - 2) / 1 + 1 = 3 windows of 2 per row, 6 outputs
    shape(List.of(2, 1, 3), 12, "return avg_pool1d(reshape(x, (batch, 1, 4)), 2, stride=1)");
    // padding 1 on each side: (4 + 2 - 2) / 2 + 1 = 3
    shape(List.of(2, 1, 3), 12, "return max_pool1d(reshape(x, (batch, 1, 4)), 2, padding=1)");
    shape(List.of(2, 1, 1, 1), 8, "return avg_pool2d(reshape(x, (batch, 1, 2, 2)), 2)");
    shape(List.of(2, 1, 1, 2), 8, "return max_pool2d(reshape(x, (batch, 1, 2, 2)), (2, 1))");
    shape(List.of(2, 1, 1), 8, "return adaptive_avg_pool1d(reshape(x, (batch, 1, 4)), 1)");
    shape(List.of(2, 1, 1, 1), 8, "return adaptive_avg_pool2d(reshape(x, (batch, 1, 2, 2)), (1, 1))");
  }

  @Test
  void windowSizesAreCheckedPerDim() {
    String three = spec("", "return max_pool2d(reshape(x, (batch, 1, 2, 2)), (2, 2, 2))");
    expect(three, "max_pool2d", "B: max_pool2d: 'kernel_size' must be an int or 2 ints, got [2, 2, 2]");
    String oneD = spec("", "return max_pool1d(reshape(x, (batch, 1, 4)), (2, 2))");
    expect(oneD, "max_pool1d", "B: max_pool1d: 'kernel_size' must be an int, got [2, 2]");
    String stride = spec("", "return max_pool1d(reshape(x, (batch, 1, 4)), 2, stride=0)");
    expect(stride, "max_pool1d", "B: max_pool1d: 'stride' must be at least 1, got 0");
    String padding = spec("", "return avg_pool1d(reshape(x, (batch, 1, 4)), 2, padding=-1)");
    expect(padding, "avg_pool1d", "B: avg_pool1d: 'padding' must be at least 0, got -1");
    String named = spec("", "k = 2", "return max_pool1d(reshape(x, (batch, 1, 4)), k)");
    expect(named, "k)", "B: max_pool1d: 'kernel_size' must be int constants");
  }

  @Test
  void argumentsAreMatchedAsPythonMatchesThem() {
    expect(spec("", "return relu(x, x)"), "relu", "B: relu takes at most 1 arguments, got 2");
    expect(spec("", "return transpose(x, 0, dim0=1)"), "dim0", "B: transpose got 'dim0' twice");
    expect(spec("", "return transpose(x, 0)"), "transpose", "B: transpose needs 'dim1'");
    expect(spec("", "return softmax(x, dims=1)"), "dims",
        "B: softmax has no argument 'dims'; did you mean 'dim'?");
    expect(spec("", "d = 1", "return transpose(x, 0, d)"), "d)", "B: transpose: 'dim1' must be an int constant");
    expect(spec("", "return gelu(x, approximate='fast')"), "'fast'", "B: gelu: approximate must be 'none' or 'tanh'");
    expect(spec("", "return gelu(x, approximate=1)"), "1)", "B: gelu: approximate must be 'none' or 'tanh'");
    expect(spec("", "n = 2", "a, b = split(x, n, 1)", "return a"), "n, 1",
        "B: split: 'split_size_or_sections' must be an int constant or a list of them");
    expect(spec("", "return concat(x, 1)"), "concat", "B: concat: expects a list of tensors, such as concat([a, b], dim=1)");
    expect(spec("", "return relu(3)"), "relu", "B: relu: 'input' must be a tensor, got an int");
    expect(spec("", "return pow(2, x)"), "pow", "B: pow: 'input' must be a tensor, got an int");
  }

  @Test
  void anOutOfRangeDimIsLocatedAtTheCall() {
    List<String> e = errors(spec("", "return softmax(x, 2)"));
    assertEquals(1, e.size(), e.toString());
    String text = spec("", "return softmax(x, 2)");
    assertEquals(true, e.get(0).startsWith(at(text, "softmax") + "B: softmax: "), e.get(0));
  }
}
