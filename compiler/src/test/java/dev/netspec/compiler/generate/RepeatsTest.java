package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.Copy;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * When the copies of a {@code repeat} run in one loop, and the Java a loop builds them with
 * (docs/spec.md, "Repetition"): every name expression, evaluated as Java evaluates it, is the
 * copy's name by {@link Copy#name} (the state dict keys PyTorch would give the copies written
 * out), and the list field takes the documented plural ({@code blocks}, {@code block1List}).
 * Direct calls on hand-made children, no spec.
 */
class RepeatsTest {
  private static final TypeName LINEAR = ClassName.get("dev.netspec.runtime.nn", "Linear");
  private static final Shape OUT = new Shape(List.of(new Dim.Sym("batch"), new Dim.Known(8)));

  /** The {@code count} copies of one repeat, named as {@link Copy#name} names them. */
  private static List<Child> copies(int count, String template, int offset) {
    List<Child> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Copy c = new Copy(i, count, template, offset);
      out.add(new Child(c.name(i), null, null, null, null, c));
    }
    return out;
  }

  private static Child plain(String name) {
    return new Child(name, null, null);
  }

  private static Repeats.Run run(List<Child> copies, CodeBlock first, CodeBlock rest) {
    return new Repeats.Run(copies, "blocks", "block", LINEAR, first, rest, OUT);
  }

  /** {@code expr} (a name expression over {@code i}) evaluated at {@code i}, as Java would. */
  private static String eval(String expr, int i) {
    if (expr.startsWith("java.lang.Integer.toString(") && expr.endsWith(")")) {
      String arg = expr.substring("java.lang.Integer.toString(".length(), expr.length() - 1);
      int sum = 0;
      for (String term : arg.split(" \\+ ")) {
        sum += term.equals("i") ? i : Integer.parseInt(term);
      }
      return Integer.toString(sum);
    }
    // string concatenation: it must be a string from its first operand on, or i + i would add
    String[] terms = expr.split(" \\+ ");
    assertTrue(terms[0].startsWith("\"") || terms.length > 1 && terms[1].startsWith("\""),
        "not a string expression: " + expr);
    StringBuilder sb = new StringBuilder();
    for (String term : terms) {
      sb.append(term.equals("i") ? Integer.toString(i) : term.substring(1, term.length() - 1));
    }
    return sb.toString();
  }

  @Test
  void nameExpressionsGiveEachCopysOwnName() {
    for (String template : new String[] {null, "block{i}", "{i}", "{i}_out", "h{i}.x{i}", "{i}{i}"}) {
      for (int offset : template == null ? new int[] {0, 3} : new int[] {0}) {
        List<Child> cs = copies(4, template, offset);
        String expr = run(cs, null, CodeBlock.of("new Linear(8, 8)")).nameOf("i").toString();
        for (int i = 0; i < 4; i++) {
          assertEquals(cs.get(i).name(), eval(expr, i), template + " offset " + offset + ": " + expr);
        }
      }
    }
    // the spellings themselves: no "" before a string literal, no 0 + before the index
    assertEquals("java.lang.Integer.toString(i)", run(copies(2, null, 0), null, null).nameOf("i").toString());
    assertEquals("java.lang.Integer.toString(3 + i)", run(copies(2, null, 3), null, null).nameOf("i").toString());
    assertEquals("\"block\" + i", run(copies(2, "block{i}", 0), null, null).nameOf("i").toString());
    assertEquals("\"\" + i", run(copies(2, "{i}", 0), null, null).nameOf("i").toString());
    assertEquals("i + \"_out\"", run(copies(2, "{i}_out", 0), null, null).nameOf("i").toString());
  }

  @Test
  void aRunBuildsItsFirstCopyApartOnlyWhenItDiffers() {
    CodeBlock first = CodeBlock.of("new Linear(4, 8)");
    CodeBlock rest = CodeBlock.of("new Linear(8, 8)");
    List<Child> cs = copies(4, "block{i}", 0);
    assertEquals("i == 0 ? new Linear(4, 8) : new Linear(8, 8)", run(cs, first, rest).make("i").toString());
    assertEquals("new Linear(8, 8)", run(cs, null, rest).make("i").toString());
    assertEquals("block0 .. block3", run(cs, first, rest).names());
    assertEquals(4, run(cs, first, rest).count());
    assertEquals(new Copy(0, 4, "block{i}", 0), run(cs, first, rest).copy());
  }

  @Test
  void aRepeatLoopsWhenItsCopiesShareTypeConstructionAndOutput() {
    List<Child> cs = copies(3, null, 0);
    Function<Child, TypeName> type = c -> LINEAR;
    Function<Child, CodeBlock> alike = c -> CodeBlock.of("new Linear(8, 8)");
    Function<Child, Shape> out = c -> OUT;
    assertTrue(Repeats.loopable(cs, type, alike, out));
    // the first copy may differ (it takes the input's features), no other
    assertTrue(Repeats.loopable(cs, type, c -> CodeBlock.of(c == cs.get(0) ? "new Linear(4, 8)" : "new Linear(8, 8)"), out));
    assertFalse(Repeats.loopable(cs, type, c -> CodeBlock.of(c == cs.get(2) ? "new Linear(4, 8)" : "new Linear(8, 8)"), out));
    assertFalse(Repeats.loopable(cs, type, c -> CodeBlock.of(c == cs.get(1) ? "new Linear(4, 8)" : "new Linear(8, 8)"), out));
    // a type, an output shape, an unknown output that differs; a condition on a copy
    assertFalse(Repeats.loopable(cs, c -> c == cs.get(2) ? TypeName.INT : LINEAR, alike, out));
    assertFalse(Repeats.loopable(cs, c -> c == cs.get(0) ? TypeName.INT : LINEAR, alike, out));
    assertFalse(Repeats.loopable(cs, type, alike, c -> c == cs.get(1) ? Shape.SCALAR : OUT));
    assertFalse(Repeats.loopable(cs, type, alike, c -> c == cs.get(2) ? null : OUT));
    assertFalse(Repeats.loopable(cs, type, alike, c -> null));
    List<Child> when = new ArrayList<>(cs);
    Child last = cs.get(2);
    when.set(2, new Child(last.name(), null, null, new dev.netspec.compiler.parse.Ast.Name(null, "stride"), "stride", last.copy()));
    assertFalse(Repeats.loopable(when, type, alike, out));
    // two copies are a loop; one copy is none, nor is a part of a repeat
    assertTrue(Repeats.loopable(copies(2, null, 0), type, alike, out));
    assertFalse(Repeats.loopable(copies(1, null, 0), type, alike, out));
    assertFalse(Repeats.loopable(cs.subList(0, 2), type, alike, out));
  }

  @Test
  void anInlineSequentialLoopsOverAWholeRepeatBuiltAlike() {
    CodeBlock a = CodeBlock.of("new Linear(4, 8)");
    CodeBlock b = CodeBlock.of("new Linear(8, 8)");
    assertEquals("new Linear(8, 8)", Repeats.make(List.of(b, b, b), "i").toString());
    assertEquals("new Linear(8, 8)", Repeats.make(List.of(b, b), "i").toString());
    assertEquals("i == 0 ? new Linear(4, 8) : new Linear(8, 8)", Repeats.make(List.of(a, b, b), "i").toString());
    assertEquals("i == 0 ? new Linear(4, 8) : new Linear(8, 8)", Repeats.make(List.of(a, b), "i").toString());
    assertNull(Repeats.make(List.of(b, b, a), "i"));
    assertNull(Repeats.make(List.of(b, a, b), "i"));
    assertNull(Repeats.make(List.of(b), "i"));
    assertNull(Repeats.make(List.of(), "i"));

    List<Child> kids = new ArrayList<>();
    kids.add(plain("0"));
    kids.addAll(copies(3, null, 1));
    kids.add(plain("4"));
    assertEquals(0, Repeats.wholeRepeatAt(kids, 0)); // not a copy
    assertEquals(3, Repeats.wholeRepeatAt(kids, 1));
    assertEquals(0, Repeats.wholeRepeatAt(kids, 2)); // not the first copy
    assertEquals(0, Repeats.wholeRepeatAt(kids, 5)); // past the end
    assertEquals(0, Repeats.wholeRepeatAt(kids.subList(0, 3), 1)); // two of three copies
    assertEquals(List.of(kids.get(1), kids.get(2), kids.get(3)), Repeats.copiesFrom(kids, 1));
  }

  @Test
  void aRunEndsAtTheFirstChildNotItsNextCopy() {
    // two copies of a repeat of 4, then a child differing from the third copy in one field
    Copy[] thirds = {new Copy(2, 4, "b{i}", 0), new Copy(2, 4, "a{i}", 1), new Copy(2, 3, "a{i}", 0),
        new Copy(3, 4, "a{i}", 0), null};
    for (Copy third : thirds) {
      List<Child> kids = new ArrayList<>(copies(4, "a{i}", 0).subList(0, 2));
      kids.add(new Child("c", null, null, null, null, third));
      assertEquals(2, Repeats.copiesFrom(kids, 0).size(), String.valueOf(third));
      assertEquals(0, Repeats.wholeRepeatAt(kids, 0), String.valueOf(third));
    }
    List<Child> kids = new ArrayList<>(copies(4, "a{i}", 0).subList(0, 2));
    kids.add(new Child("c", null, null, null, null, new Copy(2, 4, "a{i}", 0)));
    assertEquals(3, Repeats.copiesFrom(kids, 0).size());
    List<Child> again = new ArrayList<>(copies(2, "a{i}", 0));
    again.addAll(copies(2, "a{i}", 0)); // the same repeat twice: index 0 again
    assertEquals(2, Repeats.copiesFrom(again, 0).size());
    assertEquals(2, Repeats.wholeRepeatAt(again, 2));
  }

  @Test
  void theListFieldIsThePluralOfTheTemplateOrTheType() {
    assertEquals("block", Repeats.fieldBase(copies(2, "block{i}", 0).get(0), "Block1"));
    assertEquals("layerOut", Repeats.fieldBase(copies(2, "layer{i}_out", 0).get(0), "Block1"));
    assertEquals("block1", Repeats.fieldBase(copies(2, null, 0).get(0), "Block1"));
    assertEquals("linear", Repeats.fieldBase(copies(2, null, 0).get(0), "linear"));
    assertEquals("blocks", Repeats.plural("block"));
    assertEquals("block1List", Repeats.plural("block1"));
    assertEquals("busList", Repeats.plural("bus"));
    assertEquals("xs", Repeats.plural("x"));
  }
}
