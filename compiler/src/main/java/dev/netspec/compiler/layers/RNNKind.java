package dev.netspec.compiler.layers;

import static dev.netspec.compiler.layers.ArgDef.Type.BOOL;
import static dev.netspec.compiler.layers.ArgDef.Type.FLOAT;
import static dev.netspec.compiler.layers.ArgDef.Type.INT;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Ops.ShapeError;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import dev.netspec.compiler.parse.PyRepr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code lstm} and {@code gru} share, PyTorch's {@code RNNBase}: the arguments, the
 * shapes ({@code (seq, batch, input_size)}, {@code (batch, seq, input_size)} if {@code
 * batch_first}, or unbatched {@code (seq, input_size)}), the parameters {@code weight_ih_l0},
 * {@code weight_hh_l0}, {@code bias_ih_l0}, {@code bias_hh_l0} per layer and direction
 * ({@code _reverse}), and the repr. The result is a tuple of the output and the final
 * state(s), which a forward unpacks.
 */
abstract class RNNKind extends LayerKind {
  static final InferredArg INPUT_SIZE = new InferredArg("input_size", -1, "input features", "last dim", false);

  /** Gates stacked in each weight: 4 for an LSTM (i, f, g, o), 3 for a GRU (r, z, n). */
  private final int gates;

  RNNKind(String name, String runtimeClass, int gates) {
    super(name, runtimeClass, "hidden_size", List.of(
        ArgDef.optional("input_size", INT, null).positive(),
        ArgDef.required("hidden_size", INT).positive(),
        ArgDef.optional("num_layers", INT, 1L).positive(),
        ArgDef.optional("bias", BOOL, Boolean.TRUE),
        ArgDef.optional("batch_first", BOOL, Boolean.FALSE),
        ArgDef.optional("dropout", FLOAT, 0.0),
        ArgDef.optional("bidirectional", BOOL, Boolean.FALSE)), List.of());
    this.gates = gates;
  }

  @Override
  public List<InferredArg> inferredArgs() {
    return List.of(INPUT_SIZE);
  }

  @Override
  public String forwardMethod() {
    return "forwardWithState";
  }

  @Override
  public String tupleIntoMethod() {
    return "forwardInto";
  }

  @Override
  public String outOfRange(String arg, Object value) {
    if (arg.equals("dropout") && value instanceof Number n && (n.doubleValue() < 0 || n.doubleValue() > 1)) {
      return "dropout should be a number in range [0, 1], got " + n.doubleValue();
    }
    return null;
  }

  /** The result for output {@code out} and state {@code state}: {@code (out, (h, c))} or {@code (out, h)}. */
  abstract Type result(Type.TensorT out, Type.TensorT state);

  /** The types of the optional initial state(s) after the input. */
  abstract List<Type> stateArgs(Type.TensorT state);

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) throws ShapeError {
    if (in.knownRank() && in.rank() != 2 && in.rank() != 3) {
      throw new ShapeError("expects a 2-D (unbatched) or 3-D input, got " + in);
    }
    Dim inputSize = inferArg(INPUT_SIZE, args, in, ctx);
    Dim hidden = args.dim("hidden_size");
    long layers = args.known("num_layers", 1L);
    boolean bias = args.bool("bias", true);
    boolean batchFirst = Boolean.TRUE.equals(args.value("batch_first", false));
    boolean bidirectional = Boolean.TRUE.equals(args.value("bidirectional", false));
    Object dropout = args.value("dropout", 0.0); // its range: outOfRange, checked before this rule runs
    int directions = bidirectional ? 2 : 1;
    Shape out = Shape.ANY;
    Shape state = Shape.ANY;
    long flops = -1;
    Dim both = Dim.times(Dim.of(directions), hidden);
    Dim stacked = Dim.of((int) Math.min(layers * directions, Integer.MAX_VALUE));
    if (in.knownRank()) {
      List<Dim> o = new ArrayList<>(in.dims());
      o.set(o.size() - 1, both);
      out = new Shape(o);
      state = in.rank() == 2 ? new Shape(List.of(stacked, hidden))
          : new Shape(List.of(stacked, in.dim(batchFirst ? 0 : 1), hidden));
      if (in.numel() >= 0 && inputSize instanceof Dim.Known i && hidden instanceof Dim.Known h) {
        long steps = in.numel() / i.size(); // seq * batch
        long perStep = 0;
        for (int k = 0; k < layers; k++) {
          long width = k == 0 ? i.size() : (long) directions * h.size();
          perStep += directions * 2L * gates * h.size() * (width + h.size());
        }
        flops = steps * perStep;
      }
    }
    Map<String, Shape> params = new LinkedHashMap<>();
    Dim gated = Dim.times(Dim.of(gates), hidden);
    for (int k = 0; k < layers && k < 1024; k++) {
      for (int dir = 0; dir < directions; dir++) {
        String sfx = "_l" + k + (dir == 1 ? "_reverse" : "");
        params.put("weight_ih" + sfx, new Shape(List.of(gated, k == 0 ? inputSize : both)));
        params.put("weight_hh" + sfx, new Shape(List.of(gated, hidden)));
        if (bias) {
          params.put("bias_ih" + sfx, new Shape(List.of(gated)));
          params.put("bias_hh" + sfx, new Shape(List.of(gated)));
        }
      }
    }
    StringBuilder repr = new StringBuilder().append(inputSize).append(", ").append(hidden);
    if (layers != 1) {
      repr.append(", num_layers=").append(layers);
    }
    if (!bias) {
      repr.append(", bias=False");
    }
    if (batchFirst) {
      repr.append(", batch_first=True");
    }
    if (dropout instanceof Number n && n.doubleValue() != 0) {
      repr.append(", dropout=").append(PyRepr.floatRepr(dropout));
    }
    if (bidirectional) {
      repr.append(", bidirectional=True");
    }
    Type.TensorT outT = new Type.TensorT(out);
    Type.TensorT stateT = new Type.TensorT(state);
    return new Inferred(out, runtimeClass(), repr.toString(), params, Map.of(),
        Map.of(INPUT_SIZE.name(), inputSize), flops, result(outT, stateT), stateArgs(stateT));
  }

  @Override
  public CodeBlock construct(Names names) {
    CodeBlock in = names.inferredValue(INPUT_SIZE);
    if (in == null) {
      return CodeBlock.of("null");
    }
    CodeBlock hidden = names.value("hidden_size");
    List<String> rest = List.of("num_layers", "bias", "batch_first", "dropout", "bidirectional");
    if (rest.stream().noneMatch(names::has)) {
      return CodeBlock.of("new $T($L, $L)", javaClass(names.inferred()), in, hidden);
    }
    CodeBlock layers = names.has("num_layers") ? names.value("num_layers") : CodeBlock.of("1");
    CodeBlock bias = names.has("bias") ? names.value("bias") : CodeBlock.of("true");
    CodeBlock batchFirst = names.has("batch_first") ? names.value("batch_first") : CodeBlock.of("false");
    CodeBlock dropout = names.has("dropout") ? names.value("dropout") : CodeBlock.of("0.0");
    CodeBlock bidirectional = names.has("bidirectional") ? names.value("bidirectional") : CodeBlock.of("false");
    return CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L)", javaClass(names.inferred()), in, hidden, layers, bias,
        batchFirst, dropout, bidirectional);
  }
}
