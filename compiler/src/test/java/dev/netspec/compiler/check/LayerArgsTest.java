package dev.netspec.compiler.check;

import static dev.netspec.compiler.check.Checked.at;
import static dev.netspec.compiler.check.Checked.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.check.Model.ArgExpr;
import dev.netspec.compiler.check.Model.ArgRef;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.BlockUse;
import dev.netspec.compiler.check.Model.BuiltinUse;
import dev.netspec.compiler.check.Model.Literal;
import dev.netspec.compiler.check.Model.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The values a layer's or block's arguments take: sizes from 1 to 2^31 - 1, other ints
 * anywhere in an int, the block's own arguments by type, int arithmetic on them, and the
 * located error for each value one step outside.
 */
class LayerArgsTest {
  private static final String HEAD = "  B:\n    args: {n: int, f: float, flag: bool}\n    input: [batch, 4]";

  /** The spec whose line 7 is {@code sequential: [<layer>]}. */
  private static String text(String layer) {
    return spec(HEAD, "    sequential: [" + layer + "]");
  }

  private static List<String> errors(String layer) {
    return Checked.of(text(layer)).errors;
  }

  private static Map<String, Value> args(String layer) {
    Block b = Checked.block(text(layer), "B");
    return ((BuiltinUse) b.children().get(0).use()).args();
  }

  private static void refused(String layer, String token, String message) {
    assertEquals(List.of(at(text(layer), 7, token) + message), errors(layer), layer);
  }

  @Test
  void sizesRunFromOneToTheIntLimit() {
    assertEquals(1L, ((Literal) args("{linear: 1}").get("out_features")).value());
    assertEquals(2147483647L, ((Literal) args("{linear: 2147483647}").get("out_features")).value());
    refused("{linear: 0}", "0", "B.0 (linear): out_features must be positive, got 0");
    refused("{linear: 2147483648}", "2147483648", "B: linear out_features 2147483648 is larger than 2147483647");
    refused("{conv2d: {out_channels: 4, kernel_size: [3, 0]}}", "0]", "B.0 (conv2d): kernel_size must be positive, got 0");
  }

  @Test
  void otherIntsTakeAnyInt() {
    assertEquals(-1L, ((Literal) args("{softmax: -1}").get("dim")).value());
    assertEquals(-2147483648L, ((Literal) args("{softmax: -2147483648}").get("dim")).value());
    assertEquals(2147483647L, ((Literal) args("{softmax: 2147483647}").get("dim")).value());
    refused("{softmax: 2147483648}", "2147483648", "B: softmax dim 2147483648 does not fit an int");
    refused("{softmax: -2147483649}", "-2147483649", "B: softmax dim -2147483649 does not fit an int");
  }

  @Test
  void theBlocksArgumentsGoWhereTheirTypeFits() {
    assertEquals("n", ((ArgRef) args("{linear: n}").get("out_features")).name());
    assertEquals("f", ((ArgRef) args("{dropout: f}").get("p")).name());
    assertEquals("n", ((ArgRef) args("{dropout: n}").get("p")).name(), "an int is a number");
    assertEquals(0.5, ((Literal) args("{dropout: 0.5}").get("p")).value());
    assertEquals(1.0, ((Literal) args("{dropout: 1}").get("p")).value(), "an int literal is read as a float");
    refused("{linear: f}", "f}", "B: linear out_features cannot take argument 'f' of type float");
    refused("{linear: flag}", "flag", "B: linear out_features cannot take argument 'flag' of type bool");
    refused("{dropout: flag}", "flag", "B: dropout p cannot take argument 'flag' of type bool");
    refused("{linear: {out_features: 2, bias: n}}", "n}", "B: linear bias cannot take argument 'n' of type int");
    refused("{linear: nn}", "nn", "B: linear out_features expects an int, got 'nn'; did you mean 'n'?");
  }

  @Test
  void intArithmeticOnIntArguments() {
    ArgExpr e = (ArgExpr) args("{linear: \"3 * n + 1 \"}").get("out_features");
    assertEquals("3 * n + 1", e.text());
    // reported at the part that is wrong, not at the operator above it
    refused("{linear: \"3 * f\"}", "f\"", "B: linear out_features: 'f' is not an int argument of the block (int arguments: n)");
    refused("{linear: \"3 * 1.5\"}", "1.5", "B: linear out_features: sizes are ints, got 1.5 (int arguments: n)");
    refused("{linear: \"n + 2 * n + m\"}", "m\"", "B: linear out_features: 'm' is not an int argument of the block (int arguments: n)");
    refused("{linear: \"2 + -f\"}", "f\"", "B: linear out_features: 'f' is not an int argument of the block (int arguments: n)");
    // an operator that is not + - * is itself the wrong part
    refused("{linear: \"1 + n / 2\"}", "/", "B: linear out_features: an int value is + - * of ints and int arguments (int arguments: n)");
    refused("{linear: \"n + (n < 2)\"}", "<", "B: linear out_features: an int value is + - * of ints and int arguments (int arguments: n)");
  }

  @Test
  void spacesAroundArithmeticAreNotIndentation() {
    // " 3 * n" is what Python's int(eval(" 3 * n")) reads: the leading space is not an indented line
    ArgExpr e = (ArgExpr) args("{linear: \" 3 * n\"}").get("out_features");
    assertEquals("3 * n", e.text());
    ArgExpr two = (ArgExpr) args("{linear: \"  n - 1\"}").get("out_features");
    assertEquals("n - 1", two.text());
    // after the spaces, columns still count from the file
    refused("{linear: \"  3 * m\"}", "m\"", "B: linear out_features: 'm' is not an int argument of the block (int arguments: n)");
  }

  @Test
  void blockArgumentsAreAllNeeded() {
    String inner = "  Inner:\n    args: {a: int, b: int, c: float}\n    sequential: [{linear: a}]";
    String one = spec(inner, "  Outer:", "    input: [batch, 4]", "    sequential: [{Inner: {a: 2, c: 1}}]");
    assertEquals(List.of(at(one, 9, "Inner") + "Outer: block Inner needs argument b"), Checked.of(one).errors);
    String two = spec(inner, "  Outer:", "    input: [batch, 4]", "    sequential: [{Inner: {a: 2}}]");
    assertEquals(List.of(at(two, 9, "Inner") + "Outer: block Inner needs arguments b, c"), Checked.of(two).errors);
    String all = spec(inner, "  Outer:", "    input: [batch, 4]", "    sequential: [{Inner: {a: 2, b: 3, c: 1}}]");
    Block outer = Checked.block(all, "Outer");
    BlockUse u = (BlockUse) outer.children().get(0).use();
    assertEquals(2L, ((Literal) u.args().get("a")).value());
    assertEquals(1.0, ((Literal) u.args().get("c")).value(), "a float argument reads an int literal as a float");
    String scalar = spec(inner, "  Outer:", "    input: [batch, 4]", "    sequential: [{Inner: 3}]");
    assertEquals(List.of(at(scalar, 9, "3") + "Outer: the arguments of block Inner must be a mapping such as {a: 1, b: 1, c: 1}, got the number 3"),
        Checked.of(scalar).errors);
  }

  @Test
  void eachTypeSaysWhatItExpects() {
    // a name that is no argument of the block: what the layer's argument takes, in words
    refused("{dropout: abc}", "abc", "B: dropout p expects a number, got 'abc'");
    refused("{linear: {out_features: 2, bias: yes}}", "yes", "B: linear bias expects true or false, got 'yes'");
    refused("{linear: {out_features: 2, bias: flg}}", "flg",
        "B: linear bias expects true or false, got 'flg'; did you mean 'flag'?");
    refused("{conv2d: {out_channels: 4, kernel_size: k3}}", "k3",
        "B: conv2d kernel_size expects an int or a list of ints, got 'k3'");
    refused("{linear: \"(n, 2)\"}", "\"(n", "B: linear out_features expects an int, got '(n, 2)'");
    // a value of another kind
    refused("{linear: {out_features: 2, bias: 1}}", "1}", "B: linear bias must be true or false, got the number 1");
    refused("{dropout: true}", "true", "B: dropout p must be a number, got the boolean true");
    refused("{linear: 3.5}", "3.5", "B: linear out_features must be an int, got the number 3.5");
    refused("{conv2d: {out_channels: 4, kernel_size: 3, padding_mode: 3}}", "3}}",
        "B: conv2d padding_mode must be a string, got the number 3");
    refused("{conv2d: {out_channels: 4, kernel_size: 3, padding: 1.5}}", "1.5",
        "B: conv2d padding must be an int, a list of ints or a string, got the number 1.5");
    refused("{conv2d: {out_channels: 4, kernel_size: [3, x]}}", "x]", "B: conv2d kernel_size must be an int, got the string 'x'");
    refused("{conv2d: {out_channels: 4, kernel_size: []}}", "[]",
        "B: conv2d kernel_size must be an int or a list of ints, got a list");
    // the block's arguments by type: a string takes none of them, an int or a string an int
    refused("{conv2d: {out_channels: 4, kernel_size: 3, padding_mode: n}}", "n}}",
        "B: conv2d padding_mode cannot take argument 'n' of type int");
    refused("{conv2d: {out_channels: 4, kernel_size: 3, padding: f}}", "f}}",
        "B: conv2d padding cannot take argument 'f' of type float");
    assertEquals("n", ((ArgRef) args("{conv2d: {out_channels: 4, kernel_size: 3, padding: n}}").get("padding")).name());
    assertEquals("same", ((Literal) args("{conv2d: {out_channels: 4, kernel_size: 3, padding: same}}").get("padding")).value());
    assertEquals(List.of(3L, 1L), ((Literal) args("{conv2d: {out_channels: 4, kernel_size: [3, 1]}}").get("kernel_size")).value());
    // arithmetic is for ints: a float argument reads the text as a name
    refused("{dropout: \"f * 2\"}", "\"f", "B: dropout p expects a number, got 'f * 2'");
    refused("{linear: \"n + 2 *\"}", "\"}", "B: linear out_features: expected an expression, found the end of the line");
  }

  @Test
  void argumentNamesAndRequiredArguments() {
    refused("{linear: {out_features: 2, bais: true}}", "bais",
        "B: linear has no argument 'bais'; did you mean 'bias'? (arguments: in_features, out_features, bias)");
    // a misspelled required argument is one error, not also "needs" it
    refused("{linear: {out_featurs: 2}}", "out_featurs",
        "B: linear has no argument 'out_featurs'; did you mean 'out_features'? (arguments: in_features, out_features, bias)");
    // at the layer, with an example of the argument (a dim counts from the end)
    refused("{linear: {bias: true}}", "linear", "B: linear needs 'out_features', such as {linear: 8}");
    refused("{conv2d: {out_channels: 4}}", "conv2d", "B: conv2d needs 'kernel_size', such as {conv2d: {kernel_size: 8}}");
    refused("{softmax: {}}", "softmax", "B: softmax needs 'dim', such as {softmax: -1} for the last dim");
    refused("{dropout: {p: 0.5, q: 1}}", "q:", "B: dropout has no argument 'q'; did you mean 'p'? (arguments: p)");
    refused("{dropout: {p: 0.5, zzz: 1}}", "zzz", "B: dropout has no argument 'zzz' (arguments: p)");
    refused("{relu: 3}", "3", "B: relu takes its arguments by name, such as {relu: {inplace: ...}}");
    // null is no argument at all
    assertEquals(Map.of(), args("{relu: null}"));
  }

  @Test
  void argumentDeclarationsAreChecked() {
    String bad = spec("  B:", "    args: {2x: int, k: flaot}", "    input: [batch, 4]", "    sequential: [relu]");
    assertEquals(List.of(at(bad, 5, "2x") + "B: argument name '2x' is not a valid identifier",
        at(bad, 5, "flaot") + "B: unknown argument type 'flaot'; did you mean 'float'? (int, float or bool)"),
        Checked.of(bad).errors);
  }
}
