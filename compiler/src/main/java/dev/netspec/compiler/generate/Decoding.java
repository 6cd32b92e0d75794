package dev.netspec.compiler.generate;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.netspec.compiler.check.Model.Block;
import javax.lang.model.element.Modifier;

/**
 * A block with {@code position: start} decodes incrementally: its forward takes the position
 * of its tokens ({@code forward(Tensor idx, int start)}) and tells every {@code kv_cache}
 * layer below it, which keep the keys and values of the earlier tokens; the class implements
 * the runtime's {@code CausalLM} ({@code forward(ids, position)}, {@code resetCache()},
 * {@code maxContext()}), so {@code Generation} and {@code netspec generate} decode from it in
 * time linear in the context.
 */
final class Decoding {
  static final ClassName CAUSAL_LM = ClassName.get("dev.netspec.runtime.generate", "CausalLM");
  static final ClassName CACHED = RuntimeTypes.layer("CachedSelfAttention");
  private static final TypeName CACHES = ParameterizedTypeName.get(RuntimeTypes.LIST, CACHED);

  private Decoding() {}

  /** The statement that starts the forward: every cache at position {@code position}. */
  static CodeBlock seek(String position) {
    return CodeBlock.of("$T.seek(caches(), $N);\n", CACHED, position);
  }

  /**
   * {@code implements CausalLM}, the list of caches (found at the first call), {@code
   * forward(x)} at position 0, {@code resetCache()} and {@code maxContext()}.
   */
  static void add(TypeSpec.Builder type, Block block, String input) {
    type.addSuperinterface(CAUSAL_LM);
    type.addField(FieldSpec.builder(CACHES, "caches", Modifier.PRIVATE)
        .addJavadoc("Every kv_cache layer below, found at the first call.\n")
        .build());
    type.addMethod(MethodSpec.methodBuilder("caches")
        .addModifiers(Modifier.PRIVATE)
        .returns(CACHES)
        .beginControlFlow("if (caches == null)")
        .addStatement("caches = $T.in(this)", CACHED)
        .endControlFlow()
        .addStatement("return caches")
        .build());
    type.addMethod(MethodSpec.methodBuilder("forward")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(RuntimeTypes.TENSOR)
        .addParameter(RuntimeTypes.TENSOR, input)
        .addJavadoc(JavaText.javadocOwn("The whole sequence from position 0, as PyTorch's forward without a cache."))
        .addStatement("return forward($N, 0)", input)
        .build());
    type.addMethod(MethodSpec.methodBuilder("resetCache")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .addStatement("$T.reset(caches())", CACHED)
        .build());
    type.addMethod(MethodSpec.methodBuilder("maxContext")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(int.class)
        .addJavadoc("The least {@code max_len} of the kv_cache layers.\n")
        .addStatement("return $T.maxContext(caches())", CACHED)
        .build());
  }
}
