package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.infer.ArgCondition;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.ForwardParser;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Conditions on block arguments: decided per instance, open in the generic one, and their Java. */
class ArgConditionTest {
  private static final String DOWNSAMPLE = "stride != 1 or in_planes != planes";

  private static Expr parse(String text) throws ForwardParser.SyntaxError {
    return ((Ast.Return) ForwardParser.parse(text).get(0)).value();
  }

  private static Map<String, Object> block(Dim stride, Dim in, Dim planes) {
    return Map.of("stride", stride, "in_planes", in, "planes", planes);
  }

  @Test
  void torchvisionsDownsampleRuleForEachResNet18Block() throws Exception {
    Expr e = parse(DOWNSAMPLE);
    assertEquals(false, ArgCondition.decide(e, block(Dim.of(1), Dim.of(64), Dim.of(64))));   // layer1.0
    assertEquals(true, ArgCondition.decide(e, block(Dim.of(2), Dim.of(64), Dim.of(128))));   // layer2.0
    assertEquals(false, ArgCondition.decide(e, block(Dim.of(1), Dim.of(128), Dim.of(128)))); // layer2.1
    assertEquals(true, ArgCondition.decide(e, block(Dim.of(1), Dim.of(32), Dim.of(64))));    // width only
  }

  @Test
  void equalitiesTheConditionForces() throws Exception {
    Set<String> ints = Set.of("stride", "in_planes", "planes");
    // false: neither side of the 'or' holds, so stride is 1 and in_planes is planes
    assertEquals(Map.of("stride", Dim.of(1), "in_planes", new Dim.Sym("planes")),
        ArgCondition.equalities(parse(DOWNSAMPLE), false, ints));
    // true: nothing is forced (either side may hold)
    assertEquals(Map.of(), ArgCondition.equalities(parse(DOWNSAMPLE), true, ints));
    assertEquals(Map.of("stride", Dim.of(2)), ArgCondition.equalities(parse("stride == 2 and planes > 3"), true, ints));
    assertEquals(Map.of("stride", Dim.of(2)), ArgCondition.equalities(parse("not (stride != 2)"), true, ints));
    assertEquals(Map.of(), ArgCondition.equalities(parse("stride == 1.5"), true, ints), "not a whole number");
  }

  @Test
  void symbolsLeaveItOpenUnlessAKnownSideDecides() throws Exception {
    Expr e = parse(DOWNSAMPLE);
    Dim s = new Dim.Sym("stride");
    assertNull(ArgCondition.decide(e, block(s, Dim.of(64), Dim.of(64))));
    assertEquals(true, ArgCondition.decide(e, block(Dim.of(2), new Dim.Sym("in_planes"), new Dim.Sym("planes"))));
    assertEquals(false, ArgCondition.decide(parse("not flag and n > 2"), Map.of("flag", true, "n", new Dim.Sym("n"))));
    assertNull(ArgCondition.decide(parse("not flag and n > 2"), Map.of("flag", false, "n", new Dim.Sym("n"))));
    assertEquals(true, ArgCondition.decide(parse("n * 2 - 1 >= 5 and p < 0.5"), Map.of("n", Dim.of(3), "p", 0.25)));
  }

  @Test
  void javaReadsTheArgumentFieldsWithJavasPrecedence() throws Exception {
    assertEquals("stride != 1 || inPlanes != planes",
        ArgCondition.toJava(parse(DOWNSAMPLE), n -> n.equals("in_planes") ? "inPlanes" : n));
    assertEquals("!(a == 1) && (b || (c + 1) > 2)",
        ArgCondition.toJava(parse("not a == 1 and (b or c + 1 > 2)"), n -> n));
  }

  @Test
  void onlyArgumentsAndTests() throws Exception {
    Set<String> args = Set.of("stride", "flag");
    assertNull(ArgCondition.notOnArgs(parse("stride != 1 or not flag"), args));
    assertEquals("'depth' is not an argument of the block", ArgCondition.notOnArgs(parse("depth > 1"), args));
    assertTrue(ArgCondition.isTest(parse("stride != 1 or not flag"), Set.of("flag")));
    assertFalse(ArgCondition.isTest(parse("stride - 1"), Set.of("flag")));
    assertFalse(ArgCondition.isTest(parse("stride"), Set.of("flag")));
  }
}
