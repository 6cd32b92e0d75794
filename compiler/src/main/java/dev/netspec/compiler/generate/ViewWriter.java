package dev.netspec.compiler.generate;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the views of the allocation-free forward (a subscript, a reshape, a transpose, ...):
 * as fields of the {@link Workspace} made once when the buffers are sized, or made at each call
 * for a view of an input, and the heads-inner buffer of attention that a transpose reads
 * without a copy. Shares the state of the statement being written with its {@link ForwardWriter}.
 */
final class ViewWriter {
  private final ForwardWriter w;
  private final Result result;
  private final Workspace ws;
  private final TensorOpsWriter tensorOps;
  /** The buffers known to be contiguous: a reshape of any other would copy, so it has no view field. */
  private final Set<String> contiguous = new HashSet<>();

  /** @param ws the workspace of the allocation-free forward, or null for the allocating one */
  ViewWriter(ForwardWriter w, Result result, Workspace ws, TensorOpsWriter tensorOps) {
    this.w = w;
    this.result = result;
    this.ws = ws;
    this.tensorOps = tensorOps;
  }

  /** Notes that {@code buffer} (a step's fresh result) is contiguous. */
  void contiguous(String buffer) {
    contiguous.add(buffer);
  }

  /** Whether {@code buffer} (a buffer or view field) is known to be contiguous. */
  boolean isContiguous(String buffer) {
    return contiguous.contains(buffer);
  }

  /** Notes that {@code buffer} is not stored in its shape's order (attention's heads-inner result). */
  void notContiguous(String buffer) {
    contiguous.remove(buffer);
  }

  /**
   * The buffer of attention's {@code (batch, heads, L, Ev)} result, stored heads-inner; when a
   * size is not known from the inputs (a reshape's {@code -1}: {@code head_dim}), sized from the
   * query and value fields it reads, once they exist.
   */
  String attentionBuffer(Shape shape, List<CodeBlock> qkv) {
    try {
      ws.dims(shape);
      return ws.headsInnerBuffer("attentionOut", shape);
    } catch (Workspace.Unsupported unknownSize) {
      CodeBlock q = qkv.get(0);
      CodeBlock v = qkv.get(2);
      if (!shape.knownRank() || shape.rank() != 4 || ws.bufferOf(q.toString()) == null
          || ws.bufferOf(v.toString()) == null) {
        throw unknownSize;
      }
      return ws.lateBuffer("attentionOut", CodeBlock.of("$T.zeros($L.size(0), $L.size(2), $L.size(1), $L.size(3))"
          + ".transpose(1, 2)", RuntimeTypes.TENSOR, q, q, q, v), shape);
    }
  }

  /**
   * The buffer or view field that {@code code}, the Java of {@code e}, names: itself, or for
   * a variable naming one buffer, that buffer's field; else {@code code}.
   */
  CodeBlock fieldOf(Expr e, CodeBlock code) {
    if (e instanceof Ast.Name n && ws.bufferOf(code.toString()) == null) {
      Set<String> at = w.points.getOrDefault(n.name(), Set.of());
      if (at.size() == 1 && ws.bufferOf(at.iterator().next()) != null) {
        return CodeBlock.of("$N", at.iterator().next());
      }
    }
    return code;
  }

  /** The input of {@code e} when {@code e} is a view of it (a subscript, a reshape, a transpose, ...), else null. */
  Expr viewOperand(Expr e) {
    if (ws == null) {
      return null;
    }
    if (e instanceof Ast.Subscript sub && !(w.typeOf(sub.target()) instanceof Type.TupleT)) {
      return sub.target();
    }
    if (e instanceof Ast.Call c && result.calls().get(c) != null && TensorOpsWriter.VIEWS.contains(c.callee())) {
      return (Expr) result.calls().get(c).get("input");
    }
    return null;
  }

  /**
   * A view of a buffer as a field made when the buffers are sized ({@code qView =
   * qOut.reshape(batch, seq, numAttentionHeads, -1).transpose(1, 2)}), so a warm forward makes
   * none; a view of an input or a variable naming several buffers is made at each call. Into
   * {@code dest}: a copy of the view.
   */
  CodeBlock viewInto(Expr e, String dest) {
    Expr input = viewOperand(e);
    CodeBlock operand = fieldOf(input, w.expr(input));
    String base = ws.bufferOf(operand.toString());
    Map<String, Object> a = e instanceof Ast.Call c ? result.calls().get(c) : null;
    String callee = e instanceof Ast.Call c ? c.callee() : "subscript";
    boolean reshape = callee.equals("reshape") || callee.equals("view");
    if (base != null && reshape && !contiguous.contains(operand.toString())) {
      throw new Workspace.Unsupported("a reshape of a buffer that may not be contiguous");
    }
    CodeBlock view = tensorOps.viewOn(e, input, operand, a);
    CodeBlock code;
    boolean stays = reshape || callee.equals("unsqueeze") || callee.equals("squeeze")
        || e instanceof Ast.Subscript sub && sub.items().stream().allMatch(i -> i instanceof Ast.NoneLit
            || i instanceof Ast.Slice sl && sl.start() == null && sl.stop() == null && sl.step() == null);
    if (base == null && w.steps != null && input instanceof Ast.Name n && result.inputs().containsKey(n.name())
        && w.loops == 0 && w.depth == 0) {
      // A view of an input: made again only for another tensor; a strided one copied into a
      // buffer, so the layer reading it (a GEMM) needs no copy of its own.
      String[] field = ws.inputView(operand + "View");
      w.steps.beginControlFlow("if ($L != $N)", operand, field[1])
          .addStatement("$N = $L", field[0], view)
          .addStatement("$N = $L", field[1], operand)
          .endControlFlow();
      w.lastBuffer = field[0];
      code = CodeBlock.of("$N", field[0]);
      if (!stays && dest == null) {
        String copy = w.buffer(null, callee, ((Type.TensorT) w.typeOf(e)).shape());
        w.steps.add("$N.copyInto($N); // $L\n", field[0], copy, JavaText.shapeComment(((Type.TensorT) w.typeOf(e)).shape()));
        ws.tick();
        return CodeBlock.of("$N", copy);
      }
    } else if (base == null) {
      w.lastBuffer = operand.toString(); // an input's name, which no buffer has
      code = view;
    } else {
      String name = operand.toString().replaceAll("View\\d*$", "") + "View";
      w.lastBuffer = ws.view(name, operand.toString(), view, ((Type.TensorT) w.typeOf(e)).shape());
      if (stays && contiguous.contains(operand.toString())
          || callee.equals("transpose") && !contiguous.contains(operand.toString()) && headsInner(a, base)) {
        contiguous.add(w.lastBuffer);
      }
      code = CodeBlock.of("$N", w.lastBuffer);
    }
    if (dest != null) {
      w.lastBuffer = dest;
      return CodeBlock.of("$L.copyInto($N)", code, dest);
    }
    return code;
  }

  /** Whether {@code transpose(1, 2)} of the buffer {@code base} is its storage's order (attention's result). */
  private boolean headsInner(Map<String, Object> a, String base) {
    return a != null && ((Long) a.get("dim0") == 1 && (Long) a.get("dim1") == 2
        || (Long) a.get("dim0") == 2 && (Long) a.get("dim1") == 1) && ws.isHeadsInner(base);
  }
}
