package dev.netspec.compiler.check;

import dev.netspec.compiler.check.Model.DimRef;
import dev.netspec.compiler.check.Model.InputDecl;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.Node.Entry;
import dev.netspec.compiler.parse.Node.ListNode;
import dev.netspec.compiler.parse.Node.MapNode;
import dev.netspec.compiler.parse.Node.Scalar;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * A block's inputs: {@code input: [batch, 20]} (one, named {@code x}) or {@code inputs:
 * {input_ids: [batch, seq, int64], attention_mask: [batch, seq, int64]}} (named, in order).
 * A shape's last item may name its dtype, {@code float32} (the default) or {@code int64}.
 */
final class BlockInputs {
  /** Words that look like a dtype: refused with the supported ones rather than read as a symbol. */
  private static final Pattern DTYPE_LIKE =
      Pattern.compile("(float|int|uint|bfloat|bool|complex)[0-9]*|half|double|long|short");

  private BlockInputs() {}

  /**
   * The inputs of {@code block}: empty when it declares none, null after reporting why they
   * cannot be read. Named inputs are added to {@code taken} (no layer, parameter, buffer or
   * argument may share their name).
   */
  static List<InputDecl> read(MapNode block, Reporter reporter, String blockName, Set<String> taken,
      BiFunction<Node, String, List<DimRef>> shape) {
    Node one = block.get("input");
    Node many = block.get("inputs");
    if (one != null && many != null) {
      reporter.error(many.pos(), blockName + ": a block has either 'input' (one, named x) or"
          + " 'inputs' (named), not both");
      return null;
    }
    if (one != null) {
      InputDecl d = decl(InputDecl.DEFAULT_NAME, one, reporter, blockName, shape);
      return d == null ? null : List.of(d);
    }
    if (many == null) {
      return List.of();
    }
    if (!(many instanceof MapNode map) || map.entries().isEmpty()) {
      reporter.error(many.pos(), blockName + ": 'inputs' must be a mapping of names to shapes,"
          + " such as {input_ids: [batch, seq, int64]}, got " + many.describe());
      return null;
    }
    List<InputDecl> out = new ArrayList<>();
    boolean ok = true;
    for (Entry e : map.entries().values()) {
      String n = e.key().name();
      if (!Names.isIdentifier(n)) {
        reporter.error(e.key().pos(), blockName + ": input name '" + n + "' is not valid"
            + " (letters, digits and '_', not starting with a digit)");
        ok = false;
        continue;
      }
      if (!taken.add(n)) {
        reporter.error(e.key().pos(), blockName + ": input '" + n + "' has the name of an argument");
        ok = false;
        continue;
      }
      InputDecl d = decl(n, e.value(), reporter, blockName, shape);
      if (d == null) {
        ok = false;
      } else {
        out.add(new InputDecl(n, d.shape(), d.dtype(), e.key().pos()));
      }
    }
    return ok ? out : null;
  }

  /** One input: its shape, the dtype taken off its end. */
  private static InputDecl decl(String name, Node node, Reporter reporter, String blockName,
      BiFunction<Node, String, List<DimRef>> shape) {
    String what = name.equals(InputDecl.DEFAULT_NAME) ? "input" : "input '" + name + "'";
    if (!(node instanceof ListNode list)) {
      shape.apply(node, what); // reports the type error
      return null;
    }
    List<Node> items = new ArrayList<>(list.items());
    DType dtype = DType.FLOAT32;
    boolean ok = true;
    for (int i = 0; i < items.size(); i++) {
      String word = items.get(i) instanceof Scalar s && s.value() instanceof String str ? str : null;
      if (word == null || !DTYPE_LIKE.matcher(word).matches()) {
        continue;
      }
      DType d = DType.byName(word);
      if (d == null) {
        reporter.error(items.get(i).pos(), blockName + ": unsupported dtype '" + word + "' for " + what
            + "; an input is float32 (the default) or int64");
        ok = false;
      } else if (i != items.size() - 1) {
        reporter.error(items.get(i).pos(), blockName + ": the dtype of " + what
            + " goes last, after the sizes, as in [batch, seq, int64]");
        ok = false;
      } else {
        dtype = d;
      }
    }
    if (!items.isEmpty() && DType.byName(lastWord(items)) != null) {
      items.remove(items.size() - 1);
    }
    List<DimRef> dims = shape.apply(new ListNode(list.pos(), items), what);
    return dims == null || !ok ? null : new InputDecl(name, dims, dtype, node.pos());
  }

  private static String lastWord(List<Node> items) {
    return items.get(items.size() - 1) instanceof Scalar s && s.value() instanceof String str ? str : "";
  }
}
