package dev.netspec.compiler.generate;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The buffers of a block's allocation-free forward: one private tensor field per
 * intermediate result, sized from expressions over the input's symbolic dims (one {@code int}
 * field each) the first time an input of new sizes arrives, and reused until the sizes change.
 */
final class Workspace {
  /** Thrown while planning when a step has no allocation-free form. */
  static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsupported(String why) {
      super(why, null, false, false);
    }
  }

  private record Buffer(String field, Shape shape) {}

  private final String blockName;
  private final Shape input;
  private final NameAllocator names;
  /** The Java field of every symbolic size: an input dim's field or an int argument's field. */
  private final Map<String, String> sizes = new LinkedHashMap<>();
  /** The size field of each input dim that first names a symbol, by dim index. */
  private final Map<Integer, String> inputDims = new LinkedHashMap<>();
  /** The input dim that first names each symbol (not an argument's), by symbol. */
  private final Map<String, Integer> symbolDims = new HashMap<>();
  /** Input dims that repeat an earlier symbol: dim index to the earlier index. */
  private final Map<Integer, Integer> repeats = new LinkedHashMap<>();
  private final List<Buffer> buffers = new ArrayList<>();
  /** Every size that is an expression (a window's output): positive only for large enough inputs. */
  private final Set<Dim> expressions = new LinkedHashSet<>();
  private final Map<String, Integer> counts = new HashMap<>();

  /**
   * @param input the block's input shape (known rank; lazy dims are checked by the layers)
   * @param argFields the Java field of each int argument, by spec name
   * @param names the class's field names; buffer and size fields are allocated from it
   */
  Workspace(String blockName, Shape input, Map<String, String> argFields, NameAllocator names) {
    this.blockName = blockName;
    this.input = input;
    this.names = names;
    if (!input.knownRank()) {
      throw new Unsupported("the input's rank is unknown");
    }
    sizes.putAll(argFields);
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < input.rank(); i++) {
      if (input.dim(i) instanceof Dim.Sym s && !s.lazy() && !argFields.containsKey(s.name())) {
        if (first.containsKey(s.name())) {
          repeats.put(i, first.get(s.name()));
          continue;
        }
        first.put(s.name(), i);
        symbolDims.put(s.name(), i);
        String field = names.newName(JavaText.lowerCamel(s.name()), "size:" + s.name());
        sizes.put(s.name(), field);
        inputDims.put(i, field);
      }
    }
  }

  /** A new buffer field for a value of {@code shape}, named after {@code base}. */
  String buffer(String base, Shape shape) {
    dims(shape);
    int n = counts.merge(base, 1, Integer::sum);
    String field = names.newName(JavaText.lowerCamel(base) + (n == 1 ? "" : Integer.toString(n)));
    buffers.add(new Buffer(field, shape));
    return field;
  }

  /**
   * The float32 bytes of the buffers planned so far, or -1 while a buffer's size is not known
   * (symbolic dims). Each buffer holds one step's value for the whole forward; sharing a buffer
   * between steps whose values are never live at once would shrink this sum, here.
   */
  long bytes() {
    long total = 0;
    for (Buffer b : buffers) {
      long n = b.shape().numel();
      if (n < 0) {
        return -1;
      }
      total += n * Float.BYTES;
    }
    return total;
  }

  /** The sizes of {@code shape} as Java ints, comma-separated, from the size fields. */
  CodeBlock dims(Shape shape) {
    return dims(shape, null);
  }

  /**
   * The sizes of {@code shape} read from the input {@code x} itself (and the argument
   * fields), not from the size fields: for code that runs before the workspace is claimed.
   */
  CodeBlock dimsOf(Shape shape, String x) {
    return dims(shape, x);
  }

  private CodeBlock dims(Shape shape, String x) {
    if (!shape.knownRank()) {
      throw new Unsupported("a shape of unknown rank");
    }
    List<CodeBlock> parts = new ArrayList<>();
    for (Dim d : shape.dims()) {
      if (!(d instanceof Dim.Known) && !(d instanceof Dim.Sym)) {
        expressions.add(d);
      }
      String java = d.toJava(name -> x != null && symbolDims.containsKey(name)
          ? x + ".size(" + symbolDims.get(name) + ")" : sizes.get(name));
      if (java == null) {
        throw new Unsupported("dim " + d + " is not known from the input");
      }
      parts.add(CodeBlock.of("$L", java));
    }
    return CodeBlock.join(parts, ", ");
  }

  /**
   * Adds the size and buffer fields and the {@code checkInput(x)} and {@code workspace(x)}
   * methods to {@code type}.
   */
  void addTo(TypeSpec.Builder type, String x) {
    for (String field : inputDims.values()) {
      type.addField(FieldSpec.builder(TypeName.INT, field, Modifier.PRIVATE)
          .initializer("-1")
          .addJavadoc("The input size the buffers are allocated for ({@code -1}: none yet).\n")
          .build());
    }
    for (Buffer b : buffers) {
      type.addField(FieldSpec.builder(RuntimeTypes.TENSOR, b.field(), Modifier.PRIVATE)
          .addJavadoc(JavaText.javadocOwn("Forward buffer {@code " + JavaText.shapeComment(b.shape()) + "}."))
          .build());
    }
    MethodSpec.Builder check = MethodSpec.methodBuilder("checkInput")
        .addJavadoc("Checks {@code $N} against the input {@code $L}.\n", x,
            JavaText.shapeComment(input).replace("$", "$$"))
        .addModifiers(Modifier.PRIVATE)
        .addParameter(RuntimeTypes.TENSOR, x);
    List<CodeBlock> wrong = new ArrayList<>();
    wrong.add(CodeBlock.of("$N.dim() != $L", x, input.rank()));
    for (int i = 0; i < input.rank(); i++) {
      if (input.dim(i) instanceof Dim.Known k) {
        wrong.add(CodeBlock.of("$N.size($L) != $L", x, i, k.size()));
      } else if (repeats.containsKey(i)) {
        wrong.add(CodeBlock.of("$N.size($L) != $N.size($L)", x, i, x, repeats.get(i)));
      } else if (!input.dim(i).isLazy() && !inputDims.containsKey(i)) {
        wrong.add(CodeBlock.of("$N.size($L) != $N", x, i, sizes.get(((Dim.Sym) input.dim(i)).name())));
      }
    }
    check.beginControlFlow("if ($L)", CodeBlock.join(wrong, " || "))
        .addStatement("throw new $T($S + $T.toString($N.shape()))", IllegalArgumentException.class,
            blockName + ": expected an input of shape " + JavaText.shapeComment(input) + ", got ",
            java.util.Arrays.class, x)
        .endControlFlow();
    minimumSizes(check, x);
    type.addMethod(check.build());
    MethodSpec.Builder m = MethodSpec.methodBuilder("workspace")
        .addJavadoc("Checks {@code $N} and sizes the buffers for it (once per input size).\n", x)
        .addModifiers(Modifier.PRIVATE)
        .addParameter(RuntimeTypes.TENSOR, x)
        .addStatement("checkInput($N)", x);
    if (!inputDims.isEmpty() || !buffers.isEmpty()) {
      List<CodeBlock> changed = new ArrayList<>();
      if (inputDims.isEmpty()) {
        changed.add(CodeBlock.of("$N == null", buffers.get(0).field()));
      }
      inputDims.forEach((i, f) -> changed.add(CodeBlock.of("$N.size($L) != $N", x, i, f)));
      m.beginControlFlow("if ($L)", CodeBlock.join(changed, " || "));
      inputDims.forEach((i, f) -> m.addStatement("$N = $N.size($L)", f, x, i));
      for (Buffer b : buffers) {
        m.addStatement("$N = $T.zeros($L)", b.field(), RuntimeTypes.TENSOR, dims(b.shape()));
      }
      m.endControlFlow();
    }
    type.addMethod(m.build());
  }

  /**
   * Refuses, with one message, an input too small for some window ({@code (height - 1) / 4 + 1}
   * below 1): each symbolic input size has a least value that makes every expression over it
   * alone positive (they grow with it).
   */
  private void minimumSizes(MethodSpec.Builder m, String x) {
    List<CodeBlock> small = new ArrayList<>();
    List<String> needs = new ArrayList<>();
    for (int i : inputDims.keySet()) {
      String name = ((Dim.Sym) input.dim(i)).name();
      int least = least(name);
      if (least > 0) {
        small.add(CodeBlock.of("$N.size($L) < $L", x, i, least));
        needs.add(name + " >= " + least);
      }
    }
    if (!small.isEmpty()) {
      m.beginControlFlow("if ($L)", CodeBlock.join(small, " || "))
          .addStatement("throw new $T($S + $T.toString($N.shape()))", IllegalArgumentException.class,
              blockName + ": input " + JavaText.shapeComment(input) + " needs " + String.join(" and ", needs)
                  + ", got ", java.util.Arrays.class, x)
          .endControlFlow();
    }
  }

  /** The least size of {@code symbol} for which every expression over it alone is positive; 0 if none. */
  private int least(String symbol) {
    int least = 0;
    for (Dim d : expressions) {
      for (int v = least; v < 1 << 20; v++) {
        try {
          if (d.eval(Map.of(symbol, (long) v)) >= 1) {
            least = v;
            break;
          }
        } catch (IllegalArgumentException otherSymbols) {
          break;
        }
      }
    }
    return least;
  }
}
