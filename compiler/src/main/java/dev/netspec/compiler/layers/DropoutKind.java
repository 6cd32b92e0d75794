package dev.netspec.compiler.layers;

import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.parse.PyRepr;
import java.util.List;

/** {@code dropout}: PyTorch's {@code nn.Dropout(p)}; the identity in eval mode. */
final class DropoutKind extends LayerKind {
  DropoutKind() {
    super("dropout", "Dropout", "p", List.of(ArgDef.optional("p", ArgDef.Type.FLOAT, 0.5)), List.of());
  }

  @Override
  public Inferred infer(Args args, Shape in, Context ctx) {
    Object p = args.value("p", 0.5); // its range: outOfRange, checked before this rule runs
    return Inferred.of(in, runtimeClass(), "p=" + PyRepr.floatRepr(p) + ", inplace=False", 0);
  }

  @Override
  public String outOfRange(String arg, Object value) {
    return arg.equals("p") ? probability(value) : null;
  }

  /**
   * Why {@code value} is no dropout probability (PyTorch's sentence), or null: {@code dropout}'s
   * {@code p} and the {@code dropout} of the attention and transformer layers.
   */
  static String probability(Object value) {
    if (value instanceof Number n && !(n.doubleValue() >= 0 && n.doubleValue() <= 1)) {
      return "dropout probability has to be between 0 and 1, got " + n.doubleValue();
    }
    return null;
  }

  @Override
  public CodeBlock construct(Names names) {
    return names.has("p") ? CodeBlock.of("new $T($L)", javaClass(names.inferred()), names.value("p"))
        : super.construct(names);
  }
}
