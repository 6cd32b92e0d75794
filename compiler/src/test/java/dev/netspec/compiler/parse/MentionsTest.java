package dev.netspec.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The names a statement or expression mentions, in the order they are written, each once:
 * what the generator checks before it moves a step. Read off each text by hand.
 */
class MentionsTest {
  private static Ast.Stmt stmt(String text) throws ForwardParser.SyntaxError {
    List<Ast.Stmt> program = ForwardParser.parse(text);
    assertEquals(1, program.size());
    return program.get(0);
  }

  private static Ast.Expr expr(String text) throws ForwardParser.SyntaxError {
    return ((Ast.Return) stmt(text)).value();
  }

  private static List<String> of(String text) throws ForwardParser.SyntaxError {
    return List.copyOf(Mentions.of(stmt(text)));
  }

  @Test
  void statementsMentionWhatTheyAssignAndRead() throws Exception {
    assertEquals(List.of("y", "relu", "x", "b"), of("y = relu(x) + b * 2"));
    assertEquals(List.of("y", "x"), of("return -y @ x"));
    assertEquals(List.of("n", "k", "y", "f"), of("while n < k:\n  y = f(y)\n  n = n + 1"));
    assertEquals(List.of("a", "y", "g", "z", "h"), of("if a:\n  y = g(z)\nelse:\n  y = h(z)"));
    assertEquals(List.of("m", "layers", "y"), of("for m in layers:\n  y = m(y)"));
    assertEquals(List.of(Mentions.ANY), of("out, h = lstm(x)"), "a kind it does not follow");
  }

  @Test
  void expressionsMentionEveryNameCalleeAndArgument() throws Exception {
    assertEquals(List.of("f", "a", "k", "w"), List.copyOf(Mentions.of(expr("f(a, dim=k, w=w)"))));
    assertEquals(List.of("x"), List.copyOf(Mentions.of(expr("x.T"))));
    assertEquals(List.of("F", "relu", "z"), List.copyOf(Mentions.of(expr("F.relu(z)"))));
    assertEquals(List.of("a", "b"), List.copyOf(Mentions.of(expr("(a, not b)"))));
    assertEquals(List.of(), List.copyOf(Mentions.of(expr("1 + 2.5 * True"))));
    assertEquals(List.of("gelu", "x", Mentions.ANY), List.copyOf(Mentions.of(expr("gelu(x, approximate='tanh')"))));
    assertEquals(List.of(Mentions.ANY), List.copyOf(Mentions.of(expr("x[0]"))), "a kind it does not follow");
    assertEquals(3, Mentions.count(expr("x * x + f(x, y)"), "x"));
    assertEquals(1, Mentions.count(expr("x * x + f(x, y)"), "y"));
    assertEquals(0, Mentions.count(expr("x * x + f(x, y)"), "z"));
  }
}
