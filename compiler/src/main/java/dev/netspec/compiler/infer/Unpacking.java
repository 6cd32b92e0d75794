package dev.netspec.compiler.infer;

import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tuple unpacking, {@code out, (h, c) = lstm(x)}: Python's rule, each name takes the item
 * at its place, nested targets unpack nested tuples, and the counts must agree.
 */
public final class Unpacking {
  /** The target that discards its item, as in {@code lstm_out, _ = lstm(x)}. */
  public static final String DISCARD = "_";

  private Unpacking() {}

  /** Where unpacking reports, and what it asks of the forward it runs in. */
  interface Sink {
    void error(Ast.Loc loc, String message);

    /** Whether {@code n} may be assigned (reports why not). */
    boolean assignable(Ast.Name n);

    /** Records the type a target name gets. */
    void typed(Ast.Name n, Type type);
  }

  /** Every name of {@code targets}, in order. */
  public static Set<String> names(Ast.Tuple targets) {
    Set<String> out = new LinkedHashSet<>();
    for (Expr t : targets.items()) {
      if (t instanceof Ast.Name n) {
        if (!n.name().equals(DISCARD)) {
          out.add(n.name());
        }
      } else {
        out.addAll(names((Ast.Tuple) t));
      }
    }
    return out;
  }

  /** Targets as they would be written for {@code t}: {@code a, (b, c)}. */
  static String example(Type.TupleT t) {
    int[] next = {0};
    return example(t, next);
  }

  private static String example(Type.TupleT t, int[] next) {
    List<String> parts = new ArrayList<>();
    for (Type item : t.items()) {
      parts.add(item instanceof Type.TupleT u ? "(" + example(u, next) + ")" : String.valueOf((char) ('a' + next[0]++ % 26)));
    }
    return String.join(", ", parts);
  }

  /** Binds each target name of {@code targets} to its item of {@code value} in {@code env}. */
  static void assign(Ast.Tuple targets, Type value, Ast.Loc loc, Map<String, Type> env, Sink sink) {
    if (value instanceof Type.TupleT tuple && tuple.ofTensors()) {
      if (tuple.size() != targets.items().size()) {
        sink.error(targets.loc(), "cannot unpack " + tuple + " (" + tuple.size() + " items) into "
            + targets.items().size() + " names; write " + example(tuple) + " = ...");
        unknown(targets, env, sink);
        return;
      }
      for (int i = 0; i < tuple.size(); i++) {
        Expr target = targets.items().get(i);
        Type item = tuple.items().get(i);
        if (target instanceof Ast.Tuple inner) {
          assign(inner, item, loc, env, sink);
        } else {
          bind((Ast.Name) target, item, env, sink);
        }
      }
      return;
    }
    boolean reported = value instanceof Type.TensorT t && !t.shape().knownRank(); // an earlier error
    if (!reported) {
      sink.error(loc, "cannot unpack " + value + " into " + targets.items().size()
          + " names; a layer such as lstm, gru or a block returning a tuple, chunk(...) or split(...) gives a tuple");
    }
    unknown(targets, env, sink);
  }

  private static void bind(Ast.Name n, Type item, Map<String, Type> env, Sink sink) {
    if (n.name().equals(DISCARD)) {
      sink.typed(n, item);
      return;
    }
    if (!sink.assignable(n)) {
      return;
    }
    if (item instanceof Type.TupleT tuple) {
      sink.error(n.loc(), "'" + n.name() + "' would hold " + tuple + "; unpack it, as in ("
          + example(tuple) + "), or discard it with _");
      item = Type.unknownTensor();
    }
    Type old = env.get(n.name());
    if (old != null && !old.getClass().equals(item.getClass())) {
      sink.error(n.loc(), "'" + n.name() + "' was " + old + " and cannot become " + item);
      return;
    }
    env.put(n.name(), item);
    sink.typed(n, item);
  }

  private static void unknown(Ast.Tuple targets, Map<String, Type> env, Sink sink) {
    for (Expr t : targets.items()) {
      if (t instanceof Ast.Name n) {
        if (!n.name().equals(DISCARD)) {
          env.putIfAbsent(n.name(), Type.unknownTensor());
        }
        sink.typed(n, env.getOrDefault(n.name(), Type.unknownTensor()));
      } else {
        unknown((Ast.Tuple) t, env, sink);
      }
    }
  }
}
