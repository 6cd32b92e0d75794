package dev.netspec.compiler.check;

import static dev.netspec.compiler.check.Checked.at;
import static dev.netspec.compiler.check.Checked.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checker's errors on a file's and a block's structure that no {@code errors/} fixture
 * shows: each is reported once, at its key or value (columns counted from the text).
 */
class BlockErrorsTest {
  private static void expect(String text, int line, String token, String message) {
    assertEquals(List.of(at(text, line, token) + message), Checked.of(text).errors);
  }

  @Test
  void theFileNeedsItsVersionAndPackage() {
    String noVersion = "package: t\nblocks:\n  B:\n    sequential: [relu]\n";
    expect(noVersion, 1, "package", "missing 'netspec: 1' (the format version)");
    String v2 = "netspec: 2\npackage: t\nblocks:\n  B:\n    sequential: [relu]\n";
    expect(v2, 1, "2", "unsupported netspec version 2; this compiler reads version 1");
    String noPackage = "netspec: 1\nblocks:\n  B:\n    sequential: [relu]\n";
    expect(noPackage, 1, "netspec", "missing 'package:' (the Java package of the generated classes),"
        + " or pass --package (<packageName> in the Maven plugin)");
  }

  @Test
  void aBlockHasOneBody() {
    String both = spec("  B:", "    input: [batch, 4]", "    layers: {a: relu}", "    sequential: [relu]");
    expect(both, 7, "[", "B: a block has either 'layers' or 'sequential', not both");
    String seqForward = spec("  B:", "    input: [batch, 4]", "    sequential: [relu]", "    forward: x");
    expect(seqForward, 7, "x", "B: a 'sequential' block runs its children in order; use 'layers' to write a forward");
    String paramsOnly = spec("  B:", "    input: [batch, 4]", "    params: {w: {shape: [4]}}");
    expect(paramsOnly, 4, "B", "B: a block with parameters or buffers needs a 'forward'");
    String buffersOnly = spec("  B:", "    input: [batch, 4]", "    buffers: {w: {shape: [4]}}");
    expect(buffersOnly, 4, "B", "B: a block with parameters or buffers needs a 'forward'");
    String empty = spec("  B:", "    input: [batch, 4]");
    expect(empty, 4, "B", "B: a block needs 'sequential', 'layers' or a 'forward'");
  }

  @Test
  void aLayerHasExactlyOneType() {
    String two = spec("  B:", "    input: [batch, 4]", "    sequential: [{linear: 4, relu: null}]");
    expect(two, 6, "relu", "B: a layer has one type, but 'linear' and 'relu' are both given");
    String none = spec("  B:", "    input: [batch, 4]", "    sequential: [{doc: a layer}]");
    expect(none, 6, "{", "B: a layer needs a type, such as {linear: 8}");
  }

  @Test
  void sameAsNamesAnEarlierLayerAndIsNotRepeated() {
    String later = spec("  B:", "    input: [batch, 4]", "    layers:", "      a: {same_as: b}", "      b: {linear: 4}",
        "    forward: b(a(x))");
    expect(later, 7, "b}", "B: 'same_as' names no earlier layer 'b'");
    String typo = spec("  B:", "    input: [batch, 4]", "    layers:", "      fc: {linear: 4}", "      g: {same_as: fd}",
        "    forward: g(fc(x))");
    expect(typo, 8, "fd", "B: 'same_as' names no earlier layer 'fd'; did you mean 'fc'?");
    String repeated = spec("  B:", "    input: [batch, 4]", "    sequential: [{linear: 4}, {repeat: 2, layer: {same_as: \"0\"}}]");
    expect(repeated, 6, "{same_as", "B: 'repeat' makes new layers; it cannot repeat 'same_as'");
  }

  @Test
  void sizesNameIntArguments() {
    String unknown = spec("  B:", "    args: {width: int}", "    input: [batch, 4]", "    params: {w: {shape: [widht]}}",
        "    forward: x");
    expect(unknown, 7, "widht", "B: unknown size 'widht'; did you mean 'width'? (a size is a number or an int argument)");
    String notInt = spec("  B:", "    args: {p: float}", "    input: [batch, 4]", "    params: {w: {shape: [p]}}",
        "    forward: x");
    expect(notInt, 7, "p]", "B: argument 'p' is a float, not an int size");
  }

  @Test
  void tensorDeclarationsNeedAListOfKnownSizes() {
    String lazy = spec("  B:", "    input: [batch, 4]", "    params: {w: {shape: [\"?\", 4]}}", "    forward: x");
    expect(lazy, 6, "\"?", "B: a parameter needs known sizes; '?' is only for 'input'");
    String number = spec("  B:", "    input: [batch, 4]", "    buffers: {w: {shape: 4}}", "    forward: x");
    expect(number, 6, "4}", "B: a buffer's 'shape' must be a list of sizes, got the number 4");
    String input = spec("  B:", "    input: 4", "    forward: x");
    expect(input, 5, "4", "B: 'input' must be a list of sizes, got the number 4");
    String named = spec("  B:", "    inputs: {a: 4}", "    forward: a");
    expect(named, 5, "4", "B: input 'a' must be a list of sizes, got the number 4");
    String nested = spec("  B:", "    input: [batch, 4]", "    params: {w: {shape: [[2], 4]}}", "    forward: x");
    expect(nested, 6, "[2]", "B: a size must be a positive int, a name or \"?\", got a list");
    String noShape = spec("  B:", "    input: [batch, 4]", "    params: {w: {init: zeros}}", "    forward: x");
    expect(noShape, 6, "{init", "B.w: missing 'shape'");
  }

  @Test
  void containersTakeNoInitAndTheirItemsNoWhen() {
    String seq = spec("  B:", "    input: [batch, 4]", "    layers: {s: {sequential: [relu], init: {weight: zeros}}}",
        "    forward: s(x)");
    expect(seq, 6, "{weight", "B: an inline sequential takes no 'init'; put it on its layers or use block 'init' rules");
    String list = spec("  B:", "    input: [batch, 4]", "    layers: {m: {module_list: [relu], init: {weight: zeros}}}",
        "    forward: |", "      for f in m:", "        x = f(x)", "      return x");
    expect(list, 6, "{weight", "B: a module_list takes no 'init'; put it on its layers or use block 'init' rules");
    String when = spec("  B:", "    args: {n: int}", "    input: [batch, 4]",
        "    layers: {d: {module_dict: {a: {linear: 4, when: \"n > 1\"}}}}", "    forward: d.a(x)");
    expect(when, 7, "a: {", "B: 'when' is for a child of a block's 'layers', not inside a module_dict");
  }

  @Test
  void keysTakeTheirKindOfValue() {
    String forward = spec("  B:", "    input: [batch, 4]", "    forward: [x]");
    expect(forward, 6, "[x]", "B: 'forward' must be a string, got a list");
    String position = spec("  B:", "    input: [batch, 4]", "    position: 3", "    sequential: [relu]");
    expect(position, 6, "3", "B: 'position' must be the name of the int holding the first token's position, such as"
        + " 'start', got the number 3");
    String ignore = spec("  B:", "    input: [batch, 4]", "    ignore_on_load: pos", "    sequential: [relu]");
    expect(ignore, 6, "pos", "B: 'ignore_on_load' must be a list of state-dict keys, such as [position_ids], got the"
        + " string 'pos'");
    String seq = spec("  B:", "    input: [batch, 4]", "    sequential: relu");
    expect(seq, 6, "relu", "B: 'sequential' must be a list of layers, got the string 'relu'");
    String init = spec("  B:", "    input: [batch, 4]", "    sequential: [{linear: 4, init: {wieght: zeros}}]");
    expect(init, 6, "linear", "B: linear has no parameter 'wieght'; did you mean 'weight'?");
  }

  @Test
  void whenIsOneCondition() {
    String two = spec("  B:", "    args: {s: int}", "    input: [batch, 4]", "    layers:",
        "      a: {linear: 4, when: \"y = s\"}", "    forward: a(x)");
    expect(two, 8, "\"y", "B: 'when' is one condition, such as \"stride != 1\"");
  }

  /** The spec whose line 8 is child {@code a} with {@code when: <when>}. */
  private static String withWhen(String when) {
    return spec("  B:", "    args: {s: int}", "    input: [batch, 4]", "    layers:",
        "      a: {linear: 4, when: " + when + "}", "    forward: a(x)");
  }

  @Test
  void whenErrorsPointAtTheWrongPart() {
    // the name that is not an argument, not the 'or' above it
    String name = withWhen("\"s != 1 or depth > 2\"");
    expect(name, 8, "depth", "B: 'when': 'depth' is not an argument of the block (arguments: s)");
    String op = withWhen("\"s @ 2 == s\"");
    expect(op, 8, "@", "B: 'when': '@' is not a condition operator (arguments: s)");
    // leading spaces are not an indentation
    assertEquals(List.of(), Checked.of(withWhen("\"  s != 1\"")).errors);
    expect(withWhen("\"  s != 1 and t\""), 8, "t\"", "B: 'when': 't' is not an argument of the block (arguments: s)");
  }

  @Test
  void anEscapedLineBreakKeepsTheErrorOnItsLine() {
    // "\n" is two characters of line 8 of the file, and the text's second line starts after
    // them: an error there points at its place on line 8 (not at line 9)
    String escaped = withWhen("\"(s > 1 and\\n depth > 2)\"");
    expect(escaped, 8, "depth", "B: 'when': 'depth' is not an argument of the block (arguments: s)");
    // before the escape, columns are exact
    String first = withWhen("\"(dd > 1 and\\n s > 2)\"");
    expect(first, 8, "dd", "B: 'when': 'dd' is not an argument of the block (arguments: s)");
  }

  @Test
  void anEscapeBeforeTheErrorDoesNotShiftItsColumn() {
    // "\u0020" is six characters in the file and one (a space) in the text
    String unicode = withWhen("\"s\\u0020!= 1 or depth > 2\"");
    expect(unicode, 8, "depth", "B: 'when': 'depth' is not an argument of the block (arguments: s)");
    String two = withWhen("\"s\\x20!=\\t1 or depth > 2\"");
    expect(two, 8, "depth", "B: 'when': 'depth' is not an argument of the block (arguments: s)");
  }

  @Test
  void ignoreOnLoadKeysAreForeignAndListedOnce() {
    String text = spec("  B:", "    input: [batch, 4]", "    layers: {fc: {linear: 4}}", "    forward: fc(x)",
        "    ignore_on_load: [position_ids, fc.weight, position_ids, \"a..b\"]");
    assertEquals(List.of(
        at(text, 8, "fc.weight") + "B: 'ignore_on_load' key 'fc.weight' is in the block's own state; a load would never see it as unexpected",
        at(text, 8, "position_ids, \"") + "B: 'ignore_on_load' lists 'position_ids' twice",
        at(text, 8, "\"a..b\"") + "B: 'ignore_on_load' takes state-dict keys such as position_ids, got a..b"),
        Checked.of(text).errors);
  }
}
