package dev.netspec.compiler.generate;

import com.palantir.javapoet.CodeBlock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The attention masks of the allocation-free forward: each mask a layer call passes ({@code
 * attn(q, k, v, key_padding_mask=valid == 0)}) is held in an {@code AttentionMask} field of
 * the block named after the layer and the parameter, wrapped again only when another tensor
 * comes ({@code attnKeyPaddingMask = AttentionMask.ofBool(eqOut, attnKeyPaddingMask)}), so a
 * warm call makes none.
 */
final class MaskFields implements ChildCallWriter.Masks {
  private final Workspace ws;
  private final Supplier<CodeBlock.Builder> steps;
  /** The field of each mask written so far, by its name, values and kind. */
  private final Map<String, String> fields = new HashMap<>();

  /** @param steps the steps of the statement being written (null inside a condition) */
  MaskFields(Workspace ws, Supplier<CodeBlock.Builder> steps) {
    this.ws = ws;
    this.steps = steps;
  }

  @Override
  public CodeBlock wrap(CodeBlock values, boolean bool, String layer, String param) {
    CodeBlock.Builder b = steps.get();
    if (b == null) {
      throw new Workspace.Unsupported("an attention mask inside a condition");
    }
    String field = fields.computeIfAbsent(layer + " " + param + " " + values + (bool ? " bool" : " float"),
        k -> ws.mask(layer + "_" + param, "{@code " + layer + "}'s {@code " + param + "}", values.toString(), bool));
    b.add("$N = $T.$N($L, $N);\n", field, RuntimeTypes.ATTENTION_MASK, bool ? "ofBool" : "of", values, field);
    return CodeBlock.of("$N", field);
  }
}
