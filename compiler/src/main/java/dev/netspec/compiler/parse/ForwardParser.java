package dev.netspec.compiler.parse;

import dev.netspec.compiler.parse.Ast.Assign;
import dev.netspec.compiler.parse.Ast.Expr;
import dev.netspec.compiler.parse.Ast.Kwarg;
import dev.netspec.compiler.parse.Ast.Loc;
import dev.netspec.compiler.parse.Ast.Stmt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the forward language: Python-like statements with indentation blocks, or a single
 * expression (then it is the value returned). A Pratt parser over a small token list.
 */
public final class ForwardParser {
  /** A syntax error at a place in the forward text. */
  public static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Loc loc;

    SyntaxError(Loc loc, String message) {
      super(message, null, false, false);
      this.loc = loc;
    }

    public Loc loc() {
      return loc;
    }
  }

  private enum Kind { NAME, NUMBER, STRING, OP, NEWLINE, INDENT, DEDENT, END }

  private record Token(Kind kind, String text, Loc loc) {}

  private static final Set<String> KEYWORDS = Set.of(
      "while", "if", "elif", "else", "return", "and", "or", "not", "True", "False", "None", "for", "in");
  private static final List<String> OPERATORS = List.of(
      "**", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=",
      "+", "-", "*", "/", "@", "<", ">", "=", "(", ")", "[", "]", ",", ":", "...", ".");
  /** Binding power of each binary operator (higher binds tighter); {@link ExprText} writes by it too. */
  static final Map<String, Integer> BINARY = Map.ofEntries(
      Map.entry("or", 10), Map.entry("and", 20),
      Map.entry("<", 40), Map.entry(">", 40), Map.entry("<=", 40), Map.entry(">=", 40),
      Map.entry("==", 40), Map.entry("!=", 40),
      Map.entry("+", 50), Map.entry("-", 50),
      Map.entry("*", 60), Map.entry("/", 60), Map.entry("@", 60),
      Map.entry("**", 80));
  static final int UNARY_NOT = 30;
  static final int UNARY_MINUS = 70;
  /** Deepest nesting of brackets and operands in one expression. */
  private static final int MAX_NESTING = 64;
  /** Deepest nesting of indented blocks: Python's own limit ("too many statically nested blocks"). */
  private static final int MAX_BLOCKS = 20;
  /** Deepest expression tree: long operator chains nest on the left without recursion here. */
  private static final int MAX_TREE_DEPTH = 256;

  private final List<Token> tokens;
  private final String[] lines;
  private int next;
  private int nesting;
  /** How many indented blocks hold the statement being parsed. */
  private int blocks;
  /** The tree depth of the expression parsed last. */
  private int lastDepth;

  private ForwardParser(List<Token> tokens, String[] lines) {
    this.tokens = tokens;
    this.lines = lines;
  }

  /**
   * Parses {@code text} into statements; a lone expression becomes one {@code return}.
   *
   * @throws SyntaxError at the first error, with its position in {@code text}
   */
  public static List<Stmt> parse(String text) throws SyntaxError {
    ForwardParser p = new ForwardParser(tokenize(text, 0), text.split("\n", -1));
    return p.program();
  }

  /**
   * Parses a value written in a spec's string, such as a {@code when:} condition or an int
   * argument's arithmetic ({@code " 3 * n"}): as {@link #parse}, but spaces before the text are
   * not an indentation, as Python's {@code eval} allows them.
   */
  public static List<Stmt> parseValue(String text) throws SyntaxError {
    String first = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
    int base = 0;
    while (base < first.length() && first.charAt(base) == ' ') {
      base++;
    }
    ForwardParser p = new ForwardParser(tokenize(text, base), text.split("\n", -1));
    return p.program();
  }

  // ------------------------------------------------------------------ statements

  private List<Stmt> program() throws SyntaxError {
    skipNewlines();
    if (peek().kind() == Kind.NAME && (peek().text().equals("def") || peek().text().equals("class"))) {
      String header = lines[peek().loc().line() - 1].replaceFirst("\\s*#.*$", "").strip();
      throw new SyntaxError(peek().loc(), "a forward is the body of PyTorch's forward only: leave out"
          + " '" + header + "', write its statements without 'self.', and the input is x");
    }
    if (isExpressionProgram()) {
      Token start = peek();
      Expr e = expression(0);
      skipNewlines();
      expect(Kind.END, "end of the forward expression");
      return List.of(new Ast.Return(start.loc(), e));
    }
    List<Stmt> out = new ArrayList<>();
    while (peek().kind() != Kind.END) {
      out.add(statement());
      skipNewlines();
    }
    return out;
  }

  /** A forward that is one expression: no statement keyword and no assignment at the top. */
  private boolean isExpressionProgram() {
    Token first = peek();
    if (first.kind() == Kind.NAME && Set.of("while", "if", "return", "for").contains(first.text())) {
      return false;
    }
    Token second = tokens.get(Math.min(next + 1, tokens.size() - 1));
    if (first.kind() == Kind.OP && first.text().equals("(")) {
      return !startsUnpacking(); // (h, c) = ... unpacks; (x + 1) * 2 is an expression
    }
    return !(first.kind() == Kind.NAME && second.kind() == Kind.OP
        && Set.of("=", "+=", "-=", "*=", "/=", ",").contains(second.text()));
  }

  /** Whether the parenthesized group at the cursor is followed by {@code =} or {@code ,}. */
  private boolean startsUnpacking() {
    int depth = 0;
    for (int i = next; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.kind() == Kind.OP && t.text().equals("(")) {
        depth++;
      } else if (t.kind() == Kind.OP && t.text().equals(")") && --depth == 0) {
        Token after = tokens.get(Math.min(i + 1, tokens.size() - 1));
        return after.kind() == Kind.OP && (after.text().equals("=") || after.text().equals(","));
      } else if (t.kind() != Kind.OP && t.kind() != Kind.NAME) {
        return false; // a number, a newline or the end: not a group of names
      }
    }
    return false;
  }

  private Stmt statement() throws SyntaxError {
    Token t = peek();
    if (t.kind() == Kind.INDENT) {
      throw new SyntaxError(t.loc(), "unexpected indentation");
    }
    if (t.kind() == Kind.NAME) {
      switch (t.text()) {
        case "while": {
          advance();
          Expr cond = expression(0);
          return new Ast.While(t.loc(), cond, block());
        }
        case "if":
          advance();
          return ifRest(t);
        case "for":
          advance();
          return forRest(t);
        case "return": {
          advance();
          Expr e = expression(0);
          if (peekOp(",")) { // return out, (h, c): a tuple without parentheses
            e = tupleRest(t, e, null);
          }
          endOfLine();
          return new Ast.Return(t.loc(), e);
        }
        case "else":
        case "elif":
          throw new SyntaxError(t.loc(), "'" + t.text() + "' without a matching 'if'");
        default:
          break;
      }
      if (!KEYWORDS.contains(t.text()) && tokens.get(next + 1).kind() == Kind.OP
          && tokens.get(next + 1).text().equals(",")) {
        return unpack(t);
      }
      if (!KEYWORDS.contains(t.text())) {
        Token op = tokens.get(next + 1);
        if (op.kind() == Kind.OP && Set.of("=", "+=", "-=", "*=", "/=").contains(op.text())) {
          advance();
          advance();
          Expr e = expression(0);
          endOfLine();
          return new Assign(t.loc(), t.text(), op.text(), e);
        }
      }
    }
    if (t.kind() == Kind.OP && t.text().equals("(")) {
      return unpack(t);
    }
    throw new SyntaxError(t.loc(),
        "expected a statement (name = expression, while, for, if or return), found " + describe(t));
  }

  /** {@code for NAME in expression:} block (after the {@code for}). */
  private Stmt forRest(Token forToken) throws SyntaxError {
    Token name = advance();
    if (name.kind() != Kind.NAME || KEYWORDS.contains(name.text())) {
      throw new SyntaxError(name.loc(), "expected a loop variable after 'for', found " + describe(name));
    }
    Token in = advance();
    if (in.kind() != Kind.NAME || !in.text().equals("in")) {
      throw new SyntaxError(in.loc(), "expected 'in' after 'for " + name.text() + "', found " + describe(in));
    }
    Expr items = expression(0);
    return new Ast.For(forToken.loc(), name.text(), name.loc(), items, block());
  }

  /** {@code out, (h, c) = e}: names and parenthesized groups of names, then {@code =}. */
  private Stmt unpack(Token first) throws SyntaxError {
    List<Expr> targets = new ArrayList<>();
    targets.add(target(1));
    while (peekOp(",")) {
      advance();
      if (peekOp("=")) {
        break;
      }
      targets.add(target(1));
    }
    Token eq = peek();
    if (!peekOp("=")) {
      throw new SyntaxError(eq.loc(), "expected '=' after the names to unpack into, found " + describe(eq));
    }
    advance();
    Expr e = expression(0);
    if (peekOp(",")) { // a, b = b, a: a tuple without parentheses
      e = tupleRest(first, e, null);
    }
    endOfLine();
    Ast.Tuple tuple = targets.size() == 1 && targets.get(0) instanceof Ast.Tuple inner ? inner
        : new Ast.Tuple(first.loc(), targets);
    return new Ast.Unpack(first.loc(), tuple, e);
  }

  private Expr target(int depth) throws SyntaxError {
    Token t = advance();
    if (depth > MAX_TREE_DEPTH) {
      throw new SyntaxError(t.loc(), "the names to unpack into are nested more than " + MAX_TREE_DEPTH + " deep");
    }
    if (t.kind() == Kind.NAME && !KEYWORDS.contains(t.text())) {
      return new Ast.Name(t.loc(), t.text());
    }
    if (t.kind() == Kind.OP && t.text().equals("(")) {
      List<Expr> items = new ArrayList<>();
      items.add(target(depth + 1));
      while (peekOp(",")) {
        advance();
        if (peekOp(")")) {
          break;
        }
        items.add(target(depth + 1));
      }
      expectOp(")");
      return new Ast.Tuple(t.loc(), items);
    }
    throw new SyntaxError(t.loc(), "expected a name to unpack into, found " + describe(t));
  }

  private Stmt ifRest(Token ifToken) throws SyntaxError {
    Expr cond = expression(0);
    List<Stmt> then = block();
    List<Stmt> otherwise = List.of();
    Token t = peek();
    if (t.kind() == Kind.NAME && t.text().equals("elif")) {
      advance();
      otherwise = List.of(ifRest(t));
    } else if (t.kind() == Kind.NAME && t.text().equals("else")) {
      advance();
      otherwise = block();
    }
    return new Ast.If(ifToken.loc(), cond, then, otherwise);
  }

  /** {@code ':' NEWLINE INDENT statement+ DEDENT}. */
  private List<Stmt> block() throws SyntaxError {
    expectOp(":");
    expect(Kind.NEWLINE, "a new line after ':'");
    skipNewlines();
    expect(Kind.INDENT, "an indented block");
    if (++blocks > MAX_BLOCKS) {
      throw new SyntaxError(peek().loc(), "blocks are nested deeper than " + MAX_BLOCKS
          + " (as in Python); move the inner ones into a block of the spec that this forward calls");
    }
    List<Stmt> body = new ArrayList<>();
    while (peek().kind() != Kind.DEDENT && peek().kind() != Kind.END) {
      body.add(statement());
      skipNewlines();
    }
    blocks--;
    if (peek().kind() == Kind.DEDENT) {
      advance();
    }
    return body;
  }

  private void endOfLine() throws SyntaxError {
    Token t = peek();
    if (t.kind() == Kind.NEWLINE) {
      advance();
    } else if (t.kind() != Kind.END && t.kind() != Kind.DEDENT) {
      throw new SyntaxError(t.loc(), "expected the end of the line, found " + describe(t));
    }
  }

  // ------------------------------------------------------------------ expressions

  private Expr expression(int minPower) throws SyntaxError {
    if (++nesting > MAX_NESTING) {
      throw new SyntaxError(peek().loc(), "expression is nested deeper than " + MAX_NESTING);
    }
    Expr left = prefix();
    int leftDepth = lastDepth;
    while (true) {
      Token t = peek();
      Integer power = (t.kind() == Kind.OP || t.kind() == Kind.NAME) ? BINARY.get(t.text()) : null;
      if (power == null || power <= minPower) {
        break;
      }
      advance();
      // '**' is right-associative; the rest are left-associative.
      Expr right = expression(t.text().equals("**") ? power - 1 : power);
      left = new Ast.Binary(t.loc(), t.text(), left, right);
      leftDepth = 1 + Math.max(leftDepth, lastDepth);
      if (leftDepth > MAX_TREE_DEPTH) {
        throw new SyntaxError(t.loc(), "expression is nested deeper than " + MAX_TREE_DEPTH
            + " operations; split it into several statements");
      }
    }
    nesting--;
    lastDepth = leftDepth;
    return left;
  }

  private Expr prefix() throws SyntaxError {
    Token t = advance();
    Expr e;
    if (t.kind() == Kind.OP && t.text().equals("-")) {
      Expr operand = expression(UNARY_MINUS);
      lastDepth++;
      return new Ast.Unary(t.loc(), "-", operand);
    } else if (t.kind() == Kind.NAME && t.text().equals("not")) {
      Expr operand = expression(UNARY_NOT);
      lastDepth++;
      return new Ast.Unary(t.loc(), "not", operand);
    } else if (t.kind() == Kind.NUMBER) {
      boolean integral = !t.text().contains(".") && !t.text().contains("e") && !t.text().contains("E");
      double value;
      try {
        value = Double.parseDouble(t.text());
      } catch (NumberFormatException ex) {
        throw new SyntaxError(t.loc(), "malformed number '" + t.text() + "'");
      }
      e = new Ast.Num(t.loc(), value, integral);
    } else if (t.kind() == Kind.NAME && (t.text().equals("True") || t.text().equals("False"))) {
      e = new Ast.Bool(t.loc(), t.text().equals("True"));
    } else if (t.kind() == Kind.NAME && t.text().equals("None")) {
      e = new Ast.NoneLit(t.loc());
    } else if (t.kind() == Kind.STRING) {
      e = new Ast.Str(t.loc(), t.text());
    } else if (t.kind() == Kind.NAME && !KEYWORDS.contains(t.text())) {
      if (peekOp("(")) {
        e = call(t);
      } else {
        e = new Ast.Name(t.loc(), t.text());
      }
    } else if (t.kind() == Kind.OP && t.text().equals("(")) {
      Expr inner = expression(0);
      if (peekOp(",")) {
        e = tupleRest(t, inner, ")");
      } else {
        expectOp(")");
        e = inner;
      }
    } else if (t.kind() == Kind.OP && t.text().equals("[")) {
      e = peekOp("]") ? tupleRest(t, null, "]") : tupleRest(t, expression(0), "]");
    } else {
      throw new SyntaxError(t.loc(), "expected an expression, found " + describe(t));
    }
    int depth = depthOf(e);
    while (peekOp(".") || peekOp("[")) {
      if (peekOp("[")) {
        e = subscript(e);
        depth = Math.max(depth, lastDepth) + 1;
        if (peekOp("(")) { // h[0](x): a module list's item called
          Token open = peek();
          Token start = tokens.get(next - 1);
          // located at the list's name, as fc(x) is at 'fc' (errors of the call point there)
          Ast.Call c = call(new Token(Kind.NAME, Ast.ITEM_CALL, t.loc()));
          Token close = tokens.get(next - 1);
          e = new Ast.Method(t.loc(), e, c, source(t.loc(), new Loc(start.loc().line(), start.loc().column() + 1)),
              source(new Loc(open.loc().line(), open.loc().column() + 1), close.loc()));
          depth = Math.max(depth, lastDepth) + 1;
        }
        continue;
      }
      Token dot = advance();
      Token name = advance();
      if (name.kind() != Kind.NAME) {
        throw new SyntaxError(name.loc(), "expected a name after '.', found " + describe(name));
      }
      if (peekOp("(")) {
        // PyTorch's spelling (h.mean(), F.relu(x)): parsed whole, so the inference can say
        // what to write instead and go on to the next one.
        Token open = peek();
        Ast.Call c = call(name);
        Token close = tokens.get(next - 1);
        e = new Ast.Method(t.loc(), e, c, source(t.loc(), dot.loc()),
            source(new Loc(open.loc().line(), open.loc().column() + 1), close.loc()));
        depth = Math.max(depth, lastDepth);
      } else {
        e = new Ast.Attr(name.loc(), e, name.text());
      }
      depth++;
    }
    lastDepth = depth;
    return e;
  }

  /** {@code target[item, ...]}, the '[' next; items are indices, slices, '...' and None. */
  private Expr subscript(Expr target) throws SyntaxError {
    Token open = advance();
    if (peekOp("]")) {
      throw new SyntaxError(peek().loc(), "expected an index or a slice inside '[]', found ']'");
    }
    List<Expr> items = new ArrayList<>();
    int depth = 0;
    while (true) {
      items.add(subscriptItem());
      depth = Math.max(depth, lastDepth);
      if (!peekOp(",")) {
        break;
      }
      advance();
      if (peekOp("]")) {
        break; // x[0,] as in Python
      }
    }
    expectOp("]");
    lastDepth = depth; // the deepest item: the caller adds one level over it and the target
    return new Ast.Subscript(open.loc(), target, items);
  }

  /** One item of a subscript: {@code ...}, an expression, or a slice {@code start:stop:step}. */
  private Expr subscriptItem() throws SyntaxError {
    Token t = peek();
    if (t.kind() == Kind.OP && t.text().equals("...")) {
      advance();
      lastDepth = 1;
      return new Ast.Ellipsis(t.loc());
    }
    Expr start = peekOp(":") ? null : expression(0);
    if (!peekOp(":")) {
      return start;
    }
    int depth = start == null ? 0 : lastDepth;
    Token colon = advance();
    Expr stop = null;
    if (!endOfSlicePart()) {
      stop = expression(0);
      depth = Math.max(depth, lastDepth);
    }
    Expr step = null;
    if (peekOp(":")) {
      advance();
      if (!endOfSlicePart()) {
        step = expression(0);
        depth = Math.max(depth, lastDepth);
      }
    }
    lastDepth = depth + 1;
    return new Ast.Slice(start == null ? colon.loc() : start.loc(), start, stop, step);
  }

  private boolean endOfSlicePart() {
    return peekOp(":") || peekOp(",") || peekOp("]");
  }

  /** The depth of a just-parsed primary: leaves are 1; composites were measured as parsed. */
  private int depthOf(Expr e) {
    return e instanceof Ast.Num || e instanceof Ast.Bool || e instanceof Ast.Name || e instanceof Ast.Str
        || e instanceof Ast.NoneLit ? 1 : lastDepth;
  }

  private Expr tupleRest(Token open, Expr first, String close) throws SyntaxError {
    List<Expr> items = new ArrayList<>();
    int depth = first == null ? 0 : lastDepth;
    if (first != null) {
      items.add(first);
      while (peekOp(",")) {
        advance();
        if (peekOp(close)) {
          break;
        }
        items.add(expression(0));
        depth = Math.max(depth, lastDepth);
      }
    }
    if (close != null) {
      expectOp(close);
    }
    lastDepth = depth + 1;
    return new Ast.Tuple(open.loc(), items);
  }

  private Ast.Call call(Token name) throws SyntaxError {
    expectOp("(");
    List<Expr> args = new ArrayList<>();
    List<Kwarg> kwargs = new ArrayList<>();
    int depth = 0;
    while (!peekOp(")")) {
      Token t = peek();
      Token after = tokens.get(Math.min(next + 1, tokens.size() - 1));
      if (t.kind() == Kind.NAME && after.kind() == Kind.OP && after.text().equals("=")) {
        advance();
        advance();
        kwargs.add(new Kwarg(t.loc(), t.text(), expression(0)));
      } else if (!kwargs.isEmpty()) {
        throw new SyntaxError(t.loc(), "positional argument after a keyword argument");
      } else {
        args.add(expression(0));
      }
      depth = Math.max(depth, lastDepth);
      if (!peekOp(",")) {
        break;
      }
      advance();
    }
    expectOp(")");
    lastDepth = depth + 1;
    return new Ast.Call(name.loc(), name.text(), args, kwargs);
  }

  /** The source from {@code from} up to (not including) {@code to}, on one line. */
  private String source(Loc from, Loc to) {
    StringBuilder out = new StringBuilder();
    for (int line = from.line(); line <= to.line(); line++) {
      String text = lines[line - 1];
      int start = line == from.line() ? from.column() - 1 : 0;
      int end = line == to.line() ? to.column() - 1 : text.length();
      out.append(text, Math.min(start, text.length()), Math.min(Math.max(start, end), text.length())).append(' ');
    }
    return out.toString().replaceAll("\\s+", " ").replace("( ", "(").replace(" )", ")").strip();
  }

  // ------------------------------------------------------------------ tokens

  private Token peek() {
    return tokens.get(next);
  }

  private Token advance() {
    Token t = tokens.get(next);
    if (t.kind() != Kind.END) {
      next++;
    }
    return t;
  }

  private boolean peekOp(String op) {
    Token t = peek();
    return t.kind() == Kind.OP && t.text().equals(op);
  }

  private void expectOp(String op) throws SyntaxError {
    Token t = advance();
    if (t.kind() != Kind.OP || !t.text().equals(op)) {
      throw new SyntaxError(t.loc(), "expected '" + op + "', found " + describe(t));
    }
  }

  private void expect(Kind kind, String what) throws SyntaxError {
    Token t = advance();
    if (t.kind() != kind) {
      throw new SyntaxError(t.loc(), "expected " + what + ", found " + describe(t));
    }
  }

  private void skipNewlines() {
    while (peek().kind() == Kind.NEWLINE) {
      advance();
    }
  }

  private static String describe(Token t) {
    switch (t.kind()) {
      case NEWLINE:
        return "the end of the line";
      case INDENT:
        return "an indented line";
      case DEDENT:
        return "the end of the block";
      case END:
        return "the end of the forward";
      default:
        return "'" + t.text() + "'";
    }
  }

  /** Splits the text into tokens, with Python-style NEWLINE, INDENT and DEDENT. */
  private static List<Token> tokenize(String text, int base) throws SyntaxError {
    List<Token> out = new ArrayList<>();
    List<Integer> indents = new ArrayList<>(List.of(base));
    String[] lines = text.split("\r?\n", -1); // a Windows line end too: its blank lines stay blank
    int depth = 0;
    int lastLine = 1;
    for (int ln = 0; ln < lines.length; ln++) {
      String line = lines[ln];
      int lineNo = ln + 1;
      int i = 0;
      while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        if (line.charAt(i) == '\t') {
          throw new SyntaxError(new Loc(lineNo, i + 1), "tabs are not allowed for indentation");
        }
        i++;
      }
      if (i == line.length() || line.charAt(i) == '#') {
        continue;
      }
      lastLine = lineNo;
      if (depth == 0) {
        int current = indents.get(indents.size() - 1);
        if (i > current) {
          indents.add(i);
          out.add(new Token(Kind.INDENT, "", new Loc(lineNo, i + 1)));
        } else {
          while (indents.size() > 1 && i < indents.get(indents.size() - 1)) {
            indents.remove(indents.size() - 1);
            out.add(new Token(Kind.DEDENT, "", new Loc(lineNo, i + 1)));
          }
          if (i != indents.get(indents.size() - 1)) {
            throw new SyntaxError(new Loc(lineNo, i + 1), "indentation does not match any outer block");
          }
        }
      }
      while (i < line.length()) {
        char c = line.charAt(i);
        Loc loc = new Loc(lineNo, i + 1);
        if (c == ' ' || c == '\t' || c == '\r') {
          i++;
        } else if (c == '#') {
          break;
        } else if (Character.isLetter(c) || c == '_') {
          int start = i;
          while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_')) {
            i++;
          }
          out.add(new Token(Kind.NAME, line.substring(start, i), loc));
        } else if (c == '\'' || c == '"') {
          int end = line.indexOf(c, i + 1);
          if (end < 0) {
            throw new SyntaxError(loc, "unterminated string");
          }
          out.add(new Token(Kind.STRING, line.substring(i + 1, end), loc));
          i = end + 1;
        } else if (Character.isDigit(c) || (c == '.' && i + 1 < line.length() && Character.isDigit(line.charAt(i + 1)))) {
          int start = i;
          while (i < line.length() && (Character.isDigit(line.charAt(i)) || line.charAt(i) == '.')) {
            i++;
          }
          if (i < line.length() && (line.charAt(i) == 'e' || line.charAt(i) == 'E')) {
            i++;
            if (i < line.length() && (line.charAt(i) == '+' || line.charAt(i) == '-')) {
              i++;
            }
            while (i < line.length() && Character.isDigit(line.charAt(i))) {
              i++;
            }
          }
          out.add(new Token(Kind.NUMBER, line.substring(start, i), loc));
        } else {
          String op = null;
          for (String candidate : OPERATORS) {
            if (line.startsWith(candidate, i)) {
              op = candidate;
              break;
            }
          }
          if (op == null) {
            throw new SyntaxError(loc, "unexpected character '" + c + "'");
          }
          if (op.equals("(") || op.equals("[")) {
            depth++;
          } else if ((op.equals(")") || op.equals("]")) && depth > 0) {
            depth--;
          }
          out.add(new Token(Kind.OP, op, loc));
          i += op.length();
        }
      }
      if (depth == 0) {
        out.add(new Token(Kind.NEWLINE, "", new Loc(lineNo, line.length() + 1)));
      }
    }
    Loc end = new Loc(lastLine, lines[lastLine - 1].length() + 1);
    for (int k = 1; k < indents.size(); k++) {
      out.add(new Token(Kind.DEDENT, "", end));
    }
    out.add(new Token(Kind.END, "", end));
    return out;
  }
}
