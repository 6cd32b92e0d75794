package dev.netspec.compiler.generate;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.Copy;
import dev.netspec.compiler.infer.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The copies of a {@code repeat} that a generated class holds in one list and builds and runs
 * in loops ({@code blocks = addModules(4096, i -> "block" + i, i -> new Block1())}), so the
 * class stays the same size for any count: each copy is still a child under its own name, so
 * the state dict and the repr are those of the copies written out. A repeat qualifies when
 * its copies share one Java type, every copy after the first is built alike (the first may
 * differ: it takes the input's features), and all give one output shape.
 */
final class Repeats {
  private Repeats() {}

  /**
   * One repeat run in a loop.
   *
   * @param copies the children it makes, in order
   * @param field the list field holding them
   * @param item the name a loop over them gives each copy
   * @param type the copies' Java type
   * @param first the first copy's construction when it differs from the others', else null
   * @param rest the construction of every other copy
   * @param output the output shape of every copy
   */
  record Run(List<Child> copies, String field, String item, TypeName type, CodeBlock first,
      CodeBlock rest, Shape output) {
    int count() {
      return copies.size();
    }

    Copy copy() {
      return copies.get(0).copy();
    }

    /** Copy {@code index}'s name as a Java string expression: {@code "block" + i}. */
    CodeBlock nameOf(String index) {
      Copy c = copy();
      if (c.template() == null) {
        return c.offset() == 0 ? CodeBlock.of("$T.toString($N)", Integer.class, index)
            : CodeBlock.of("$T.toString($L + $N)", Integer.class, c.offset(), index);
      }
      List<CodeBlock> parts = new ArrayList<>();
      String[] pieces = c.template().split("\\{i}", -1);
      for (int p = 0; p < pieces.length; p++) {
        if (!pieces[p].isEmpty()) {
          parts.add(CodeBlock.of("$S", pieces[p]));
        }
        if (p < pieces.length - 1) {
          parts.add(CodeBlock.of("$N", index));
        }
      }
      if (pieces[0].isEmpty() && pieces[1].isEmpty()) {
        parts.add(0, CodeBlock.of("$S", "")); // "" + i + ...: a string from the start
      }
      return CodeBlock.join(parts, " + ");
    }

    /** Copy {@code index}'s construction: {@code index == 0 ? new Linear(4, 8) : new Linear(8, 8)}. */
    CodeBlock make(String index) {
      return first == null ? rest : CodeBlock.of("$N == 0 ? $L : $L", index, first, rest);
    }

    /** {@code "block0 .. block3"}: the copies' names for a comment. */
    String names() {
      return copies.get(0).name() + " .. " + copies.get(count() - 1).name();
    }
  }

  /**
   * Whether {@code copies} (every copy of one repeat, in order) can run in a loop.
   *
   * @param type each copy's Java type
   * @param construct each copy's construction
   * @param output each copy's output shape, or null when unknown or a tuple
   */
  static boolean loopable(List<Child> copies, Function<Child, TypeName> type,
      Function<Child, CodeBlock> construct, Function<Child, Shape> output) {
    if (copies.size() < 2 || copies.size() != copies.get(0).copy().count()) {
      return false;
    }
    Child first = copies.get(0);
    String rest = construct.apply(copies.get(1)).toString();
    for (Child c : copies) {
      if (c.when() != null || !type.apply(c).equals(type.apply(first)) || output.apply(c) == null
          || !output.apply(c).equals(output.apply(first))
          || c != first && !construct.apply(c).toString().equals(rest)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copy {@code index}'s construction among {@code items} (every copy's, in order), or null
   * when more than the first differs from the others: {@code new Block()}, or
   * {@code index == 0 ? new Linear(4, 8) : new Linear(8, 8)}.
   */
  static CodeBlock make(List<CodeBlock> items, String index) {
    if (items.size() < 2) {
      return null;
    }
    String rest = items.get(1).toString();
    for (CodeBlock item : items.subList(2, items.size())) {
      if (!item.toString().equals(rest)) {
        return null;
      }
    }
    return items.get(0).toString().equals(rest) ? items.get(1)
        : CodeBlock.of("$N == 0 ? $L : $L", index, items.get(0), items.get(1));
  }

  /** The number of children from {@code start} that are every copy of one repeat, else 0. */
  static int wholeRepeatAt(List<Child> children, int start) {
    Copy c = start < children.size() ? children.get(start).copy() : null;
    if (c == null || c.index() != 0) {
      return 0;
    }
    int n = copiesFrom(children, start).size();
    return n == c.count() ? n : 0;
  }

  /** The consecutive children of one repeat starting at {@code start}. */
  static List<Child> copiesFrom(List<Child> children, int start) {
    List<Child> out = new ArrayList<>();
    Copy head = children.get(start).copy();
    for (int i = start; i < children.size(); i++) {
      Copy c = children.get(i).copy();
      if (c == null || c.index() != i - start || c.count() != head.count()
          || !java.util.Objects.equals(c.template(), head.template()) || c.offset() != head.offset()) {
        break;
      }
      out.add(children.get(i));
    }
    return out;
  }

  /** The list field's name: {@code blocks} for {@code block{i}}, else the type's plural. */
  static String fieldBase(Child head, String typeLabel) {
    return JavaText.lowerCamel(head.copy().template() == null ? typeLabel : head.copy().template().replace("{i}", "_"));
  }

  /** The plural of {@code base}: {@code blocks}, {@code block1List}. */
  static String plural(String base) {
    char last = base.charAt(base.length() - 1);
    return Character.isDigit(last) || last == 's' ? base + "List" : base + "s";
  }
}
