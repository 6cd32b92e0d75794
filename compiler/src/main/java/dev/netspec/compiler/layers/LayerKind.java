package dev.netspec.compiler.layers;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import java.util.List;
import java.util.Map;

/**
 * One builtin layer kind, the whole of it in one class as PyTorch keeps a layer in one
 * module class: its arguments ({@link #args}), its shape rule with the parameters it
 * creates ({@link #infer}) and how generated code builds it ({@link #construct}). The
 * checker, inference and the generator know kinds only through this class; the catalogue
 * is {@link LayerKinds}.
 */
public abstract class LayerKind {
  /** The runtime package of every builtin layer class. */
  public static final String RUNTIME_PACKAGE = "dev.netspec.runtime.nn";

  private final String name;
  private final String runtimeClass;
  private final String mainArg;
  private final List<ArgDef> args;
  private final List<String> params;

  /**
   * @param name the spec name ({@code linear})
   * @param runtimeClass the runtime class ({@code Linear})
   * @param mainArg the argument of the short form {@code {linear: 256}}, or null
   * @param args every argument in PyTorch's order
   * @param params the parameter names ({@code weight}, {@code bias})
   */
  protected LayerKind(String name, String runtimeClass, String mainArg, List<ArgDef> args, List<String> params) {
    this.name = name;
    this.runtimeClass = runtimeClass;
    this.mainArg = mainArg;
    this.args = List.copyOf(args);
    this.params = List.copyOf(params);
  }

  public final String name() {
    return name;
  }

  public final String runtimeClass() {
    return runtimeClass;
  }

  public final String mainArg() {
    return mainArg;
  }

  public final List<ArgDef> args() {
    return args;
  }

  public final List<String> params() {
    return params;
  }

  /** The argument named {@code n}, or null. */
  public final ArgDef arg(String n) {
    for (ArgDef a : args) {
      if (a.name().equals(n)) {
        return a;
      }
    }
    return null;
  }

  /**
   * Why {@code value}, what a block argument makes argument {@code a} in one instantiation
   * ({@code layer_norm: dim} with {@code dim} 0), is refused (a sentence), or null: a size is
   * positive, and the kind's {@link #outOfRange}. The checker refuses literals by the same
   * rules where the spec writes them.
   */
  public final String refused(ArgDef a, Object value) {
    List<?> items = value instanceof List<?> l ? l : List.of(value);
    for (Object item : items) {
      if (a.size() && item instanceof Long n && n <= 0) {
        return a.name() + " must be positive, got " + n;
      }
    }
    return outOfRange(a.name(), value);
  }

  /**
   * Why literal {@code value} of argument {@code arg} is out of range (a sentence), or null;
   * the checker asks for literals, {@link #refused} for block arguments' values, both before
   * the kind's shape rule runs (which therefore need not check it again).
   */
  public String outOfRange(String arg, Object value) {
    return null;
  }

  /** The arguments read from the input's shape when the spec leaves them out. */
  public List<InferredArg> inferredArgs() {
    return List.of();
  }

  /** The element type the layer takes: float32 but for {@code embedding}'s int64 ids. */
  public DType inputDType() {
    return DType.FLOAT32;
  }

  /**
   * How the layer is called in generated code: {@code forward}, or {@code forwardWithState}
   * for a layer whose result is a tuple (the runtime's {@code Output} record).
   */
  public String forwardMethod() {
    return "forward";
  }

  /** The accessors of the runtime's {@code Output} record, in the order of the tuple's tensors. */
  public List<String> outputAccessors() {
    return List.of();
  }

  /**
   * The runtime method that writes a tuple result into an {@code Output} record the caller
   * owns, {@code lstm.forwardInto(x, h0, c0, out)} (the input, then every state, null when
   * not given), or null when the layer has none: its unpacking then allocates.
   */
  public String tupleIntoMethod() {
    return null;
  }

  /**
   * PyTorch's call signature when the layer takes several tensors or keywords
   * ({@code multihead_attention}, the transformer layers), the first being the input that
   * {@link #infer} sees; null for a layer called on one tensor (and {@link
   * Inferred#extraInputs}).
   */
  public List<CallParam> callParams() {
    return null;
  }

  /**
   * Whether a call on one tensor alone, {@code layer(x)}, is the runtime's {@code forward(x)}
   * (self-attention for {@code multihead_attention}, no masks for the encoder layers); false
   * when the call needs more ({@code transformer_decoder_layer}'s memory).
   */
  public boolean oneTensorForm() {
    return true;
  }

  /**
   * The result of a call bound to {@link #callParams}: {@code tensors} holds the type of each
   * tensor and mask given (an absent or {@code None} mask is left out), {@code flags} the value
   * of every flag. {@code first} is what {@link #infer} found for the first tensor.
   */
  public Type callType(Args args, Inferred first,
      Map<String, Type.TensorT> tensors, Map<String, Boolean> flags) throws ShapeError {
    return first.resultType();
  }

  /**
   * The Java of a call bound to {@link #callParams}: {@code layer} is the field, {@code tensors}
   * each tensor's or mask's Java (a mask already an {@code AttentionMask}; absent ones null).
   * The runtime's {@code forward} takes every parameter in PyTorch's order: {@code
   * attn.forward(query, key, value, null, false, mask, true)}.
   */
  public CodeBlock call(CodeBlock layer, Map<String, CodeBlock> tensors, Map<String, Boolean> flags) {
    List<CodeBlock> args = new java.util.ArrayList<>();
    for (CallParam p : callParams()) {
      args.add(p.kind() == CallParam.Kind.FLAG ? CodeBlock.of("$L", flags.get(p.name()))
          : CodeBlock.of("$L", tensors.get(p.name())));
    }
    return CodeBlock.of("$L.forward($L)", layer, CodeBlock.join(args, ", "));
  }

  /**
   * {@link #call} written into {@code out}, the allocation-free forward's form: the runtime's
   * {@code layer.forward(tgt, memory, null, null, mask, null, out)} for a tensor result; null
   * when the layer has none (a tuple result: {@link #tupleCallInto}).
   */
  public CodeBlock callInto(CodeBlock layer, Map<String, CodeBlock> tensors, Map<String, Boolean> flags,
      CodeBlock out) {
    if (!outputAccessors().isEmpty()) {
      return null;
    }
    List<CodeBlock> args = new java.util.ArrayList<>();
    for (CallParam p : callParams()) {
      args.add(p.kind() == CallParam.Kind.FLAG ? CodeBlock.of("$L", flags.get(p.name()))
          : CodeBlock.of("$L", tensors.get(p.name())));
    }
    args.add(out);
    return CodeBlock.of("$L.forward($L)", layer, CodeBlock.join(args, ", "));
  }

  /**
   * {@link #call} of a layer with a tuple result written into {@code record}, the runtime's
   * {@code Output} of buffers the block keeps; null when the layer has no such form.
   */
  public CodeBlock tupleCallInto(CodeBlock layer, Map<String, CodeBlock> tensors, Map<String, Boolean> flags,
      CodeBlock record) {
    return null;
  }

  /** The shape rule: the output for input {@code in} (of unknown rank when not known). */
  public abstract Inferred infer(Args args, Shape in, Context ctx) throws ShapeError;

  /** The Java expression that builds the layer: {@code new Linear(20, 256)}. */
  public CodeBlock construct(Names names) {
    return CodeBlock.of("new $T()", javaClass(names.inferred()));
  }

  /** The runtime class for these inferred arguments ({@code LazyLinear} when they are lazy). */
  public ClassName javaClass(Map<String, Dim> inferred) {
    return ClassName.get(RUNTIME_PACKAGE, runtimeClass);
  }

  /**
   * Whether the layer has {@code forwardInto(x, Activation, out)}, so an activation layer
   * right after it runs in its epilogue.
   */
  public boolean fusesActivation() {
    return false;
  }

  /**
   * Whether the {@link #activation()} constant {@code activation} runs in this layer's
   * epilogue: ReLU wherever {@link #fusesActivation()}, other activations where a kind says so.
   */
  public boolean fusesActivation(String activation) {
    return fusesActivation() && "RELU".equals(activation);
  }

  /**
   * Whether a normalization layer of kind {@code norm} right after this one runs inside this
   * layer's allocation-free form ({@link #epilogueInto}): a batch norm after a convolution,
   * folded into the packed filters in eval mode and run after the convolution, with the
   * batch's statistics, in training mode (the runtime decides at each call).
   */
  public boolean absorbsNorm(LayerKind norm) {
    return false;
  }

  /**
   * Whether a residual {@code + r} of the output's shape after this layer (and its absorbed
   * norm) runs in its epilogue, before the activation.
   */
  public boolean fusesResidual() {
    return false;
  }

  /**
   * Whether the layer's allocation-free form takes a sum as two operands, {@code
   * forwardResidual(x, residual, out)} for {@code layer(x + residual)} of one shape: the
   * residual connection of a post-norm Transformer block added in the same pass.
   */
  public boolean normalizesSum() {
    return false;
  }

  /**
   * This layer's allocation-free call with its epilogue: {@code act(norm(layer(in)) + add)}
   * written into {@code out}. {@code norm} (a child this layer {@linkplain #absorbsNorm
   * absorbs}), {@code activation} (an {@link #activation()} constant, needing {@link
   * #fusesActivation()}) and {@code add} (needing {@link #fusesResidual()}) may each be null.
   */
  public CodeBlock epilogueInto(CodeBlock layer, CodeBlock in, CodeBlock norm, String activation, CodeBlock add,
      CodeBlock out) {
    if (norm != null || add != null || activation == null) {
      throw new IllegalStateException(name + " has no epilogue of that form");
    }
    return CodeBlock.of("$L.forwardInto($L, $T.$N, $L)", layer, in, ACTIVATION, activation, out);
  }

  /** The runtime's {@code Activation}, the epilogue's activation function. */
  protected static final ClassName ACTIVATION = ClassName.get("dev.netspec.runtime.kernels", "Activation");

  /** The runtime {@code Activation} constant this layer is ({@code RELU}, {@code GELU}), or null. */
  public String activation() {
    return null;
  }

  /**
   * Reads {@code a} from the input's shape, or checks the given value against it: {@code in}
   * has a dim {@code a.dim()} when its rank is known. Without a known rank the value is the
   * given one or, when the layer may wait for its first forward, lazy.
   */
  protected static Dim inferArg(InferredArg a, Args args, Shape in, Context ctx) throws ShapeError {
    Dim given = args.has(a.name()) ? args.dim(a.name()) : null;
    if (in.knownRank()) {
      Dim actual = in.dim(a.dim());
      if (given == null) {
        return actual;
      }
      if (!Dim.compatible(given, actual)) {
        ctx.wrongInput("expects " + given + " " + a.what() + ", got " + actual);
      }
      return given;
    }
    if (given != null) {
      return given;
    }
    if (!ctx.mayBeLazy()) {
      throw new ShapeError(a.what() + " are unknown: " + ctx.declareInput() + " or give '" + a.name() + "'");
    }
    return new Dim.Sym("?");
  }

  /** What a shape rule may ask of the inference that runs it. */
  public interface Context {
    /** Whether this is the generic instantiation, which generates code (not {@code inspect}). */
    boolean generic();

    /** Whether a forward has run at this input (a concrete shape given to {@code inspect}). */
    boolean afterForward();

    /** The enclosing block. */
    String blockName();

    /**
     * Whether an argument that the input's shape does not give yet may wait for the first
     * forward: false at the first call in a block without {@code input:}.
     */
    boolean mayBeLazy();

    /**
     * What to declare when the input's shape is unknown here ({@code declare 'input:' on block
     * Head}), with why and the shape a use calls the block with where that teaches.
     */
    default String declareInput() {
      return "declare 'input:' on block " + blockName();
    }

    /** Reports an error at argument {@code arg}, prefixed with the layer's label. */
    void error(String arg, String message);

    /**
     * Reports that the input does not fit (at the call); the rule goes on with the input it
     * expects, so the layers after it are checked too.
     */
    void wrongInput(String message);
  }

  /** What construction may ask of the generator. */
  public interface Names {
    /** Whether the spec gives {@code arg}. */
    boolean has(String arg);

    /** The literal value of {@code arg}, or null when absent or a block argument. */
    Object literal(String arg);

    /** {@code arg} as Java: a literal or the block argument's field. */
    CodeBlock value(String arg);

    /** The arguments inference read from the input's shape. */
    Map<String, Dim> inferred();

    /**
     * The value inference found for {@code a} as Java: a size or an int argument's field;
     * reports (and returns null) when it is unknown or symbolic.
     */
    CodeBlock inferredValue(InferredArg a);

    /** Reports an error at the layer, prefixed with its label. */
    void error(String message);
  }
}
