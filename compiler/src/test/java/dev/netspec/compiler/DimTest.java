package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.infer.Dim;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Dim expressions against brute force: random expressions built through {@link Dim}'s
 * operations are evaluated over many sizes and compared with a plain evaluation of the same
 * expression, their printed form is parsed back with floor division, and their Java form is
 * compiled and run.
 */
class DimTest {
  private static final String[] SYMBOLS = {"height", "width", "batch"};

  /** A raw expression as built, evaluated directly: the oracle. */
  private sealed interface Raw {
    record Num(long v) implements Raw {}

    record Var(String name) implements Raw {}

    record Op(char op, Raw l, Raw r) implements Raw {}

    record Div(Raw num, long d) implements Raw {}
  }

  private static long eval(Raw r, Map<String, Long> env) {
    if (r instanceof Raw.Num n) {
      return n.v();
    }
    if (r instanceof Raw.Var v) {
      return env.get(v.name());
    }
    if (r instanceof Raw.Div d) {
      return Math.floorDiv(eval(d.num(), env), d.d());
    }
    Raw.Op o = (Raw.Op) r;
    long l = eval(o.l(), env);
    long x = eval(o.r(), env);
    return o.op() == '+' ? l + x : o.op() == '-' ? l - x : l * x;
  }

  private static Dim build(Raw r) {
    if (r instanceof Raw.Num n) {
      return Dim.of((int) n.v());
    }
    if (r instanceof Raw.Var v) {
      return new Dim.Sym(v.name());
    }
    if (r instanceof Raw.Div d) {
      return Dim.floorDiv(build(d.num()), d.d());
    }
    Raw.Op o = (Raw.Op) r;
    Dim l = build(o.l());
    Dim x = build(o.r());
    return o.op() == '+' ? Dim.plus(l, x) : o.op() == '-' ? Dim.minus(l, x) : Dim.times(l, x);
  }

  private static Raw random(Random rnd, int depth) {
    int pick = depth == 0 ? rnd.nextInt(2) : rnd.nextInt(7);
    switch (pick) {
      case 0:
        return new Raw.Num(rnd.nextInt(15) - 7);
      case 1:
        return new Raw.Var(SYMBOLS[rnd.nextInt(SYMBOLS.length)]);
      case 2:
      case 3:
        return new Raw.Div(random(rnd, depth - 1), 1 + rnd.nextInt(6));
      case 4:
        // products kept small: one side a constant or a symbol
        return new Raw.Op('*', random(rnd, depth - 1), rnd.nextBoolean() ? new Raw.Num(rnd.nextInt(7) - 3)
            : new Raw.Var(SYMBOLS[rnd.nextInt(SYMBOLS.length)]));
      default:
        return new Raw.Op(rnd.nextBoolean() ? '+' : '-', random(rnd, depth - 1), random(rnd, depth - 1));
    }
  }

  private static List<Map<String, Long>> envs(Random rnd, int n) {
    List<Map<String, Long>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Map<String, Long> env = new LinkedHashMap<>();
      for (String s : SYMBOLS) {
        env.put(s, (long) rnd.nextInt(61) - 20);
      }
      out.add(env);
    }
    return out;
  }

  @Test
  void simplifiedFormsEvaluateAsBuiltAndPrintAsTheyEvaluate() {
    Random rnd = new Random(13);
    List<Map<String, Long>> envs = envs(rnd, 40);
    for (int i = 0; i < 3000; i++) {
      Raw raw = random(rnd, 4);
      Dim d = build(raw);
      Raw printed = new Parser(d.toString()).parse();
      // height := 2*width - 3, width := batch + 1 (simultaneously)
      Dim substituted = d.substitute(n -> n.equals("height")
          ? Dim.minus(Dim.times(Dim.of(2), new Dim.Sym("width")), Dim.of(3))
          : n.equals("width") ? Dim.plus(new Dim.Sym("batch"), Dim.of(1)) : null);
      for (Map<String, Long> env : envs) {
        Map<String, Long> moved = Map.of("height", 2 * env.get("width") - 3, "width", env.get("batch") + 1,
            "batch", env.get("batch"));
        assertEquals(d.eval(moved), substituted.eval(env), () -> d + " substituted as " + substituted);
        long want = eval(raw, env);
        assertEquals(want, d.eval(env), () -> raw + " built as " + d + " at " + env);
        assertEquals(want, eval(printed, env), () -> raw + " printed as " + d + " at " + env);
      }
    }
  }

  @Test
  void quotientsAreExactWhereverTheyAreGiven() {
    Random rnd = new Random(11);
    int given = 0;
    for (int trial = 0; trial < 2000; trial++) {
      Raw b = random(rnd, 2);
      Raw a = new Raw.Op('*', b, random(rnd, 2)); // a multiple of b: often a quotient exists
      Raw other = rnd.nextInt(4) == 0 ? random(rnd, 3) : a; // and sometimes an arbitrary a
      Dim q = Dim.quotient(build(other), build(b));
      if (q == null) {
        continue;
      }
      given++;
      for (int k = 0; k < 20; k++) {
        Map<String, Long> env = new LinkedHashMap<>();
        for (String s : SYMBOLS) {
          env.put(s, (long) (1 + rnd.nextInt(40)));
        }
        assertEquals(eval(other, env), q.eval(env) * eval(b, env),
            build(other) + " / " + build(b) + " = " + q + " at " + env);
      }
    }
    assertTrue(given > 500, "quotients given: " + given);
    assertEquals("16*seq", Dim.quotient(Dim.times(Dim.times(Dim.of(64), new Dim.Sym("batch")), new Dim.Sym("seq")),
        Dim.times(Dim.of(4), new Dim.Sym("batch"))).toString());
    assertEquals(null, Dim.quotient(new Dim.Sym("dim"), new Dim.Sym("heads")), "dim / heads is not known exact");
  }

  @Test
  void normalFormIsTheSameWhateverTheOrder() {
    Dim h = new Dim.Sym("height");
    Dim w = new Dim.Sym("width");
    assertEquals(Dim.plus(h, w), Dim.plus(w, h));
    assertEquals(Dim.times(h, w), Dim.times(w, h));
    assertEquals(Dim.plus(Dim.plus(h, Dim.of(2)), Dim.minus(w, Dim.of(2))), Dim.plus(w, h));
    assertEquals(h, Dim.minus(Dim.plus(h, w), w));
    assertEquals(Dim.of(0), Dim.minus(Dim.times(Dim.of(3), h), Dim.plus(h, Dim.plus(h, h))));
    assertEquals(Dim.floorDiv(h, 4), Dim.floorDiv(Dim.floorDiv(h, 2), 2));
  }

  /** PyTorch's output size: floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1. */
  private static Dim convOut(Dim in, int kernel, int stride, int padding) {
    return Dim.plus(Dim.floorDiv(Dim.plus(in, Dim.of(2 * padding - (kernel - 1) - 1)), stride), Dim.of(1));
  }

  @Test
  void convolutionSizesPrintSimplified() {
    Dim h = new Dim.Sym("height");
    Dim conv1 = convOut(h, 7, 2, 3); // ResNet's stem, (height + 2*3 - 7) / 2 + 1
    assertEquals("(height - 1) / 2 + 1", conv1.toString());
    Dim pool = convOut(conv1, 3, 2, 1); // then max_pool2d(3, 2, 1)
    assertEquals("(height - 1) / 4 + 1", pool.toString());
    assertEquals(56, pool.eval(Map.of("height", 224L))); // torchvision resnet18: 224 -> 112 -> 56
    assertEquals("(height - 1) / 2 + 1", Dim.floorDiv(Dim.plus(Dim.times(Dim.of(2), h), Dim.of(2)), 4).toString());
    assertEquals("height", convOut(h, 3, 1, 1).toString()); // 'same' padding
    assertEquals("64*((height - 1) / 4) + 64", Dim.times(Dim.of(64), pool).toString());
    assertEquals("batch*((height - 1) / 4 + 1)", Dim.times(new Dim.Sym("batch"), pool).toString());
    assertTrue(Dim.compatible(convOut(h, 5, 1, 2), h));
  }

  /** Tagged javac: compiling the 300 sizes took 32 s in PIT's coverage run (docs/reliability.md). */
  @Tag("javac")
  @Test
  void javaFormComputesTheSameSizes() throws Exception {
    Random rnd = new Random(7);
    List<Dim> dims = new ArrayList<>();
    StringBuilder src = new StringBuilder("package dimtest;\n\npublic final class Sizes {\n"
        + "  public static int[] eval(int height, int width, int batch) {\n    return new int[] {\n");
    for (int i = 0; i < 300; i++) {
      Dim d = build(random(rnd, 4));
      dims.add(d);
      src.append("      ").append(d.toJava(name -> name)).append(",\n");
    }
    src.append("    };\n  }\n}\n");
    ClassLoader loader = InMemoryJavac.compile(List.of(
        new GeneratedFile("dimtest/Sizes.java", "dimtest.Sizes", src.toString(), Path.of("dims"))));
    Method eval = loader.loadClass("dimtest.Sizes").getMethod("eval", int.class, int.class, int.class);
    for (Map<String, Long> env : envs(rnd, 30)) {
      int[] got = (int[]) eval.invoke(null, env.get("height").intValue(), env.get("width").intValue(),
          env.get("batch").intValue());
      for (int i = 0; i < dims.size(); i++) {
        int k = i;
        assertEquals(dims.get(i).eval(env), got[i], () -> dims.get(k) + " as " + dims.get(k).toJava(n -> n));
      }
    }
  }

  /** Parses the printed form: + - * / (floor division), parentheses, ints and names. */
  private static final class Parser {
    private final String s;
    private int i;

    Parser(String s) {
      this.s = s.replace(" ", "");
    }

    Raw parse() {
      Raw r = sum();
      if (i != s.length()) {
        throw new IllegalArgumentException("trailing text in " + s);
      }
      return r;
    }

    private Raw sum() {
      Raw r = product();
      while (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        char op = s.charAt(i++);
        r = new Raw.Op(op, r, product());
      }
      return r;
    }

    private Raw product() {
      Raw r = unary();
      while (i < s.length() && (s.charAt(i) == '*' || s.charAt(i) == '/')) {
        char op = s.charAt(i++);
        Raw x = unary();
        r = op == '*' ? new Raw.Op('*', r, x) : new Raw.Div(r, ((Raw.Num) x).v());
      }
      return r;
    }

    private Raw unary() {
      if (s.charAt(i) == '-') {
        i++;
        return new Raw.Op('-', new Raw.Num(0), unary());
      }
      if (s.charAt(i) == '(') {
        i++;
        Raw r = sum();
        i++; // ')'
        return r;
      }
      int start = i;
      while (i < s.length() && Character.isLetterOrDigit(s.charAt(i))) {
        i++;
      }
      String t = s.substring(start, i);
      return Character.isDigit(t.charAt(0)) ? new Raw.Num(Long.parseLong(t)) : new Raw.Var(t);
    }
  }

  @Test
  void quotientByABlockArgument() {
    // a convolution with stride: stride (kernel 3, padding 1) over height
    Dim h = new Dim.Sym("height");
    Dim out = Dim.plus(Dim.floorDiv(Dim.minus(h, Dim.of(1)), new Dim.Sym("stride")), Dim.of(1));
    assertEquals("(height - 1) / stride + 1", out.toString());
    for (long height = 1; height <= 40; height++) {
      for (long stride = 1; stride <= 4; stride++) {
        assertEquals(Math.floorDiv(height - 1, stride) + 1, out.eval(Map.of("height", height, "stride", stride)),
            "height " + height + ", stride " + stride);
      }
    }
    // stride 1 (the case where ResNet's identity is x) gives back the height itself
    assertEquals(h, out.substitute(n -> n.equals("stride") ? Dim.of(1) : null));
    assertEquals(Dim.plus(Dim.floorDiv(Dim.minus(h, Dim.of(1)), 2), Dim.of(1)),
        out.substitute(n -> n.equals("stride") ? Dim.of(2) : null));
    assertEquals("Math.floorDiv(h - 1, s) + 1", out.toJava(n -> n.equals("height") ? "h" : "s"));
  }
}
