package dev.netspec.compiler.parse;

import java.util.List;

/**
 * The forward language's syntax tree. Positions are 1-based line and column inside the
 * {@code forward} text; {@link Node.Scalar#at} maps them to the file.
 */
public final class Ast {
  private Ast() {}

  /** A position inside the forward text. */
  public record Loc(int line, int column) {}

  /** An expression. */
  public sealed interface Expr {
    Loc loc();
  }

  /** A number literal; {@code integral} when written without a point or exponent. */
  public record Num(Loc loc, double value, boolean integral) implements Expr {}

  /** {@code True} or {@code False}. */
  public record Bool(Loc loc, boolean value) implements Expr {}

  /** A string literal, {@code 'tanh'} or {@code "tanh"}: only as a function argument. */
  public record Str(Loc loc, String value) implements Expr {}

  /** Python's {@code None}: only as a function argument or a subscript item (a new axis). */
  public record NoneLit(Loc loc) implements Expr {}

  /** A variable, child, parameter, buffer or argument name. */
  public record Name(Loc loc, String name) implements Expr {}

  /** {@code -e} or {@code not e}. */
  public record Unary(Loc loc, String op, Expr operand) implements Expr {}

  /** {@code l op r}: arithmetic, {@code @}, comparisons, {@code and}, {@code or}. */
  public record Binary(Loc loc, String op, Expr left, Expr right) implements Expr {}

  /** A keyword argument {@code name=value}. */
  public record Kwarg(Loc loc, String name, Expr value) {}

  /** {@code f(args, name=value)}: a child, a block parameter or a builtin function. */
  public record Call(Loc loc, String callee, List<Expr> args, List<Kwarg> kwargs) implements Expr {
    public Call {
      args = List.copyOf(args);
      kwargs = List.copyOf(kwargs);
    }
  }

  /**
   * {@code e.name}: {@code e.T} transposes; any other name is PyTorch's spelling ({@code
   * self.weight}, {@code h.shape}), refused with what to write instead.
   */
  public record Attr(Loc loc, Expr target, String name) implements Expr {}

  /**
   * {@code target.name(args)}: PyTorch's spelling ({@code self.fc1(x)}, {@code h.mean()},
   * {@code F.relu(x)}), refused with what to write instead. {@code call} holds the name and the
   * arguments; the texts are the source of the target and of the arguments, for messages.
   */
  public record Method(Loc loc, Expr target, Call call, String targetText, String argsText) implements Expr {}

  /**
   * {@code [a, b]} or {@code (a, b)}: a shape or list argument, a returned tuple ({@code return
   * out, (h, c)}) or an unpacking target.
   */
  public record Tuple(Loc loc, List<Expr> items) implements Expr {
    public Tuple {
      items = List.copyOf(items);
    }
  }

  /**
   * {@code target[items]}: PyTorch's indexing ({@code x[:, 0]}, {@code x[..., :n]}, {@code
   * x[:, None]}). The target is any expression (a tensor; later a module list); each item is
   * an expression (an index), a {@link Slice}, an {@link Ellipsis} or a {@link NoneLit}.
   */
  public record Subscript(Loc loc, Expr target, List<Expr> items) implements Expr {
    public Subscript {
      items = List.copyOf(items);
    }
  }

  /** {@code start:stop:step} inside a subscript; an omitted part is null. */
  public record Slice(Loc loc, Expr start, Expr stop, Expr step) implements Expr {}

  /** {@code ...} inside a subscript: as many full slices as the other items leave. */
  public record Ellipsis(Loc loc) implements Expr {}

  /** A statement. */
  public sealed interface Stmt {
    Loc loc();
  }

  /** {@code name = e} or {@code name op= e} ({@code op} is {@code "="} or {@code "+="} ...). */
  public record Assign(Loc loc, String name, String op, Expr value) implements Stmt {}

  /**
   * {@code out, (h, c) = e}: unpacks a tuple result into names; {@code targets} holds
   * {@link Name}s and nested {@link Tuple}s of them.
   */
  public record Unpack(Loc loc, Tuple targets, Expr value) implements Stmt {}

  /** {@code while cond:} body. */
  public record While(Loc loc, Expr condition, List<Stmt> body) implements Stmt {
    public While {
      body = List.copyOf(body);
    }
  }

  /**
   * {@code for name in items:} body: {@code items} is a module list ({@code h}, or
   * {@code transformer.h} in a module dict); {@code name} is each of its modules in turn.
   */
  public record For(Loc loc, String name, Loc nameLoc, Expr items, List<Stmt> body) implements Stmt {
    public For {
      body = List.copyOf(body);
    }
  }

  /** {@code if cond:} then, {@code else:} otherwise (empty when absent). */
  public record If(Loc loc, Expr condition, List<Stmt> then, List<Stmt> otherwise) implements Stmt {
    public If {
      then = List.copyOf(then);
      otherwise = List.copyOf(otherwise);
    }
  }

  /** {@code return e}. */
  public record Return(Loc loc, Expr value) implements Stmt {}
}
