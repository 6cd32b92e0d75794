package dev.netspec.compiler.generate;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.Shape;
import dev.netspec.compiler.infer.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import javax.lang.model.element.Modifier;

/**
 * The allocation-free forward of a block with named or typed inputs, a tuple result or a
 * {@code position:} (BERT's blocks, GPT-2's root), as single-input blocks have {@code
 * forward(x, out)}: {@code forwardInputsInto(hiddenStates, mask, output)}, {@code
 * forwardTupleInto(inputIds, attentionMask, output)} (an {@code Output} record of buffers the
 * caller owns), {@code forward(idx, start, output)}, or {@code forward(inputIds, output)} for
 * one int64 input; every intermediate lives in a {@link Workspace} buffer. The forward users
 * call ({@code forwardInputs(...)}, {@code forwardTuple(...)}, {@code forward(idx, start)})
 * takes it when nothing records, allocating only its result, and otherwise a private {@code
 * forwardRecorded(...)} whose every step allocates and records.
 */
final class TypedBuffered {
  private TypedBuffered() {}

  /** What the generator gives: the writers over its fields, and the class being written. */
  record Context(Block block, Result result, Map<String, String> fields, ClassName self,
      Supplier<NameAllocator> names, BiFunction<NameAllocator, Workspace, ForwardWriter> writer,
      Map<String, Object> instanceArgs) {}

  /** The name of the allocation-free form of the typed forward {@code method}. */
  static String intoMethod(boolean tuple, int inputs) {
    return tuple ? Tuples.BLOCK_METHOD + "Into" : inputs > 1 ? TypedForward.INPUTS_METHOD + "Into" : "forward";
  }

  /**
   * Adds the forwards to {@code type}; throws {@link Workspace.Unsupported}, before touching
   * it, when some step has no allocation-free form.
   */
  static Workspace add(TypeSpec.Builder type, Context cx, Map<String, String> intArgs, NameAllocator local) {
    Block block = cx.block();
    Result result = cx.result();
    boolean tuple = result.outputType() instanceof Type.TupleT;
    if (block.forward() == null || block.inputs().isEmpty() || !outputsKnown(result.outputType())) {
      throw new Workspace.Unsupported("no input contract, or an unknown output shape");
    }
    Map<String, Shape> inputs = new LinkedHashMap<>();
    result.inputs().forEach((name, t) -> inputs.put(name, t.shape()));
    Workspace ws = new Workspace(block.name(), inputs, intArgs, local);
    ForwardWriter writer = cx.writer().apply(local, ws);
    writer.decideWith(cx.instanceArgs());
    List<String> params = writer.inputs();
    Map<String, String> javaNames = new LinkedHashMap<>();
    List<String> specNames = new ArrayList<>(result.inputs().keySet());
    for (int i = 0; i < params.size(); i++) {
      javaNames.put(specNames.get(i), params.get(i));
    }
    ws.inputNames(javaNames);
    String position = block.position() == null ? null : writer.position();
    String output = writer.output();
    CodeBlock body = writer.body(block.forward()); // throws Workspace.Unsupported
    CodeBlock args = args(params, position);
    String into = intoMethod(tuple, params.size());
    TypeName outType = tuple ? ClassName.get("", "Output") : RuntimeTypes.TENSOR;

    // The public forward: the recording path, or the buffered one into a new result.
    CodeBlock.Builder dispatch = CodeBlock.builder()
        .beginControlFlow("if (records($L))", CodeBlock.join(params.stream().map(p -> CodeBlock.of("$N", p)).toList(), ", "))
        .addStatement("return $N($L)", JavaGenerator.RECORDED, args)
        .endControlFlow();
    CodeBlock fresh = fresh(cx, ws, tuple);
    if (position != null) { // a decoder's cache is its caller's conversation: never another replica's
      dispatch.addStatement("return $N($L, $L)", into, args, fresh);
    } else if (!tuple && params.size() == 1) {
      dispatch.addStatement("return concurrentForward($N, $L)", params.get(0), fresh);
    } else {
      String free = local.newName("free");
      dispatch.addStatement("$T $N = claim()", cx.self(), free)
          .beginControlFlow("try")
          .addStatement("return $N.$N($L, $L)", free, into, args, fresh)
          .nextControlFlow("finally")
          .addStatement("release($N)", free)
          .endControlFlow();
    }
    TypedForward.add(type, block, result, params, position, dispatch.build(), cx.fields());

    // The allocation-free forward.
    String signature = TypedForward.signature(result);
    MethodSpec.Builder m = MethodSpec.methodBuilder(into)
        .addModifiers(Modifier.PUBLIC)
        .returns(outType)
        .addJavadoc(JavaText.javadocOwn("Inputs {@code " + signature + "}; writes the "
            + (tuple ? "outputs into the tensors of {@code " + output + "}" : "output into {@code " + output + "}")
            + " (shape {@code " + Tuples.comment(result.outputType()) + "}, sharing\nno storage with an input) and"
            + " returns it. Allocates nothing once the buffers are sized\nfor these inputs' sizes. One thread at a"
            + " time: the buffers belong to this instance, and a\ncall while another thread's runs throws {@link"
            + " IllegalStateException} (give each thread\na {@link #replica()}). Never records for a backward pass:"
            + " the inference path."));
    if (into.equals("forward") && (position == null || params.size() == 1)) {
      m.addAnnotation(Override.class); // Module's forward(x, out), or CausalLM's forward(ids, position, logits)
    }
    params.forEach(p -> m.addParameter(RuntimeTypes.TENSOR, p));
    if (position != null) {
      m.addParameter(int.class, position);
    }
    m.addParameter(outType, output);
    m.addStatement("enterForward()")
        .beginControlFlow("try")
        .addStatement("checkInputs($L)", CodeBlock.join(params.stream().map(p -> CodeBlock.of("$N", p)).toList(), ", "));
    if (position != null) {
      m.addCode(Decoding.seek(position));
    }
    m.addStatement("workspace($L)", CodeBlock.join(params.stream().map(p -> CodeBlock.of("$N", p)).toList(), ", "))
        .addCode(body)
        .nextControlFlow("finally")
        .addStatement("exitForward()")
        .endControlFlow();
    type.addMethod(m.build());
    type.addMethod(recorded(cx, tuple, outType));
    ws.addTypedTo(type, params);
    return ws;
  }

  private static CodeBlock args(List<String> params, String position) {
    List<CodeBlock> out = new ArrayList<>();
    params.forEach(p -> out.add(CodeBlock.of("$N", p)));
    if (position != null) {
      out.add(CodeBlock.of("$N", position));
    }
    return CodeBlock.join(out, ", ");
  }

  /** The new result the public forward writes into: a tensor, or an {@code Output} of tensors. */
  private static CodeBlock fresh(Context cx, Workspace ws, boolean tuple) {
    if (!tuple) {
      return CodeBlock.of("$T.zeros($L)", RuntimeTypes.TENSOR, ws.dimsOf(cx.result().output(), ""));
    }
    List<CodeBlock> parts = new ArrayList<>();
    for (Type leaf : ((Type.TupleT) cx.result().outputType()).leaves()) {
      parts.add(CodeBlock.of("$T.zeros($L)", RuntimeTypes.TENSOR, ws.dimsOf(((Type.TensorT) leaf).shape(), "")));
    }
    return CodeBlock.of("new Output($L)", CodeBlock.join(parts, ", "));
  }

  /** {@code forwardRecorded(...)}: the same steps each allocating its result, so each records. */
  private static MethodSpec recorded(Context cx, boolean tuple, TypeName outType) {
    NameAllocator locals = cx.names().get();
    ForwardWriter writer = cx.writer().apply(locals, null);
    List<String> params = writer.inputs();
    String position = cx.block().position() == null ? null : writer.position();
    MethodSpec.Builder m = MethodSpec.methodBuilder(JavaGenerator.RECORDED)
        .addModifiers(Modifier.PRIVATE)
        .returns(outType)
        .addJavadoc(JavaText.javadocOwn("The forward for a backward pass, each step allocating its result, which"
            + " records\nthe operation (its {@code grad_fn}): inputs {@code " + TypedForward.signature(cx.result())
            + "}, output\n{@code " + Tuples.comment(cx.result().outputType()) + "}."));
    params.forEach(p -> m.addParameter(RuntimeTypes.TENSOR, p));
    if (position != null) {
      m.addParameter(int.class, position);
      m.addCode(Decoding.seek(position));
      return m.addCode(writer.body(cx.block().forward())).build(); // a decoder's cache: never another replica's
    }
    // Children keep what their backward needs in buffers of their own: one thread per instance.
    CodeBlock body = writer.body(cx.block().forward());
    return m.addCode(Serving.claimAround(cx.self(), JavaGenerator.RECORDED, params, body, locals.newName("free"))).build();
  }

  /** Whether every tensor of the result has a known rank (a tuple's, nested ones flattened). */
  private static boolean outputsKnown(Type t) {
    if (t instanceof Type.TensorT x) {
      return x.shape().knownRank();
    }
    return t instanceof Type.TupleT tuple && tuple.leaves().stream().allMatch(x -> x.shape().knownRank());
  }
}
