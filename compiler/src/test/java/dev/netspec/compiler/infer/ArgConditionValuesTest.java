package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.ForwardParser;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A condition on arguments decided as Python evaluates it (each expected value worked by hand
 * from Python's operators: {@code 2 / 2 >= 1} is True, {@code 1 + 1 < 2} is False), and left
 * open (null) exactly when an argument it needs is a symbol.
 */
class ArgConditionValuesTest {
  private static Boolean decide(String condition, Object... nameValue) {
    Map<String, Object> env = new HashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      env.put((String) nameValue[i], nameValue[i + 1]);
    }
    try {
      Ast.Expr e = ((Ast.Return) ForwardParser.parse(condition).get(0)).value();
      return ArgCondition.decide(e, env);
    } catch (ForwardParser.SyntaxError e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void arithmeticInsideComparisons() {
    assertEquals(false, decide("n - 1 > 0", "n", 1L));
    assertEquals(true, decide("n - 1 > 0", "n", 2L));
    assertEquals(true, decide("n / 2 >= 1", "n", 2L));
    assertEquals(false, decide("n / 2 >= 1", "n", 1L));
    assertEquals(true, decide("n * 2 <= 4", "n", 2L));
    assertEquals(false, decide("n * 2 <= 4", "n", 3L));
    assertEquals(false, decide("n + 1 < 3", "n", 2L));
    assertEquals(true, decide("n + 1 < 3", "n", 1L));
    assertEquals(true, decide("-n < 0", "n", 1L));
    assertEquals(true, decide("n == 2", "n", Dim.of(2)));
    assertEquals(false, decide("n != 2", "n", Dim.of(2)));
    assertEquals(true, decide("f > 0.5", "f", 0.75));
    assertEquals(false, decide("f > 0.5", "f", 0.5));
  }

  @Test
  void andOrNotDecideWhatTheyCan() {
    assertEquals(false, decide("not flag", "flag", true));
    assertEquals(false, decide("flag and n > 1", "flag", false, "n", new Dim.Sym("n")));
    assertNull(decide("flag and n > 1", "flag", true, "n", new Dim.Sym("n")));
    assertEquals(true, decide("flag and n > 1", "flag", true, "n", 2L));
    assertEquals(true, decide("flag or n > 1", "flag", true, "n", new Dim.Sym("n")));
    assertEquals(true, decide("flag or n > 1", "flag", false, "n", 3L));
    assertEquals(false, decide("flag or n > 1", "flag", false, "n", 0L));
    assertNull(decide("flag or n > 1", "flag", false, "n", new Dim.Sym("n")));
    assertNull(decide("n == 2", "n", new Dim.Sym("n")));
    assertNull(decide("not n", "n", 1L), "'not' of a number is not a test");
    assertNull(decide("n > 1", "m", 2L), "an argument without a value");
  }
}
