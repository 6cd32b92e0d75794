package dev.netspec.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.compiler.parse.Ast.Assign;
import dev.netspec.compiler.parse.Ast.Binary;
import dev.netspec.compiler.parse.Ast.Bool;
import dev.netspec.compiler.parse.Ast.Call;
import dev.netspec.compiler.parse.Ast.Ellipsis;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.For;
import dev.netspec.compiler.parse.Ast.If;
import dev.netspec.compiler.parse.Ast.Kwarg;
import dev.netspec.compiler.parse.Ast.Loc;
import dev.netspec.compiler.parse.Ast.Method;
import dev.netspec.compiler.parse.Ast.Name;
import dev.netspec.compiler.parse.Ast.NoneLit;
import dev.netspec.compiler.parse.Ast.Num;
import dev.netspec.compiler.parse.Ast.Return;
import dev.netspec.compiler.parse.Ast.Slice;
import dev.netspec.compiler.parse.Ast.Stmt;
import dev.netspec.compiler.parse.Ast.Str;
import dev.netspec.compiler.parse.Ast.Subscript;
import dev.netspec.compiler.parse.Ast.Tuple;
import dev.netspec.compiler.parse.Ast.Unary;
import dev.netspec.compiler.parse.Ast.Unpack;
import dev.netspec.compiler.parse.Ast.While;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The forward language's parser against trees written out by hand: Python's precedence and
 * associativity (the language reference's table, lowest first: {@code or}, {@code and},
 * {@code not}, comparisons, {@code + -}, {@code * / @}, unary {@code -}, {@code **}), each node
 * at its token's line and column (counted in the text here), statements and blocks, and each
 * syntax error with its message and place.
 */
class ForwardParserTest {
  private static Loc at(int line, int column) {
    return new Loc(line, column);
  }

  private static Name name(int column, String n) {
    return new Name(at(1, column), n);
  }

  private static Num integer(int column, double v) {
    return new Num(at(1, column), v, true);
  }

  private static Expr expr(String text) throws ForwardParser.SyntaxError {
    List<Stmt> program = ForwardParser.parse(text);
    assertEquals(1, program.size(), program::toString);
    return ((Return) program.get(0)).value();
  }

  private static String error(String text) {
    ForwardParser.SyntaxError e = assertThrows(ForwardParser.SyntaxError.class,
        () -> ForwardParser.parse(text));
    return e.loc().line() + ":" + e.loc().column() + ": " + e.getMessage();
  }

  @Test
  void precedenceAndAssociativityArePythons() throws Exception {
    // a + b * c ** d ** e - -f
    // 1 3 5 7 9 11 14 16 19 21 23,24
    Expr powers = new Binary(at(1, 11), "**", name(9, "c"),
        new Binary(at(1, 16), "**", name(14, "d"), name(19, "e"))); // right-associative
    assertEquals(new Binary(at(1, 21), "-",
            new Binary(at(1, 3), "+", name(1, "a"), new Binary(at(1, 7), "*", name(5, "b"), powers)),
            new Unary(at(1, 23), "-", name(24, "f"))),
        expr("a + b * c ** d ** e - -f"));
    // -x ** 2 is -(x ** 2); a - b - c and a / b @ c group to the left
    assertEquals(new Unary(at(1, 1), "-", new Binary(at(1, 4), "**", name(2, "x"), integer(7, 2))),
        expr("-x ** 2"));
    assertEquals(new Binary(at(1, 7), "-", new Binary(at(1, 3), "-", name(1, "a"), name(5, "b")),
        name(9, "c")), expr("a - b - c"));
    assertEquals(new Binary(at(1, 7), "@", new Binary(at(1, 3), "/", name(1, "a"), name(5, "b")),
        name(9, "c")), expr("a / b @ c"));
    // not a == b and c or d: not binds below ==, above and; and above or
    assertEquals(new Binary(at(1, 18), "or",
            new Binary(at(1, 12), "and",
                new Unary(at(1, 1), "not", new Binary(at(1, 7), "==", name(5, "a"), name(10, "b"))),
                name(16, "c")),
            name(21, "d")),
        expr("not a == b and c or d"));
    // comparisons below arithmetic: a + 1 < b * 2
    assertEquals(new Binary(at(1, 7), "<", new Binary(at(1, 3), "+", name(1, "a"), integer(5, 1)),
        new Binary(at(1, 11), "*", name(9, "b"), integer(13, 2))), expr("a + 1 < b * 2"));
    for (String op : List.of("<=", ">=", "!=", ">", "<")) {
      assertEquals(new Binary(at(1, 3), op, name(1, "a"), name(4 + op.length(), "b")),
          expr("a " + op + " b"), op);
    }
    // parentheses override, and leave no node of their own
    assertEquals(new Binary(at(1, 9), "*", new Binary(at(1, 4), "+", name(2, "a"), name(6, "b")),
        name(11, "c")), expr("(a + b) * c"));
  }

  @Test
  void literalsKeepTheirKindAndValue() throws Exception {
    assertEquals(new Num(at(1, 1), 3, true), expr("3"));
    assertEquals(new Num(at(1, 1), 1.5, false), expr("1.5"));
    assertEquals(new Num(at(1, 1), 0.5, false), expr(".5"));
    assertEquals(new Num(at(1, 1), 1000, false), expr("1e3"));
    assertEquals(new Num(at(1, 1), 0.002, false), expr("2E-3"));
    assertEquals(new Num(at(1, 1), 250, false), expr("2.5e+2"));
    assertEquals(new Bool(at(1, 1), true), expr("True"));
    assertEquals(new Bool(at(1, 1), false), expr("False"));
    assertEquals(new NoneLit(at(1, 1)), expr("None"));
    assertEquals(new Call(at(1, 1), "gelu", List.of(name(6, "x")),
            List.of(new Kwarg(at(1, 9), "approximate", new Str(at(1, 21), "tanh")))),
        expr("gelu(x, approximate=\"tanh\")"));
    assertEquals("1:1: malformed number '1.2.3'", error("1.2.3"));
  }

  @Test
  void callsTuplesListsAndAttributes() throws Exception {
    // f(x, 2, dim=-1,): a trailing comma as in Python
    assertEquals(new Call(at(1, 1), "f", List.of(name(3, "x"), integer(6, 2)),
            List.of(new Kwarg(at(1, 9), "dim", new Unary(at(1, 13), "-", integer(14, 1))))),
        expr("f(x, 2, dim=-1,)"));
    assertEquals(new Call(at(1, 1), "g", List.of(), List.of()), expr("g()"));
    assertEquals(new Tuple(at(1, 1), List.of(name(2, "a"), name(5, "b"))), expr("(a, b)"));
    assertEquals(new Tuple(at(1, 1), List.of(name(2, "a"))), expr("(a,)"));
    assertEquals(new Tuple(at(1, 1), List.of(integer(2, 2), new Unary(at(1, 5), "-", integer(6, 1)))),
        expr("[2, -1]"));
    assertEquals(new Tuple(at(1, 1), List.of()), expr("[]"));
    assertEquals(new Ast.Attr(at(1, 3), name(1, "x"), "T"), expr("x.T"));
    assertEquals("1:8: positional argument after a keyword argument", error("f(a=1, x)"));
    assertEquals("1:3: expected a name after '.', found '('", error("x.(1)"));
    assertEquals("1:5: expected an expression, found the end of the forward", error("f(x,"));
    assertEquals("1:1: expected an expression, found ')'", error(")"));
  }

  @Test
  void methodsKeepTheSourceOfTheirTargetAndArguments() throws Exception {
    // F.relu(x + 1): the texts are for "write relu(x + 1) instead"
    assertEquals(new Method(at(1, 1), name(1, "F"),
            new Call(at(1, 3), "relu", List.of(new Binary(at(1, 10), "+", name(8, "x"), integer(12, 1))),
                List.of()), "F", "x + 1"),
        expr("F.relu(x + 1)"));
    // torch.nn.functional.relu( x ): a chain of attributes, the arguments' spaces trimmed
    Expr chain = expr("torch.nn.functional.relu( x )");
    Method m = (Method) chain;
    assertEquals("torch.nn.functional", m.targetText());
    assertEquals("x", m.argsText());
    assertEquals(new Ast.Attr(at(1, 10), new Ast.Attr(at(1, 7), name(1, "torch"), "nn"), "functional"),
        m.target());
    // an argument list over two lines is one line of text
    Method twoLines = (Method) expr("h.view(a,\n  b)");
    assertEquals("a, b", twoLines.argsText());
    assertEquals(List.of(new Name(at(1, 8), "a"), new Name(at(2, 3), "b")), twoLines.call().args());
    // h[0](x): a module list's item called, located at the list's name
    assertEquals(new Method(at(1, 1),
            new Subscript(at(1, 2), name(1, "h"), List.of(integer(3, 0))),
            new Call(at(1, 1), Ast.ITEM_CALL, List.of(name(6, "x")), List.of()), "h[0]", "x"),
        expr("h[0](x)"));
  }

  @Test
  void subscriptsHoldIndicesSlicesEllipsesAndNewAxes() throws Exception {
    // x[:, 0, ..., None, 1:n, ::2, a:b:c]
    // 1 3 6 9 14 20,21,22 25,27 30,31,32,33,34
    Expr e = expr("x[:, 0, ..., None, 1:n, ::2, a:b:c]");
    assertEquals(new Subscript(at(1, 2), name(1, "x"), List.of(
        new Slice(at(1, 3), null, null, null),
        integer(6, 0),
        new Ellipsis(at(1, 9)),
        new NoneLit(at(1, 14)),
        new Slice(at(1, 20), integer(20, 1), name(22, "n"), null),
        new Slice(at(1, 25), null, null, integer(27, 2)),
        new Slice(at(1, 30), name(30, "a"), name(32, "b"), name(34, "c")))), e);
    // x[0,] as in Python; x[1:][0] chains
    assertEquals(new Subscript(at(1, 2), name(1, "x"), List.of(integer(3, 0))), expr("x[0,]"));
    assertEquals(new Subscript(at(1, 6), new Subscript(at(1, 2), name(1, "x"),
            List.of(new Slice(at(1, 3), integer(3, 1), null, null))), List.of(integer(7, 0))),
        expr("x[1:][0]"));
    assertEquals("1:3: expected an index or a slice inside '[]', found ']'", error("x[]"));
  }

  @Test
  void statementsAndBlocks() throws Exception {
    String text = String.join("\n",
        "y = x",                     // 1
        "y += 1",                    // 2
        "while y < 3:",              // 3
        "    y *= 2",                // 4
        "if a:",                     // 5
        "    y -= 1",                // 6
        "elif b:",                   // 7
        "    # a comment line",      // 8
        "",                          // 9
        "    y /= 2",                // 10
        "else:",                     // 11
        "    for m in h:",           // 12
        "        y = m(y)",          // 13
        "out, (h, c) = lstm(y)",     // 14
        "return out, h");            // 15
    List<Stmt> program = ForwardParser.parse(text);
    assertEquals(List.of(
        new Assign(at(1, 1), "y", "=", new Name(at(1, 5), "x")),
        new Assign(at(2, 1), "y", "+=", new Num(at(2, 6), 1, true)),
        new While(at(3, 1), new Binary(at(3, 9), "<", new Name(at(3, 7), "y"), new Num(at(3, 11), 3, true)),
            List.of(new Assign(at(4, 5), "y", "*=", new Num(at(4, 10), 2, true)))),
        new If(at(5, 1), new Name(at(5, 4), "a"),
            List.of(new Assign(at(6, 5), "y", "-=", new Num(at(6, 10), 1, true))),
            List.of(new If(at(7, 1), new Name(at(7, 6), "b"),
                List.of(new Assign(at(10, 5), "y", "/=", new Num(at(10, 10), 2, true))),
                List.of(new For(at(12, 5), "m", at(12, 9), new Name(at(12, 14), "h"),
                    List.of(new Assign(at(13, 9), "y", "=",
                        new Call(at(13, 13), "m", List.of(new Name(at(13, 15), "y")), List.of())))))))),
        new Unpack(at(14, 1), new Tuple(at(14, 1), List.of(new Name(at(14, 1), "out"),
                new Tuple(at(14, 6), List.of(new Name(at(14, 7), "h"), new Name(at(14, 10), "c"))))),
            new Call(at(14, 15), "lstm", List.of(new Name(at(14, 20), "y")), List.of())),
        new Return(at(15, 1), new Tuple(at(15, 1), List.of(new Name(at(15, 8), "out"),
            new Name(at(15, 13), "h"))))), program);
  }

  @Test
  void unpackingForms() throws Exception {
    // (h, c) = s unpacks into the group itself; a, b = b, a swaps; a trailing comma closes
    assertEquals(List.of(new Unpack(at(1, 1), new Tuple(at(1, 1), List.of(new Name(at(1, 2), "h"),
            new Name(at(1, 5), "c"))), new Name(at(1, 10), "s"))),
        ForwardParser.parse("(h, c) = s"));
    assertEquals(List.of(new Unpack(at(1, 1), new Tuple(at(1, 1), List.of(new Name(at(1, 1), "a"),
            new Name(at(1, 4), "b"))),
            new Tuple(at(1, 1), List.of(new Name(at(1, 8), "b"), new Name(at(1, 11), "a"))))),
        ForwardParser.parse("a, b = b, a"));
    assertEquals(List.of(new Unpack(at(1, 1), new Tuple(at(1, 1), List.of(new Name(at(1, 1), "a"),
            new Tuple(at(1, 4), List.of(new Name(at(1, 5), "b"))))), new Name(at(1, 12), "t"))),
        ForwardParser.parse("a, (b,), = t"));
    // (x + 1) * 2 is an expression, not the start of an unpacking
    assertEquals(new Binary(at(1, 9), "*", new Binary(at(1, 4), "+", name(2, "x"), integer(6, 1)),
        integer(11, 2)), expr("(x + 1) * 2"));
    assertEquals(new Tuple(at(1, 1), List.of(name(2, "a"), name(5, "b"))), expr("(a, b)\n"));
    assertEquals("1:5: expected '=' after the names to unpack into, found the end of the line",
        error("a, b"));
    assertEquals("1:4: expected a name to unpack into, found '1'", error("a, 1 = t"));
    assertEquals("1:5: expected a name to unpack into, found 'if'", error("a, (if) = t"));
    assertEquals("1:7: expected ')', found '='", error("a, (b = t"));
  }

  @Test
  void statementErrorsNameWhatWasExpected() {
    assertEquals("2:1: expected a statement (name = expression, while, for, if or return), found '1'",
        error("y = x\n1"));
    assertEquals("2:1: expected a statement (name = expression, while, for, if or return), found 'and'",
        error("y = x\nand"));
    assertEquals("2:1: 'else' without a matching 'if'", error("y = x\nelse:\n  y = 1"));
    assertEquals("2:1: 'elif' without a matching 'if'", error("y = x\nelif a:\n  y = 1"));
    assertEquals("2:3: unexpected indentation", error("y = x\n  y = 1"));
    assertEquals("1:7: expected the end of the line, found 'z'", error("y = x z"));
    assertEquals("1:5: expected ':', found the end of the line", error("if a\n  y = 1"));
    assertEquals("1:7: expected a new line after ':', found 'y'", error("if a: y = 1"));
    assertEquals("2:1: expected an indented block, found 'y'", error("if a:\ny = 1"));
    assertEquals("1:5: expected a loop variable after 'for', found '1'", error("for 1 in h:\n  y = 1"));
    assertEquals("1:5: expected a loop variable after 'for', found 'in'", error("for in h:\n  y = 1"));
    assertEquals("1:7: expected 'in' after 'for m', found 'of'", error("for m of h:\n  y = 1"));
    assertEquals("1:7: expected 'in' after 'for m', found '='", error("for m = h:\n  y = 1"));
    assertEquals("1:1: a forward is the body of PyTorch's forward only: leave out 'def forward(self, x):',"
        + " write its statements without 'self.', and the input is x",
        error("def forward(self, x):  # the model\n  return x"));
    assertEquals("1:1: a forward is the body of PyTorch's forward only: leave out 'class Net:',"
        + " write its statements without 'self.', and the input is x", error("class Net:\n  y = 1"));
    assertEquals("1:3: expected end of the forward expression, found 'x'", error("x x"));
  }

  @Test
  void tokensAndIndentation() throws Exception {
    assertEquals("2:2: tabs are not allowed for indentation", error("if a:\n \ty = 1"));
    assertEquals("3:3: indentation does not match any outer block",
        error("if a:\n    y = 1\n  y = 2"));
    assertEquals("1:3: unexpected character '$'", error("x $ y"));
    assertEquals("1:6: unterminated string", error("gelu(\"tanh)"));
    assertEquals("1:6: expected an indented block, found the end of the forward", error("if a:\n"));
    assertEquals("3:1: expected an indented block, found the end of the block",
        error("if a:\n  if b:\ny = 1"));
    // a line break inside brackets continues the line; a comment ends it; '\r' is a space
    assertEquals(new Call(at(1, 1), "f", List.of(name(3, "a"), new Name(at(3, 3), "b")), List.of()),
        expr("f(a,  # first\n\n  b)\r\n"));
    assertEquals(List.of(new If(at(1, 1), new Name(at(1, 4), "a"),
            List.of(new If(at(2, 3), new Name(at(2, 6), "b"),
                List.of(new Return(at(3, 5), new Name(at(3, 12), "x"))), List.of())),
            List.of())),
        ForwardParser.parse("if a:\n  if b:\n    return x\n"));
    // the last DEDENTs and the END stand after the last line that has a token
    assertEquals("2:14: expected an expression, found the end of the block",
        error("if a:\n  return f(x,\n# done\n\n"));
  }

  @Test
  void edgesOfTheText() throws Exception {
    assertEquals("1:1: expected an expression, found the end of the forward", error(""));
    assertEquals("1:10: expected the end of the line, found 'x'", error("return x x"));
    assertEquals("1:3: expected a name after '.', found the end of the line", error("x."));
    assertEquals("1:1: malformed number '1e'", error("1e"));
    // a line of only '\r' (a Windows blank line) ends a line like '\n': before the first
    // statement, between two, and inside a block
    assertEquals(List.of(new Return(at(2, 1), new Name(at(2, 8), "x"))), ForwardParser.parse("\r\nreturn x"));
    assertEquals(List.of(new Assign(at(1, 1), "y", "=", new Name(at(1, 5), "x")),
            new Return(at(3, 1), new Name(at(3, 8), "y"))),
        ForwardParser.parse("y = x\n\r\nreturn y"));
    assertEquals(List.of(new If(at(1, 1), new Name(at(1, 4), "a"),
            List.of(new Assign(at(3, 3), "y", "=", new Name(at(3, 7), "x")),
                new Return(at(5, 3), new Name(at(5, 10), "y"))), List.of())),
        ForwardParser.parse("if a:\r\n\r\n  y = x\r\n\r\n  return y"));
    // forty blocks one after another nest no deeper than one
    ForwardParser.parse("if a:\n  y = 1\n".repeat(40) + "return y");
    // the names to unpack into nest through any item: 256 groups, the innermost reached as
    // each group's second item, put its names 257 deep (its 'a' at column 4 * 255 + 2)
    String nested = "b";
    for (int i = 0; i < 255; i++) {
      nested = "(a, " + nested + ")";
    }
    ForwardParser.parse(nested + " = t");
    assertEquals("1:1022: the names to unpack into are nested more than 256 deep",
        error("(a, " + nested + ") = t"));
  }

  @Test
  void parseValueAllowsSpacesBeforeTheText() throws Exception {
    assertEquals(List.of(new Return(at(1, 2), new Binary(at(1, 4), "*", new Num(at(1, 2), 3, true),
        new Name(at(1, 6), "n")))), ForwardParser.parseValue(" 3 * n"));
    assertEquals(List.of(new Return(at(2, 3), new Name(at(2, 3), "n"))), ForwardParser.parseValue("\n  n"));
    ForwardParser.SyntaxError e = assertThrows(ForwardParser.SyntaxError.class,
        () -> ForwardParser.parse(" 3 * n"));
    assertEquals("expected an expression, found an indented line", e.getMessage());
    // a value's later line may not be indented less than its first
    e = assertThrows(ForwardParser.SyntaxError.class, () -> ForwardParser.parseValue("  a\nb"));
    assertEquals(new Loc(2, 1), e.loc());
    assertEquals("indentation does not match any outer block", e.getMessage());
  }

  @Test
  void theTreeDepthLimitCountsEveryKindOfNode() throws Exception {
    // 256 levels are allowed; a node is one level above its deepest child, a leaf is 1:
    // a leaf and 255 operators, a node over a leaf and 254, ...
    assertLimit("x", 255);
    assertLimit("-x", 254);
    assertLimit("(not x)", 254);
    assertLimit("f(x)", 254);
    assertLimit("f()", 255);
    assertLimit("f(g(x))", 253);
    assertLimit("x[0]", 254);
    assertLimit("x[1:2]", 253);
    assertLimit("x[...]", 254);
    assertLimit("x[f(y):]", 252);
    assertLimit("x[:f(y)]", 252);
    assertLimit("x[::f(y)]", 252);
    assertLimit("f(x)[0]", 253);
    assertLimit("x[f(y)]", 253);
    assertLimit("x.T", 254);
    assertLimit("x.T.T", 253);
    assertLimit("x.relu()", 254);
    assertLimit("F.relu(x)", 253);
    assertLimit("h[0](x)", 253);
    assertLimit("(x, y)", 254);
    assertLimit("[x, f(y)]", 253);
    assertLimit("[]", 255);
    assertLimit("(x)", 255);
    assertLimit("1", 255);
    assertLimit("'a'", 255);
    assertLimit("True", 255);
    assertLimit("None", 255);
  }

  /** {@code first} then {@code ops} times {@code + x} parses; one more is refused. */
  private static void assertLimit(String first, int ops) throws Exception {
    String ok = first + " + x".repeat(ops);
    ForwardParser.parse(ok);
    String over = ok + " + x";
    assertEquals("1:" + (over.length() - 2) + ": expression is nested deeper than 256 operations;"
        + " split it into several statements", error(over), first);
  }

  @Test
  void theNestingLimitCountsBracketsAndBlocks() throws Exception {
    // 64 levels of expressions: the outermost and 63 parentheses
    ForwardParser.parse("(".repeat(63) + "x" + ")".repeat(63));
    assertEquals("1:65: expression is nested deeper than 64",
        error("(".repeat(64) + "x" + ")".repeat(64)));
    // blocks nest 20 deep (Python's limit), each kind of block counting, and the innermost
    // still holds an expression 64 deep; the 21st block is refused at its first line
    String[] headers = {"if a:", "while a:", "for l in h:", "else:"};
    StringBuilder blocks = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      String header = headers[i % 4];
      if (header.equals("else:")) {
        blocks.append(" ".repeat(i)).append("if a:\n").append(" ".repeat(i + 1)).append("y = 1\n");
      }
      blocks.append(" ".repeat(i)).append(header).append("\n");
    }
    ForwardParser.parse(blocks + " ".repeat(20) + "y = " + "(".repeat(63) + "x" + ")".repeat(63) + "\n");
    int lines = blocks.toString().split("\n").length;
    assertEquals((lines + 1) + ":89: expression is nested deeper than 64", // at x, after 64 '('

        error(blocks + " ".repeat(20) + "y = " + "(".repeat(64) + "x" + ")".repeat(64) + "\n"));
    blocks.append(" ".repeat(20)).append("if a:\n");
    assertEquals((lines + 2) + ":22: blocks are nested deeper than 20 (as in Python); move the inner"
        + " ones into a block of the spec that this forward calls", error(blocks + " ".repeat(21) + "y = 1\n"));
    // names to unpack into nest too: 256 groups are allowed
    String deep = "(".repeat(255) + "a" + ")".repeat(255);
    ForwardParser.parse(deep + " = t");
    assertEquals("1:257: the names to unpack into are nested more than 256 deep",
        error("(" + deep + ") = t"));
  }
}
