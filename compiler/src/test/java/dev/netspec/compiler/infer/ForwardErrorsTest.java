package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Forward-language errors no {@code errors/} fixture shows, each reported once at the
 * expression it is about (line and column counted from the spec text): unreachable code,
 * operands of the wrong kind, assignments to members, what a forward returns, and shared layers
 * called with another shape.
 */
class ForwardErrorsTest {
  static List<String> errors(String text) {
    List<String> out = new ArrayList<>();
    new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), text)))
        .diagnostics().forEach(d -> out.add(d.format()));
    return out;
  }

  /** A spec whose block B has {@code layers} (flow mapping or "") and the given forward lines. */
  static String spec(String layers, String... forward) {
    StringBuilder s = new StringBuilder("netspec: 1\npackage: t\nblocks:\n  B:\n    input: [batch, 4]\n");
    if (!layers.isEmpty()) {
      s.append("    layers: ").append(layers).append('\n');
    }
    s.append("    forward: |\n");
    for (String f : forward) {
      s.append("      ").append(f).append('\n');
    }
    return s.toString();
  }

  /** "t.yaml:L:C: error: " for the first {@code token} after the line holding "forward:". */
  static String at(String text, String token) {
    String[] lines = text.split("\n");
    boolean inForward = false;
    for (int i = 0; i < lines.length; i++) {
      inForward |= lines[i].contains("forward:");
      int c = inForward && !lines[i].contains("forward:") ? lines[i].indexOf(token) : -1;
      if (c >= 0) {
        return "t.yaml:" + (i + 1) + ":" + (c + 1) + ": error: ";
      }
    }
    throw new IllegalArgumentException(token);
  }

  static void expect(String text, String token, String message) {
    assertEquals(List.of(at(text, token) + message), errors(text), text);
  }

  @Test
  void nothingRunsAfterReturn() {
    String t = spec("", "return x", "y = x");
    assertEquals(List.of(at(t, "y = x") + "B: forward must end with 'return'",
        at(t, "y = x") + "B: unreachable statement after 'return'"), errors(t));
  }

  @Test
  void operandsOfTheWrongKind() {
    expect(spec("", "b = 2 > 1", "c = -b", "return x"), "-b", "B: cannot negate a boolean");
    expect(spec("", "return x @ 2"), "@", "B: '@' needs two tensors, got a tensor of shape [batch, 4] and an int");
    expect(spec("", "n = 2", "m = n.T", "return x"), "T", "B: '.T' needs a tensor, got an int"); // at the attribute
    expect(spec("", "y = reshape(x, (2, 2, -1))", "return y.T"), "T",
        "B: '.T' needs a tensor of at most 2 dims, got [2, 2, batch]; use transpose(x, dim0, dim1)");
    expect(spec("", "return sum(x, 1, keepdim=1)"), "1)", "B: sum: keepdim must be True or False");
  }

  @Test
  void membersAreNotVariables() {
    expect(spec("{fc: {linear: 4}}", "fc = x", "return fc(x)"), "fc = x",
        "B: cannot assign to 'fc': it names a layer, parameter, buffer or argument");
  }

  @Test
  void forwardReturnsTensors() {
    expect(spec("", "return 3"), "3", "B: forward must return a tensor or a tuple of tensors, got an int");
  }

  @Test
  void aSharedLayerKeepsItsInputShape() {
    String t = spec("{fc: {linear: 4}}", "y = fc(x)", "z = reshape(x, (batch, 2, 2))", "return fc(z)");
    // the layers line is line 6
    expect(t, "fc(z)", "B.fc (linear): shared layer expects 4 input features, got 2 (input [batch, 2, 2]);"
        + " 'fc' is declared at line 6");
  }

  @Test
  void aSharedLayerOnAOneDimInputChecksItsFeatures() {
    // the features are dim -1, here dim 0 of a 1-d input: 3, not the 4 of the first call
    String t = spec("{fc: {linear: 4}}", "y = fc(x)", "z = x[0, 0:3]", "return fc(z)");
    expect(t, "fc(z)", "B.fc (linear): shared layer expects 4 input features, got 3 (input [3]); 'fc' is declared at line 6");
  }
}
