package dev.netspec.compiler.generate;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.infer.DType;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Inference.Result;
import dev.netspec.compiler.infer.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The forward of a block with named inputs, an int64 input or a tuple result: {@code
 * forwardInputs(Tensor inputIds, Tensor attentionMask)} (or {@code forwardTuple(...)} returning the
 * block's {@code Output} record), checking every input's dtype and shape first with one
 * message, and {@code forward(Tensor x)}, the {@code Module} contract, where it differs.
 */
final class TypedForward {
  /** The method a block with several inputs and a tensor result is called by. */
  static final String INPUTS_METHOD = "forwardInputs";
  private static final ClassName DTYPE = ClassName.get("dev.netspec.runtime.tensor", "DType");

  private TypedForward() {}

  /** Whether {@code result} needs this forward rather than the plain {@code forward(x)}. */
  static boolean needed(Block block, Result result) {
    return block.namedInputs() || block.position() != null || result.outputType() instanceof Type.TupleT
        || result.inputs().values().stream().anyMatch(t -> t.dtype() != DType.FLOAT32);
  }

  /**
   * Adds the forward methods to {@code type}; {@code body} is the forward's code over the Java
   * names {@code params} of the inputs, {@code fields} the Java fields of the int arguments,
   * {@code position} the Java name of the {@code position:} int, or null.
   */
  static void add(TypeSpec.Builder type, Block block, Result result, List<String> params, String position,
      CodeBlock body, Map<String, String> fields) {
    boolean tuple = result.outputType() instanceof Type.TupleT;
    List<String> names = new ArrayList<>(result.inputs().keySet());
    List<Type.TensorT> types = new ArrayList<>(result.inputs().values());
    String signature = signature(names, types);
    String output = result.outputType() == null ? "(...)" : Tuples.comment(result.outputType());
    ClassName record = ClassName.get("", "Output");
    if (tuple) {
      Type.TupleT t = (Type.TupleT) result.outputType();
      List<String> components = Tuples.components(block, t.leaves().size());
      MethodSpec.Builder ctor = MethodSpec.constructorBuilder();
      for (int i = 0; i < components.size(); i++) {
        ctor.addParameter(ParameterSpec.builder(RuntimeTypes.TENSOR, components.get(i)).build());
      }
      type.addType(TypeSpec.recordBuilder("Output")
          .addModifiers(Modifier.PUBLIC)
          .recordConstructor(ctor.build())
          .addJavadoc(JavaText.javadocOwn("The result of " + block.name() + ", {@code " + output
              + "}: its tensors in order, nested tuples flattened."))
          .build());
    }
    String method = method(tuple, params.size());
    MethodSpec.Builder m = MethodSpec.methodBuilder(method)
        .addModifiers(Modifier.PUBLIC)
        .returns(tuple ? record : RuntimeTypes.TENSOR)
        .addJavadoc(JavaText.javadocOwn("Inputs {@code " + signature + "}, output {@code " + output + "}."));
    if (method.equals("forward")) {
      m.addAnnotation(Override.class);
    }
    for (String p : params) {
      m.addParameter(RuntimeTypes.TENSOR, p);
    }
    boolean decoder = position != null && !tuple && params.size() == 1;
    if (position != null) {
      m.addParameter(int.class, position);
    }
    boolean declared = !block.inputs().isEmpty(); // without 'input:' it takes what its callers give
    if (declared) {
      m.addStatement("checkInputs($L)", CodeBlock.join(params.stream().map(p -> CodeBlock.of("$N", p)).toList(), ", "));
    }
    if (position != null) {
      m.addCode(Decoding.seek(position));
    }
    m.addCode(body);
    type.addMethod(m.build());
    if (decoder) {
      Decoding.add(type, block, params.get(0));
    } else if (tuple || params.size() != 1) {
      String call = method + "(" + String.join(", ", params) + ")";
      type.addMethod(MethodSpec.methodBuilder("forward")
          .addAnnotation(Override.class)
          .addModifiers(Modifier.PUBLIC)
          .returns(RuntimeTypes.TENSOR)
          .addParameter(RuntimeTypes.TENSOR, "x")
          .addJavadoc(JavaText.javadocOwn("The {@code Module} contract, one tensor in and one out, which "
              + block.name() + " does not\nhave: it throws; call {@code " + call + "}."))
          .addStatement("throw new $T($S)", UnsupportedOperationException.class, block.name() + " takes "
              + signature + (tuple ? " and returns a tuple" : "") + "; call " + call)
          .build());
    }
    if (declared) {
      type.addMethod(checkInputs(block, names, types, params, fields, signature));
    }
  }

  /**
   * {@code forwardInputsInto(a, b, output)} of a block without an allocation-free forward: the
   * allocating forward without recording, copied into {@code output}, so that a buffered parent
   * can call every child the same way.
   */
  static void intoByCopy(TypeSpec.Builder type, Block block, List<String> params) {
    String output = "output";
    while (params.contains(output)) {
      output = "_" + output;
    }
    MethodSpec.Builder m = MethodSpec.methodBuilder(INPUTS_METHOD + "Into")
        .addModifiers(Modifier.PUBLIC)
        .returns(RuntimeTypes.TENSOR)
        .addJavadoc(JavaText.javadocOwn("{@code " + INPUTS_METHOD + "(...)} without recording, copied into {@code "
            + output + "}: " + block.name() + "\nhas no allocation-free forward, so this allocates its steps."));
    params.forEach(p -> m.addParameter(RuntimeTypes.TENSOR, p));
    m.addParameter(RuntimeTypes.TENSOR, output);
    ClassName gradMode = ClassName.get("dev.netspec.runtime.autograd", "GradMode");
    String scope = params.contains("scope") ? "noGradScope" : "scope";
    m.addStatement("$T.Scope $N = $T.noGrad()", gradMode, scope, gradMode)
        .beginControlFlow("try")
        .addStatement("return $N($L).copyInto($N)", INPUTS_METHOD,
            CodeBlock.join(params.stream().map(p -> CodeBlock.of("$N", p)).toList(), ", "), output)
        .nextControlFlow("finally")
        .addStatement("$N.close()", scope)
        .endControlFlow();
    type.addMethod(m.build());
  }

  /**
   * The name of the typed forward: {@code forwardTuple} for a tuple result, {@code
   * forwardInputs} for several inputs and a tensor result, else {@code forward}. Several
   * inputs are never {@code forward(...)}: with two, Java would make {@code forward(Tensor a,
   * Tensor b)} the override of {@code Module.forward(x, out)}, the zero-allocation form that
   * containers call with an output buffer, and a caller would silently compute something else.
   */
  static String method(boolean tuple, int inputs) {
    return tuple ? Tuples.BLOCK_METHOD : inputs > 1 ? INPUTS_METHOD : "forward";
  }

  /** {@code input_ids int64 (batch, seq), attention_mask int64 (batch, seq)}. */
  static String signature(Result result) {
    return signature(new ArrayList<>(result.inputs().keySet()), new ArrayList<>(result.inputs().values()));
  }

  private static String signature(List<String> names, List<Type.TensorT> types) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      parts.add(names.get(i) + " " + types.get(i).dtype() + " " + JavaText.shapeComment(types.get(i).shape()));
    }
    return String.join(", ", parts);
  }

  /**
   * {@code checkInputs(...)}: every input's dtype and rank, then its sizes (a number, an int
   * argument, or the size the same name has in an earlier place), in one condition and one
   * message naming what was expected and what came.
   */
  private static MethodSpec checkInputs(Block block, List<String> names, List<Type.TensorT> types,
      List<String> params, Map<String, String> fields, String signature) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("checkInputs")
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc("Checks the inputs against {@code $L}.\n", signature.replace("$", "$$"));
    params.forEach(p -> m.addParameter(RuntimeTypes.TENSOR, p));
    List<CodeBlock> wrong = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      Type.TensorT t = types.get(i);
      wrong.add(CodeBlock.of("$N.dtype() != $T.$L", params.get(i), DTYPE, t.dtype().name()));
      if (t.shape().knownRank()) {
        wrong.add(CodeBlock.of("$N.dim() != $L", params.get(i), t.shape().rank()));
      }
    }
    Map<String, CodeBlock> seen = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      Type.TensorT t = types.get(i);
      if (!t.shape().knownRank()) {
        continue;
      }
      for (int d = 0; d < t.shape().rank(); d++) {
        Dim dim = t.shape().dim(d);
        CodeBlock size = CodeBlock.of("$N.size($L)", params.get(i), d);
        if (dim instanceof Dim.Known k) {
          wrong.add(CodeBlock.of("$L != $L", size, k.size()));
        } else if (dim instanceof Dim.Sym s && !s.isLazy()) {
          if (block.args().containsKey(s.name()) && fields.containsKey(s.name())) {
            wrong.add(CodeBlock.of("$L != $N", size, fields.get(s.name())));
          } else if (seen.containsKey(s.name())) {
            wrong.add(CodeBlock.of("$L != $L", size, seen.get(s.name())));
          } else {
            seen.put(s.name(), size);
          }
        }
      }
    }
    List<CodeBlock> got = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      got.add(CodeBlock.of("$S + $N.dtype().name().toLowerCase($T.ROOT) + \" \" + $T.toString($N.shape())",
          (i == 0 ? "" : ", ") + names.get(i) + " ", params.get(i), java.util.Locale.class,
          java.util.Arrays.class, params.get(i)));
    }
    m.beginControlFlow("if ($L)", CodeBlock.join(wrong, "\n    || "))
        .addStatement("throw new $T($S\n    + $L)", IllegalArgumentException.class,
            block.name() + ": expected " + signature + ", got ", CodeBlock.join(got, "\n    + "))
        .endControlFlow();
    return m.build();
  }
}
