package dev.netspec.compiler.infer;

import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.parse.Ast;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shape rules of the forward language's tensor operations, PyTorch's: subscripts ({@code
 * x[:, 0]}, {@code x[..., :n]}, {@code x[:, None]}), views with symbolic sizes ({@code
 * reshape(q, (batch, seq, heads, head_dim))}, {@code permute}, {@code unsqueeze}, {@code
 * squeeze}), masks ({@code masked_fill}, {@code where}, {@code tril}, {@code triu}), {@code
 * arange}, {@code scaled_dot_product_attention} and the constant {@code float('-inf')}.
 *
 * <p>Sizes given as values are ints: constants, int arguments of the block, the symbolic
 * sizes of its input ({@link SizeSymbols}) and {@code + - *} of them. A slice's size assumes
 * its bounds lie inside the dim when the dim or a bound is symbolic ({@code x[:, :n]} has
 * {@code n} elements); with both known it is Python's, clamped.
 */
final class TensorOps {
  /** What the operations need of the forward's inference. */
  interface Context {
    Type eval(Expr e, Map<String, Type> env);

    void error(Ast.Loc loc, String message);

    void addFlops(long n);

    /** What a value of shape {@code refused} likely lacks (a flatten after a conv), or "". */
    String flattenHint(Shape refused);

    /** The call's arguments by parameter name (an expression or a default); null after an error. */
    Map<String, Object> match(Ast.Call call, Functions.Fn fn);

    /** Keeps the bound arguments of a call for code generation. */
    void record(Ast.Call call, Map<String, Object> bound);

    /** The size named {@code name} (an int argument or a size of the input), or null. */
    Dim size(String name);
  }

  /**
   * A mistake at a place in the forward; the message is the whole sentence after the block
   * name, null after an error reported already. {@link Losses} throws it too.
   */
  static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Ast.Loc loc;

    Problem(Ast.Loc loc, String message) {
      super(message, null, false, false);
      this.loc = loc;
    }
  }

  private final Context ctx;

  TensorOps(Context ctx) {
    this.ctx = ctx;
  }

  /** The type of a subscript, a string, {@code None}, a slice or {@code ...}. */
  Type expr(Expr e, Map<String, Type> env) {
    if (e instanceof Ast.Subscript s) {
      try {
        return subscript(s, env);
      } catch (Problem p) {
        report(p, "");
        return Type.unknownTensor();
      }
    }
    String what = e instanceof Ast.Str ? "a string" : e instanceof Ast.NoneLit ? "None"
        : e instanceof Ast.Ellipsis ? "'...'" : "a slice";
    ctx.error(e.loc(), what + (e instanceof Ast.Str || e instanceof Ast.NoneLit
        ? " can only be a function argument" + (e instanceof Ast.NoneLit ? " or a new axis in a subscript" : "")
        : " can only be an item of a subscript, as in x[..., 1:3]"));
    return Type.unknownTensor();
  }

  /** A call of one of the operations. */
  Type call(Ast.Call call, Functions.Fn fn, Map<String, Type> env) {
    Map<String, Object> a = ctx.match(call, fn);
    if (a == null) {
      return Type.unknownTensor();
    }
    try {
      Type t = apply(call, a, env);
      ctx.record(call, a);
      return t;
    } catch (Problem p) {
      report(p, call.callee() + ": ");
      return Type.unknownTensor();
    } catch (ShapeError e) {
      ctx.error(call.loc(), call.callee() + ": " + e.getMessage());
      return Type.unknownTensor();
    }
  }

  /** Reports {@code p} unless it follows an error reported already (an unknown operand). */
  private void report(Problem p, String prefix) {
    if (p.getMessage() != null) {
      ctx.error(p.loc, prefix + p.getMessage());
    }
  }

  /** An operand whose error was reported where it was evaluated: nothing more to say. */
  private static boolean reported(Type t) {
    return t instanceof Type.TensorT tt && !tt.shape().knownRank();
  }

  private Type apply(Ast.Call call, Map<String, Object> a, Map<String, Type> env) throws Problem, ShapeError {
    switch (call.callee()) {
      case "reshape":
      case "view": {
        Type.TensorT in = tensor(a, "input", env);
        Object shape = a.get("shape");
        List<Expr> items = shape instanceof Ast.Tuple t ? t.items() : List.of((Expr) shape);
        List<Dim> sizes = new ArrayList<>();
        for (Expr item : items) {
          sizes.add(size(item, "sizes", env));
        }
        return new Type.TensorT(reshape(call.loc(), in.shape(), sizes), in.dtype());
      }
      case "permute": {
        Type.TensorT in = tensor(a, "input", env);
        return new Type.TensorT(permute(call, in.shape(), ints(a, "dims")), in.dtype());
      }
      case "unsqueeze": {
        Type.TensorT in = tensor(a, "input", env);
        long dim = constant(a, "dim");
        if (!in.shape().knownRank()) {
          return in;
        }
        return new Type.TensorT(Ops.withNewDim(in.shape(), dim, Dim.of(1)), in.dtype());
      }
      case "squeeze": {
        Type.TensorT in = tensor(a, "input", env);
        return new Type.TensorT(squeeze(call, in.shape(), a.get("dim") == Functions.NONE ? null : constant(a, "dim")),
            in.dtype());
      }
      case "contiguous":
        return tensor(a, "input", env);
      case "masked_fill": {
        Type.TensorT in = tensor(a, "input", env);
        Type.TensorT mask = tensor(a, "mask", env);
        requireBool(a, "mask", mask);
        number(a, "value", env);
        Shape out = Ops.broadcast(in.shape(), mask.shape());
        ctx.addFlops(out.numel());
        return new Type.TensorT(out, in.dtype());
      }
      case "where": {
        Type.TensorT cond = tensor(a, "condition", env);
        requireBool(a, "condition", cond);
        Type x = tensorOrNumber(a, "input", env);
        Type y = tensorOrNumber(a, "other", env);
        Shape out = Ops.broadcast(cond.shape(), Ops.broadcast(shapeOf(x), shapeOf(y)));
        boolean longs = x instanceof Type.TensorT tx && tx.dtype() == DType.INT64
            && y instanceof Type.TensorT ty && ty.dtype() == DType.INT64;
        ctx.addFlops(out.numel());
        return new Type.TensorT(out, longs ? DType.INT64 : DType.FLOAT32);
      }
      case "tril":
      case "triu": {
        Type.TensorT in = tensor(a, "input", env);
        constant(a, "diagonal");
        if (in.shape().knownRank() && in.shape().rank() < 2) {
          throw new Problem(call.loc(), call.callee() + " needs a tensor of at least 2 dims, got " + in.shape());
        }
        return in;
      }
      case "arange":
        return arange(call, a, env);
      case "scaled_dot_product_attention":
        return attention(call, a, env);
      case "float": {
        Object x = a.get("x");
        if (!(x instanceof Ast.Str s) || !(s.value().equals("inf") || s.value().equals("-inf"))) {
          throw new Problem(((Expr) x).loc(), "takes 'inf' or '-inf', as in float('-inf'); write other numbers as they are");
        }
        return new Type.NumT(false);
      }
      default:
        throw new IllegalStateException("not a tensor operation: " + call.callee());
    }
  }

  // ------------------------------------------------------------------ subscripts

  /** {@code attn(q, k, v)[0]}: one item of a tuple, by a literal index (negative from the end). */
  private static Type tupleItem(Ast.Subscript s, Type.TupleT tuple) throws Problem {
    if (!(s.target() instanceof Ast.Call c) || Functions.get(c.callee()) != null) {
      throw new Problem(s.loc(), "an item is taken from a layer's result, as in attn(q, k, v)[0]; unpack "
          + tuple + " instead, as in " + Unpacking.example(tuple) + " = ...");
    }
    Integer i = s.items().size() == 1 ? LayerCalls.literalIndex(s.items().get(0)) : null;
    if (i == null) {
      throw new Problem(s.loc(), "an item of " + tuple + " is taken by one integer written out, as in [0]");
    }
    int k = i < 0 ? i + tuple.size() : i;
    if (k < 0 || k >= tuple.size()) {
      throw new Problem(s.items().get(0).loc(), "index " + i + " is out of range for " + tuple + " ("
          + tuple.size() + " items)");
    }
    Type item = tuple.items().get(k);
    if (item instanceof Type.NoneT) {
      throw new Problem(s.items().get(0).loc(), "item " + i + " of " + tuple
          + " is None (attention weights with need_weights=False)");
    }
    if (!(item instanceof Type.TensorT) || tuple.items().stream().anyMatch(x -> x instanceof Type.TupleT)) {
      throw new Problem(s.loc(), "an item is taken from a flat tuple of tensors; unpack " + tuple
          + " instead, as in " + Unpacking.example(tuple) + " = ...");
    }
    return item;
  }


  private Type subscript(Ast.Subscript s, Map<String, Type> env) throws Problem {
    Type t = ctx.eval(s.target(), env);
    if (t instanceof Type.TupleT tuple && tuple.unpackable()) {
      return tupleItem(s, tuple);
    }
    if (!(t instanceof Type.TensorT tt)) {
      throw new Problem(s.loc(), "a subscript needs a tensor, got " + t);
    }
    Shape in = tt.shape();
    int ellipses = 0;
    int consumed = 0;
    for (Expr item : s.items()) {
      if (item instanceof Ast.Ellipsis) {
        if (++ellipses > 1) {
          throw new Problem(item.loc(), "a subscript can have only one '...'");
        }
      } else if (!(item instanceof Ast.NoneLit)) {
        consumed++;
      }
    }
    List<Dim> out = new ArrayList<>();
    int d = 0;
    for (Expr item : s.items()) {
      if (item instanceof Ast.NoneLit) {
        out.add(Dim.of(1));
      } else if (item instanceof Ast.Ellipsis) {
        if (!in.knownRank()) {
          throw new Problem(item.loc(), "'...' needs a tensor of known rank; declare the block's input");
        }
        for (int k = in.rank() - consumed; k > 0; k--) {
          out.add(in.dim(d++));
        }
      } else if (item instanceof Ast.Slice sl) {
        out.add(in.knownRank() && d < in.rank() ? sliceSize(in.dim(d), sl, env) : sliceSize(null, sl, env));
        d++;
      } else {
        Type it = ctx.eval(item, env);
        if (reported(it)) {
          throw new Problem(item.loc(), null);
        }
        if (it instanceof Type.TensorT) {
          throw new Problem(item.loc(), "indexing with a tensor is not supported; index with ints and slices,"
              + " or use masked_fill or where");
        }
        Dim v = sizeOf(item);
        if (v == null) {
          throw new Problem(item.loc(), "an index must be an int: a constant, an int argument or a size of the input");
        }
        if (in.knownRank() && d < in.rank()) {
          Dim n = in.dim(d);
          if (v instanceof Dim.Known k && n instanceof Dim.Known size && (k.size() >= size.size() || k.size() < -size.size())) {
            throw new Problem(item.loc(), "index " + k + " is out of range for dim " + d + " of " + in
                + " (size " + size + ")");
          }
        }
        d++;
      }
    }
    if (!in.knownRank()) {
      return new Type.TensorT(Shape.ANY, tt.dtype());
    }
    if (consumed > in.rank()) {
      throw new Problem(s.loc(), "too many indices for a tensor of " + in.rank() + " dims " + in + ": " + consumed);
    }
    out.addAll(in.dims().subList(d, in.rank()));
    return new Type.TensorT(new Shape(out), tt.dtype());
  }

  /** The size of {@code n[start:stop:step]}; {@code n} null when unknown. */
  private Dim sliceSize(Dim n, Ast.Slice s, Map<String, Type> env) throws Problem {
    long step = 1;
    if (s.step() != null) {
      ctx.eval(s.step(), env);
      Dim st = sizeOf(s.step());
      if (!(st instanceof Dim.Known k) || k.size() <= 0) {
        throw new Problem(s.step().loc(), "a slice step must be a positive int constant");
      }
      step = k.size();
    }
    Dim start = s.start() == null ? null : bound(s.start(), env);
    Dim stop = s.stop() == null ? null : bound(s.stop(), env);
    if (n instanceof Dim.Known size && (start == null || start instanceof Dim.Known)
        && (stop == null || stop instanceof Dim.Known)) {
      int len = size.size();
      int from = start == null ? 0 : clamp(start.size(), len);
      int to = stop == null ? len : clamp(stop.size(), len);
      return Dim.of((int) ((Math.max(0, to - from) + step - 1) / step));
    }
    if (n == null) {
      return new Dim.Sym("?");
    }
    Dim from = start == null ? Dim.of(0) : start instanceof Dim.Known k && k.size() < 0 ? Dim.plus(n, k) : start;
    Dim to = stop == null ? n : stop instanceof Dim.Known k && k.size() < 0 ? Dim.plus(n, k) : stop;
    Dim len = Dim.minus(to, from);
    if (len instanceof Dim.Known k && k.size() < 0) {
      return Dim.of(0);
    }
    return Dim.floorDiv(Dim.plus(len, Dim.of((int) step - 1)), step);
  }

  /** Python's bound of a slice of {@code len}: negatives count from the end, the rest clamp. */
  private static int clamp(int bound, int len) {
    return bound < 0 ? Math.max(0, bound + len) : Math.min(bound, len);
  }

  private Dim bound(Expr e, Map<String, Type> env) throws Problem {
    Type t = ctx.eval(e, env);
    Dim d = sizeOf(e);
    if (d == null && reported(t)) {
      throw new Problem(e.loc(), null);
    }
    if (d == null) {
      throw new Problem(e.loc(), "a slice bound must be an int: a constant, an int argument or a size of the input"
          + (t instanceof Type.TensorT ? ", not a tensor" : ""));
    }
    return d;
  }

  // ------------------------------------------------------------------ views

  private Shape reshape(Ast.Loc loc, Shape in, List<Dim> sizes) throws Problem {
    int infer = -1;
    Dim known = Dim.of(1);
    for (int i = 0; i < sizes.size(); i++) {
      Dim v = sizes.get(i);
      if (v instanceof Dim.Known k && k.size() == -1) {
        if (infer >= 0) {
          throw new Problem(loc, "reshape takes at most one -1");
        }
        infer = i;
      } else if (v instanceof Dim.Known k && k.size() <= 0) {
        throw new Problem(loc, "reshape sizes must be positive or -1, got " + k);
      } else {
        known = Dim.times(known, v);
      }
    }
    String target = "(" + String.join(", ", sizes.stream().map(Dim::toString).toList()) + ")";
    Dim numel = numel(in);
    List<Dim> out = new ArrayList<>(sizes);
    if (infer >= 0) {
      Dim rest = numel == null ? null : Dim.quotient(numel, known);
      if (rest == null && numel instanceof Dim.Known && known instanceof Dim.Known) {
        throw new Problem(loc, "cannot reshape " + in + " (" + numel + " elements) into " + target
            + ": the -1 is not a whole number of elements; give every size");
      }
      out.set(infer, rest == null ? new Dim.Sym("?") : rest); // known at the first forward
    } else if (numel != null && provablyDiffer(numel, known)) {
      throw new Problem(loc, "cannot reshape " + in + " (" + numel + " elements) into " + target
          + " (" + known + " elements)");
    }
    return new Shape(out);
  }

  /** The number of elements as a dim, or null for an unknown rank. */
  private static Dim numel(Shape s) {
    if (!s.knownRank()) {
      return null;
    }
    Dim n = Dim.of(1);
    for (Dim d : s.dims()) {
      n = Dim.times(n, d);
    }
    return n;
  }

  /**
   * Whether {@code a} and {@code b} differ for every size of their symbols: both known, or the
   * same product of symbols with different coefficients ({@code 4*batch} and {@code 5*batch}).
   */
  private static boolean provablyDiffer(Dim a, Dim b) {
    if (a.equals(b) || a.isLazy() || b.isLazy()) {
      return false;
    }
    // c1*P and c2*P with the same symbols P: equal only if c1 == c2 (sizes are positive)
    List<Dim> fa = new ArrayList<>(DimAlgebra.factors(a));
    List<Dim> fb = new ArrayList<>(DimAlgebra.factors(b));
    if (a instanceof Dim.Known || b instanceof Dim.Known) {
      return a instanceof Dim.Known && b instanceof Dim.Known;
    }
    fa.sort(java.util.Comparator.comparing(Dim::toString));
    fb.sort(java.util.Comparator.comparing(Dim::toString));
    return fa.equals(fb) && DimAlgebra.coefficient(a) != DimAlgebra.coefficient(b);
  }

  private Shape permute(Ast.Call call, Shape in, List<Long> dims) throws Problem, ShapeError {
    if (!in.knownRank()) {
      return in;
    }
    if (dims.size() != in.rank()) {
      throw new Problem(call.loc(), "dims " + tuple(dims) + " must name each of the " + in.rank()
          + " dims of " + in + " once");
    }
    boolean[] seen = new boolean[in.rank()];
    List<Dim> out = new ArrayList<>();
    for (long d : dims) {
      int i = Ops.dimIndex(in, d, "dim");
      if (seen[i]) {
        throw new Problem(call.loc(), "dims " + tuple(dims) + " repeat dim " + i);
      }
      seen[i] = true;
      out.add(in.dim(i));
    }
    return new Shape(out);
  }

  private Shape squeeze(Ast.Call call, Shape in, Long dim) throws Problem, ShapeError {
    if (!in.knownRank() && dim == null) {
      throw new Problem(call.loc(), "without a dim needs a tensor of known rank; give the dim");
    }
    if (!in.knownRank()) {
      return in;
    }
    List<Dim> out = new ArrayList<>();
    for (int i = 0; i < in.rank(); i++) {
      Dim d = in.dim(i);
      boolean named = dim == null || i == Ops.dimIndex(in, dim, "dim");
      if (named && !(d instanceof Dim.Known)) {
        throw new Problem(call.loc(), "dim " + i + " of " + in + " is " + d + ", which may or may not be 1;"
            + " index it (x[:, 0]) or reshape instead");
      }
      if (!(named && d.size() == 1)) {
        out.add(d);
      }
    }
    return new Shape(out);
  }

  // ------------------------------------------------------------------ arange, attention

  private Type arange(Ast.Call call, Map<String, Object> a, Map<String, Type> env) throws Problem {
    if (a.get("end") == Functions.NONE) { // arange(end)
      a.put("end", a.get("start"));
      a.put("start", 0L);
    }
    Dim start = a.get("start") instanceof Long l ? Dim.of(l.intValue()) : size((Expr) a.get("start"), "start", env);
    Dim end = size((Expr) a.get("end"), "end", env);
    long step = constant(a, "step");
    if (step <= 0) {
      throw new Problem(call.loc(), "step must be a positive int, got " + step);
    }
    Dim len = Dim.minus(end, start);
    if (len instanceof Dim.Known k && k.size() < 0) {
      len = Dim.of(0);
    }
    return new Type.TensorT(new Shape(List.of(Dim.floorDiv(Dim.plus(len, Dim.of((int) step - 1)), step))),
        DType.INT64);
  }

  private Type attention(Ast.Call call, Map<String, Object> a, Map<String, Type> env) throws Problem, ShapeError {
    Shape q = floatTensor(a, "query", env).shape();
    Shape k = floatTensor(a, "key", env).shape();
    Shape v = floatTensor(a, "value", env).shape();
    Object mask = a.get("attn_mask");
    Type.TensorT m = mask == Functions.NONE || mask instanceof Ast.NoneLit ? null : tensor(a, "attn_mask", env);
    if (m == null) {
      a.put("attn_mask", Functions.NONE);
    }
    Object p = a.get("dropout_p");
    if (!(p instanceof Long l && l == 0 || p instanceof Ast.Num n && n.value() == 0)) {
      throw new Problem(((Expr) p).loc(), "dropout_p must be 0: the forward runs in eval mode");
    }
    Object causal = a.get("is_causal");
    if (causal instanceof Ast.Bool b) {
      a.put("is_causal", b.value());
    } else if (!(causal instanceof Boolean)) {
      throw new Problem(((Expr) causal).loc(), "is_causal must be True or False");
    }
    if (m != null && (Boolean) a.get("is_causal")) {
      throw new Problem(call.loc(), "give attn_mask or is_causal=True, not both");
    }
    if (m != null && m.dtype() == DType.INT64) {
      throw new Problem(((Expr) mask).loc(), "attn_mask must be a bool mask (True keeps a key) or a float"
          + " one (added to the scores), got " + m + "; compare it, as in mask == 1");
    }
    if (!q.knownRank() || !k.knownRank() || !v.knownRank()) {
      return Type.unknownTensor();
    }
    for (Shape s : List.of(q, k, v)) {
      if (s.rank() < 2) {
        throw new ShapeError("query, key and value need at least 2 dims (..., length, features), got "
            + q + ", " + k + " and " + v);
      }
    }
    if (!Dim.compatible(q.dim(-1), k.dim(-1))) {
      throw new ShapeError("query " + q + " and key " + k + " differ in their last dim (" + q.dim(-1)
          + " and " + k.dim(-1) + ")");
    }
    if (!Dim.compatible(k.dim(-2), v.dim(-2))) {
      throw new ShapeError("key " + k + " and value " + v + " differ in length (dim -2: " + k.dim(-2)
          + " and " + v.dim(-2) + ")");
    }
    List<Dim> lead = q.dims().subList(0, q.rank() - 2);
    for (Shape s : List.of(k, v)) {
      if (!sameDims(lead, s.dims().subList(0, s.rank() - 2))) {
        throw new ShapeError("query " + q + ", key " + k + " and value " + v + " need the same leading dims");
      }
    }
    List<Dim> scores = new ArrayList<>(lead);
    scores.add(q.dim(-2));
    scores.add(k.dim(-2));
    if (m != null && m.shape().knownRank()) {
      Shape target = new Shape(scores);
      Shape b;
      try {
        b = Ops.broadcast(m.shape(), target);
      } catch (ShapeError e) {
        b = null;
      }
      if (b == null || b.rank() != target.rank() || !sameDims(b.dims(), scores)) {
        throw new Problem(((Expr) mask).loc(), "attn_mask " + m.shape() + " does not broadcast to the scores "
            + target);
      }
    }
    List<Dim> out = new ArrayList<>(lead);
    out.add(q.dim(-2));
    out.add(v.dim(-1));
    Shape o = new Shape(out);
    Shape sc = new Shape(scores);
    ctx.addFlops(sc.numel() < 0 ? -1 : 2 * sc.numel() * (q.dim(-1).size() + v.dim(-1).size()));
    return new Type.TensorT(o);
  }

  private static boolean sameDims(List<Dim> a, List<Dim> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Dim.compatible(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ arguments

  private Type.TensorT tensor(Map<String, Object> a, String name, Map<String, Type> env) throws Problem {
    Expr e = (Expr) a.get(name);
    Type t = ctx.eval(e, env);
    if (!(t instanceof Type.TensorT tt)) {
      throw new Problem(e.loc(), "'" + name + "' must be a tensor, got " + t);
    }
    return tt;
  }

  private Type.TensorT floatTensor(Map<String, Object> a, String name, Map<String, Type> env) throws Problem {
    Type.TensorT t = tensor(a, name, env);
    if (t.dtype() != DType.FLOAT32) {
      throw new Problem(((Expr) a.get(name)).loc(), "'" + name + "' must be a float32 tensor, got " + t);
    }
    return t;
  }

  private static void requireBool(Map<String, Object> a, String name, Type.TensorT t) throws Problem {
    if (t.dtype() != DType.BOOL) {
      throw new Problem(((Expr) a.get(name)).loc(), "'" + name + "' must be a bool tensor, such as mask == 0,"
          + " got " + t);
    }
  }

  private Type tensorOrNumber(Map<String, Object> a, String name, Map<String, Type> env) throws Problem {
    Expr e = (Expr) a.get(name);
    Type t = ctx.eval(e, env);
    if (!(t instanceof Type.TensorT || t instanceof Type.NumT)) {
      throw new Problem(e.loc(), "'" + name + "' must be a tensor or a number, got " + t);
    }
    return t;
  }

  private void number(Map<String, Object> a, String name, Map<String, Type> env) throws Problem {
    Expr e = (Expr) a.get(name);
    Type t = ctx.eval(e, env);
    if (reported(t)) {
      throw new Problem(e.loc(), null);
    }
    if (!(t instanceof Type.NumT)) {
      throw new Problem(e.loc(), "'" + name + "' must be a number, such as 0.0 or float('-inf'), got " + t);
    }
  }

  private static Shape shapeOf(Type t) {
    return t instanceof Type.TensorT tt ? tt.shape() : Shape.SCALAR;
  }

  /** An int constant (or the default); stored back as a Long for code generation. */
  private static long constant(Map<String, Object> a, String name) throws Problem {
    Object v = a.get(name);
    if (v instanceof Long l) {
      return l;
    }
    Long c = constantOf((Expr) v);
    if (c == null) {
      throw new Problem(((Expr) v).loc(), "'" + name + "' must be an int constant");
    }
    a.put(name, c);
    return c;
  }

  private static Long constantOf(Expr e) {
    if (e instanceof Ast.Num n && n.integral() && Math.abs(n.value()) < Integer.MAX_VALUE) {
      return (long) n.value();
    }
    if (e instanceof Ast.Unary u && u.op().equals("-")) {
      Long v = constantOf(u.operand());
      return v == null ? null : -v;
    }
    return null;
  }

  /** A tuple of int constants (or one int); stored back as a list of Longs. */
  private static List<Long> ints(Map<String, Object> a, String name) throws Problem {
    Object v = a.get(name);
    List<Expr> items = v instanceof Ast.Tuple t ? t.items() : List.of((Expr) v);
    List<Long> out = new ArrayList<>();
    for (Expr item : items) {
      Long c = constantOf(item);
      if (c == null) {
        throw new Problem(item.loc(), "'" + name + "' must be int constants");
      }
      out.add(c);
    }
    a.put(name, out);
    return out;
  }

  /** A size given as a value: evaluated (names checked), then as a dim. */
  private Dim size(Expr e, String what, Map<String, Type> env) throws Problem {
    Type t = ctx.eval(e, env);
    Dim d = sizeOf(e);
    if (d == null && reported(t)) {
      throw new Problem(e.loc(), null);
    }
    if (d == null) {
      throw new Problem(e.loc(), "'" + what + "' must be ints: constants, int arguments or sizes of the input"
          + (t instanceof Type.TensorT ? "; got a tensor" : ""));
    }
    return d;
  }

  /** The int value of {@code e} as a dim: constants, sizes and {@code + - *} of them; null otherwise. */
  private Dim sizeOf(Expr e) {
    if (e instanceof Ast.Num n) {
      return n.integral() && Math.abs(n.value()) < Integer.MAX_VALUE ? Dim.of((int) n.value()) : null;
    }
    if (e instanceof Ast.Name n) {
      return ctx.size(n.name());
    }
    if (e instanceof Ast.Unary u && u.op().equals("-")) {
      Dim d = sizeOf(u.operand());
      return d == null ? null : Dim.minus(Dim.of(0), d);
    }
    if (e instanceof Ast.Binary b && (b.op().equals("+") || b.op().equals("-") || b.op().equals("*"))) {
      Dim l = sizeOf(b.left());
      Dim r = sizeOf(b.right());
      if (l == null || r == null) {
        return null;
      }
      return b.op().equals("+") ? Dim.plus(l, r) : b.op().equals("-") ? Dim.minus(l, r) : Dim.times(l, r);
    }
    return null;
  }

  private static String tuple(List<Long> values) {
    List<String> parts = new ArrayList<>();
    values.forEach(v -> parts.add(Long.toString(v)));
    return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
  }
}
