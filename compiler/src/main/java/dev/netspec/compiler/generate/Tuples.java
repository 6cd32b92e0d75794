package dev.netspec.compiler.generate;

import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.TypeName;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.infer.Unpacking;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.Stmt;
import java.util.ArrayList;
import java.util.List;

/**
 * Tuples in generated code. A tuple result is a record of its tensors in order, nested
 * tuples flattened: the runtime's {@code LSTM.Output(output, hN, cN)} for {@code (output,
 * (h_n, c_n))}, and for a block returning {@code out, (h, c)} a nested {@code record
 * Output(Tensor out, Tensor h, Tensor c)} returned by {@code forwardTuple(...)}.
 */
final class Tuples {
  /** The method a block with a tuple result is called by (its {@code forward(x)} returns a tensor). */
  static final String BLOCK_METHOD = "forwardTuple";

  /**
   * How generated code calls a child whose result is a tuple: {@code lstm.forwardWithState(x)};
   * {@code into} writes the result into a record the caller owns ({@code forwardInto}), or is
   * null.
   */
  record Call(TypeName type, String method, List<String> accessors, String into) {}

  private Tuples() {}

  /**
   * The target names of an unpacking of {@code value}, one per tensor of the value in order
   * (nested tuples flattened), null for each tensor that {@code _} discards.
   */
  static List<Ast.Name> targets(Ast.Tuple t, Type value) {
    List<Ast.Name> out = new ArrayList<>();
    List<Type> items = value instanceof Type.TupleT tuple ? tuple.items() : List.of();
    for (int i = 0; i < t.items().size(); i++) {
      Expr e = t.items().get(i);
      Type item = i < items.size() ? items.get(i) : null;
      if (e instanceof Ast.Tuple inner) {
        out.addAll(targets(inner, item));
      } else if (((Ast.Name) e).name().equals(Unpacking.DISCARD)) {
        int n = item instanceof Type.TupleT tuple ? tuple.leaves().size() : 1;
        for (int k = 0; k < n; k++) {
          out.add(null);
        }
      } else {
        out.add((Ast.Name) e);
      }
    }
    return out;
  }

  /** A result's shapes for a comment: {@code ((batch, 5, 8), ((1, batch, 8), (1, batch, 8)))}. */
  static String comment(Type t) {
    if (t instanceof Type.TupleT tuple) {
      List<String> parts = new ArrayList<>();
      tuple.items().forEach(i -> parts.add(comment(i)));
      return "(" + String.join(", ", parts) + ")";
    }
    String dtype = t instanceof Type.TensorT x && x.dtype() != DType.FLOAT32 ? x.dtype() + " " : "";
    if (t instanceof Type.NoneT) {
      return "None";
    }
    return t instanceof Type.TensorT x ? dtype + JavaText.shapeComment(x.shape()) : "(...)";
  }

  /**
   * The component names of the {@code Output} record of {@code block}, whose result has
   * {@code n} tensors: where its first tuple {@code return} has a name, that name in
   * camelCase; else {@code item0}, {@code item1}, ... by place.
   */
  static List<String> components(Block block, int n) {
    List<String> names = new ArrayList<>();
    Ast.Tuple returned = firstTupleReturn(block.forward() == null ? List.of() : block.forward());
    if (returned != null) {
      collectNames(returned, names);
    }
    boolean aligned = names.size() == n;
    NameAllocator alloc = new NameAllocator();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = aligned ? names.get(i) : null;
      boolean usable = name != null && names.indexOf(name) == names.lastIndexOf(name);
      out.add(alloc.newName(usable ? JavaText.lowerCamel(name) : "item" + i, i));
    }
    return out;
  }

  private static Ast.Tuple firstTupleReturn(List<Stmt> body) {
    for (Stmt s : body) {
      Ast.Tuple found = null;
      if (s instanceof Ast.Return r && r.value() instanceof Ast.Tuple t) {
        found = t;
      } else if (s instanceof Ast.If f) {
        found = firstTupleReturn(f.then());
        found = found != null ? found : firstTupleReturn(f.otherwise());
      } else if (s instanceof Ast.While w) {
        found = firstTupleReturn(w.body());
      }
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static void collectNames(Ast.Tuple t, List<String> out) {
    for (Expr e : t.items()) {
      if (e instanceof Ast.Tuple inner) {
        collectNames(inner, out);
      } else {
        out.add(e instanceof Ast.Name n ? n.name() : null);
      }
    }
  }
}
