package dev.netspec.compiler.generate;

import static dev.netspec.compiler.generate.GeneratedText.java;
import static dev.netspec.compiler.generate.GeneratedText.method;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Compiler;
import dev.netspec.compiler.CompilerOptions;
import dev.netspec.compiler.SpecSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A block's fields and constructors ({@link JavaGenerator}'s {@code fields},
 * {@code constructors}, {@code construct}, {@code value}), read from the source the compiler
 * writes, no javac. The expectations are docs/spec/children.md's and
 * docs/spec/parameters-and-shapes.md's rules and the runtime's API: an {@code int},
 * {@code float} or {@code bool} argument is a Java {@code int}, {@code double} or
 * {@code boolean} field and constructor parameter; the convenience constructor passes seed
 * {@code 0L}; parameters and buffers start as zeros of their declared shape
 * ({@code registerBuffer(name, t, false)} for a non-persistent one) before the initializers
 * run; children are built between {@code beginChildren()} and {@code endChildren()} when one
 * is a generated block; a {@code when:} child is {@code cond ? addModule(...) : null}; a
 * {@code same_as} child registers its target's field again; {@code ignore_on_load} keys are
 * {@code ignoreOnLoad(key)} each; {@code initialize(seed)} comes last. Spec text reaches a
 * Javadoc escaped ({@code <} as {@code &lt;}, {@code &} as {@code &amp;}). A layer's size
 * inferred from its input is the Java of that size over the arguments ({@code 2 * d}); a loss
 * has no allocation-free form, so its block's forward allocates each step and reaches a list's
 * items as {@code ModuleList} does ({@code h.get(0)}, a for-each); a block of one named input
 * keeps {@code Module.forward(h)} and needs no {@code forwardInputsInto}.
 */
class ConstructorTextTest {
  private static final String SPEC = """
      netspec: 1
      package: t.c
      blocks:
        Sub:
          doc: "A sub block: x < y & z."
          args: {units: int, rate: float, flag: bool}
          input: [batch, units]
          params:
            w: {shape: [units, 3], init: zeros, doc: "The weight."}
          buffers:
            kept: {shape: [3], init: ones}
            temp: {shape: [2, units], init: zeros, persistent: false}
          forward: x @ w
        Top:
          args: {wide: int}
          input: [batch, 4]
          ignore_on_load: [position_ids, emb.token_type_ids]
          layers:
            sub: {Sub: {units: 4, rate: 0.5, flag: true}}
            sub2: {Sub: {units: wide, rate: 2, flag: false}}
            fc: {linear: 3}
            extra:
              when: wide > 1
              linear: 3
            again: {same_as: fc}
          forward: |
            x = again(fc(sub(x)))
            if wide > 1:
              x = extra(x)
            return x
        Expr:
          args: {d: int}
          input: [batch, d]
          layers:
            up: {linear: "2 * d"}
            down: {linear: 3}
          forward: down(up(x))
        ListLoss:
          input: [batch, 4]
          layers:
            h: {module_list: [{linear: 4}, {linear: 4}]}
          forward: |
            y = h[0](x)
            for layer in h:
              y = layer(y)
            return mse_loss(y, x)
        Cell:
          args: {units: int}
          params:
            weight: {shape: [units, units], init: zeros}
          forward: x @ weight
        Seq:
          args: {wide: int}
          input: [batch, 5, 4]
          layers:
            cell: {Cell: {units: "2 * wide"}}
            lstm: {lstm: {input_size: 4, hidden_size: 8, batch_first: true}}
          forward: |
            out, (h, c) = lstm(x)
            return out
        Shared2:
          input: [batch, 4]
          sequential: [{repeat: 3, layer: {linear: 4}}, relu, {same_as: "1"}]
        Nest:
          input: [batch, 4]
          layers:
            s: {sequential: [{linear: 4}, {Cell: {units: 4}}]}
          forward: s(x)
        OneLoss:
          inputs: {h: [batch, 4]}
          forward: return mse_loss(h, h * 2)
      """;

  @Test
  void argumentsParametersAndBuffers() {
    String java = java(SPEC, "Sub");
    assertEquals("public Sub(int units, double rate, boolean flag) {\n"
        + "    this(units, rate, flag, 0L);\n"
        + "  }\n", method(java, "public Sub(int units, double rate, boolean flag) {"));
    assertEquals("public Sub(int units, double rate, boolean flag, long seed) {\n"
        + "    this.units = units;\n"
        + "    this.rate = rate;\n"
        + "    this.flag = flag;\n"
        + "    w = registerParameter(\"w\", new Parameter(Tensor.zeros(units, 3)));\n"
        + "    kept = registerBuffer(\"kept\", Tensor.zeros(3));\n"
        + "    temp = registerBuffer(\"temp\", Tensor.zeros(2, units), false);\n"
        + "    initialize(seed);\n"
        + "  }\n", method(java, "public Sub(int units, double rate, boolean flag, long seed)"));
    assertTrue(java.contains("  /**\n   * Argument {@code units}.\n   */\n  private final int units;\n"), java);
    assertTrue(java.contains("  /**\n   * Argument {@code rate}.\n   */\n  private final double rate;\n"), java);
    assertTrue(java.contains("  /**\n   * Argument {@code flag}.\n   */\n  private final boolean flag;\n"), java);
    assertTrue(java.contains("  /**\n   * The weight.\n   *\n   * <p>Parameter {@code w}, shape {@code (units, 3)}.\n"
        + "   */\n  public final Parameter w;\n"), java);
    assertTrue(java.contains("  /**\n   * Buffer {@code kept}, shape {@code (3,)}.\n   */\n  public final Tensor kept;\n"), java);
    assertTrue(java.contains("  /**\n   * Non-persistent buffer {@code temp}, shape {@code (2, units)}.\n   */\n"
        + "  public final Tensor temp;\n"), java);
    assertTrue(java.contains("/**\n * A sub block: x &lt; y &amp; z.\n *\n"
        + " * <p>Block Sub: input {@code (batch, units)}, output {@code (batch, 3)}.\n */\n"), java);
  }

  @Test
  void childrenOfABlockWithAConditionalAndASharedChild() {
    String java = java(SPEC, "Top");
    assertEquals("public Top(int wide, long seed) {\n"
        + "    this.wide = wide;\n"
        + "    beginChildren();\n"
        + "    try {\n"
        + "      sub = addModule(\"sub\", new Sub(4, 0.5, true));\n"
        + "      sub2 = addModule(\"sub2\", new Sub(wide, 2.0, false));\n"
        + "      fc = addModule(\"fc\", new Linear(3, 3));\n"
        + "      extra = wide > 1 ? addModule(\"extra\", new Linear(3, 3)) : null;\n"
        + "      again = addModule(\"again\", fc);\n"
        + "    } finally {\n"
        + "      endChildren();\n"
        + "    }\n"
        + "    ignoreOnLoad(\"position_ids\");\n"
        + "    ignoreOnLoad(\"emb.token_type_ids\");\n"
        + "    initialize(seed);\n"
        + "  }\n", method(java, "public Top(int wide, long seed)"));
    assertTrue(java.contains("   * Child {@code extra} (linear), output {@code (batch, 3)}. Null unless {@code wide > 1}.\n"
        + "   */\n  public final Linear extra;\n"), java);
    assertTrue(java.contains("   * Child {@code again}, the same linear as child {@code fc} ({@code same_as}),"
        + " output {@code (batch, 3)}.\n   */\n  public final Linear again;\n"), java);
    assertTrue(java.contains("   * Child {@code sub} (Sub), output {@code (batch, 3)}.\n   */\n  public final Sub sub;\n"), java);
  }

  @Test
  void aSizeInferredOverArgumentsIsItsJava() {
    assertTrue(java(SPEC, "Expr").contains("    up = addModule(\"up\", new Linear(d, 2 * d));\n"
        + "    down = addModule(\"down\", new Linear(2 * d, 3));\n"));
  }

  @Test
  void anAllocatingForwardReachesAListsItems() {
    String java = java(SPEC, "ListLoss");
    assertTrue(java.contains("  public ListLoss(long seed) {\n"
        + "    h = addModule(\"h\", ModuleList.of(2, i -> new Linear(4, 4)));\n"
        + "    initialize(seed);\n  }\n"), java); // no generated block among the children
    assertTrue(java.contains("      Tensor y = h.get(0).forward(x); // (batch, 4)\n"
        + "      for (Linear layer : h) {\n"
        + "        y = layer.forward(y); // (batch, 4)\n"), java);
    assertFalse(java.contains("forward(Tensor x, Tensor output)"), java);
  }

  @Test
  void oneNamedInputNeedsNoCopyingInto() {
    String java = java(SPEC, "OneLoss");
    assertTrue(java.contains("  public Tensor forward(Tensor h) {\n"), java);
    assertFalse(java.contains("Into("), java);
  }

  /**
   * A block argument given as an expression is its Java over the fields ({@code 2 * wide});
   * an LSTM's field names its output tuple as PyTorch's {@code (output, (h_n, c_n))} shapes:
   * {@code (batch, seq, hidden)} with {@code batch_first}, then {@code (num_layers, batch,
   * hidden)} twice.
   */
  @Test
  void anArgumentExpressionAndATupleOutput() {
    String java = java(SPEC, "Seq");
    assertTrue(java.contains("      cell = addModule(\"cell\", new Cell(2 * wide));\n"), java);
    assertTrue(java.contains("   * Child {@code lstm} (lstm), output {@code ((batch, 5, 8), ((1, batch, 8), (1, batch, 8)))}.\n"
        + "   */\n  public final LSTM lstm;\n"), java);
    assertTrue(java.contains("   * Child {@code cell} (Cell), output {@code (...)}.\n"), java);
  }

  /** {@code same_as} a copy of a repeat built in a loop is that copy of the list ({@code linears.get(1)}). */
  @Test
  void sameAsACopyOfALoopedRepeat() {
    assertTrue(java(SPEC, "Shared2").contains("    linears = addModules(3, i -> Integer.toString(i), i -> new Linear(4, 4));\n"
        + "    relu3 = addModule(\"3\", new ReLU());\n"
        + "    linear4 = addModule(\"4\", linears.get(1));\n"));
  }

  /** A generated block inside an inline sequential is built between beginChildren and endChildren. */
  @Test
  void aBlockInsideAnInlineSequentialIsBuiltInChildrensScope() {
    assertTrue(java(SPEC, "Nest").contains("  public Nest(long seed) {\n"
        + "    beginChildren();\n"
        + "    try {\n"
        + "      s = addModule(\"s\", new Sequential(new Linear(4, 4), new Cell(4)));\n"
        + "    } finally {\n"
        + "      endChildren();\n"
        + "    }\n"));
  }

  /** docs/spec/children.md: {@code same_as} inside an inline {@code {sequential: [...]}} is refused, at its item. */
  @Test
  void sameAsInsideAnInlineSequentialIsAnError() {
    Compilation c = new Compiler(CompilerOptions.defaults()).compile(List.of(new SpecSource(Path.of("t.yaml"), """
        netspec: 1
        package: t.c
        blocks:
          Net:
            input: [batch, 4]
            layers:
              s: {sequential: [{linear: 4}, {same_as: "0"}]}
            forward: s(x)
        """)));
    assertEquals(List.of("t.yaml:7:37: error: Net: 'same_as' is only supported in a block's own 'sequential' or"
        + " 'layers', not in an inline sequential"), c.diagnostics().stream().map(d -> d.format()).toList());
    assertEquals(List.of(), c.files());
  }
}
