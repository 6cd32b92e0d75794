package dev.netspec.compiler.generate;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.netspec.compiler.parse.Ast.Expr;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes the forward language's losses ({@code infer.Losses}) as the runtime's loss classes,
 * which record for a backward pass: {@code cross_entropy(logits, target, label_smoothing=0.1)}
 * is {@code new CrossEntropyLoss(Reduction.MEAN, -100L, 0.1).forward(logits, target)}, a loss
 * with every argument at its default {@code new MSELoss().forward(y, target)}.
 */
final class LossWriter {
  private static final String PACKAGE = "dev.netspec.runtime.loss";
  private static final ClassName REDUCTION = ClassName.get(PACKAGE, "Reduction");

  private LossWriter() {}

  /** The call {@code name(a...)}; {@code expr} writes an argument expression. */
  static CodeBlock call(String name, Map<String, Object> a, Function<Expr, CodeBlock> expr) {
    CodeBlock input = expr.apply((Expr) a.get("input"));
    CodeBlock target = expr.apply((Expr) a.get("target"));
    String reduction = (String) a.get("reduction");
    CodeBlock r = CodeBlock.of("$T.$N", REDUCTION, reduction.toUpperCase(Locale.ROOT));
    boolean defaults = reduction.equals("mean");
    CodeBlock loss = switch (name) {
      case "mse_loss" -> defaults ? of("MSELoss") : of("MSELoss", r);
      case "l1_loss" -> defaults ? of("L1Loss") : of("L1Loss", r);
      case "smooth_l1_loss" -> defaults && (Double) a.get("beta") == 1.0 ? of("SmoothL1Loss")
          : of("SmoothL1Loss", r, CodeBlock.of("$L", a.get("beta")));
      case "binary_cross_entropy_with_logits" -> defaults ? of("BCEWithLogitsLoss")
          : of("BCEWithLogitsLoss", r, CodeBlock.of("null"));
      case "cross_entropy" -> defaults && (Long) a.get("ignore_index") == -100
          && (Double) a.get("label_smoothing") == 0.0 ? of("CrossEntropyLoss")
          : of("CrossEntropyLoss", r, CodeBlock.of("$LL", a.get("ignore_index")),
              CodeBlock.of("$L", a.get("label_smoothing")));
      case "nll_loss" -> defaults && (Long) a.get("ignore_index") == -100 ? of("NLLLoss")
          : of("NLLLoss", r, CodeBlock.of("$LL", a.get("ignore_index")));
      default -> throw new IllegalArgumentException("not a loss: " + name);
    };
    return CodeBlock.of("$L.forward($L, $L)", loss, input, target);
  }

  private static CodeBlock of(String cls, CodeBlock... args) {
    return CodeBlock.of("new $T($L)", ClassName.get(PACKAGE, cls), CodeBlock.join(java.util.List.of(args), ", "));
  }
}
