package dev.netspec.compiler.generate;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * What lets one generated block serve many threads: {@code replica()}, a new instance sharing
 * the weights with buffers of its own, and the claim around a forward that allocates its
 * result, so a call while another thread is inside this instance runs on a free replica
 * (the runtime's {@code Module.claim} and {@code release}; a block with buffers calls
 * {@code concurrentForward}, which does the same).
 */
final class Serving {
  private Serving() {}

  /** {@code replica()}: the block built again with its arguments, its parameters tied to this one's. */
  static MethodSpec replica(ClassName self, List<String> argFields) {
    CodeBlock args = CodeBlock.join(
        java.util.stream.Stream.concat(argFields.stream().map(f -> CodeBlock.of("$N", f)), java.util.stream.Stream.of(
            CodeBlock.of("0L"))).toList(), ", ");
    return MethodSpec.methodBuilder("replica")
        .addJavadoc("A new $T sharing this one's parameters (and their packed forms), with forward\n"
            + "buffers of its own: one per serving thread runs forwards side by side while the weights\n"
            + "exist once. See {@link $T#replica()}.\n", self, RuntimeTypes.MODULE)
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(self)
        .addStatement("return replicaOf(() -> new $T($L))", self, args)
        .build();
  }

  /**
   * {@code body} run on this instance, claimed for the calling thread, or, while another
   * thread is inside it, the same call on a free replica: {@code free.forward(x)}.
   *
   * @param free a local name the body does not use
   */
  static CodeBlock claimAround(ClassName self, String method, List<String> args, CodeBlock body, String free) {
    CodeBlock call = CodeBlock.of("$N.$N($L)", free, method,
        CodeBlock.join(args.stream().map(a -> CodeBlock.of("$N", a)).toList(), ", "));
    return CodeBlock.builder()
        .add("// While another thread is inside this instance, the same call runs on a free replica.\n")
        .addStatement("$T $N = claim()", self, free)
        .beginControlFlow("if ($N != this)", free)
        .beginControlFlow("try")
        .addStatement("return $L", call)
        .nextControlFlow("finally")
        .addStatement("release($N)", free)
        .endControlFlow()
        .endControlFlow()
        .beginControlFlow("try")
        .add(body)
        .nextControlFlow("finally")
        .addStatement("release(this)")
        .endControlFlow()
        .build();
  }
}
