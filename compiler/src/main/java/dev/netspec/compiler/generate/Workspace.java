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

  /**
   * One step's value: its field, shape, and the steps (by {@link #tick} count) that write it
   * first and read it last, so buffers whose values are never live at once share a storage.
   */
  private static final class Buffer {
    final String field;
    final Shape shape;
    /** The condition on the arguments under which the buffer is written (null: always). */
    final CodeBlock guard;
    int written;
    int lastRead;

    Buffer(String field, Shape shape, CodeBlock guard, int written) {
      this.field = field;
      this.shape = shape;
      this.guard = guard;
      this.written = written;
      this.lastRead = written;
    }
  }

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
  /** The step being written: steps are counted in the order they run. */
  private int clock;
  /** The condition on the arguments of the branch being written, or null. */
  private CodeBlock guard;
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
    buffers.add(new Buffer(field, shape, guard, clock));
    return field;
  }

  /**
   * Sets the condition on the block's arguments under which the buffers planned next are
   * written ({@code stride != 1 || inPlanes != planes}; null: always): they are allocated only
   * where it holds, each in a storage of its own.
   */
  void guard(CodeBlock condition) {
    this.guard = condition;
  }

  /** Ends the step being written: the next one runs after it. */
  void tick() {
    clock++;
  }

  /** The step being written. */
  int now() {
    return clock;
  }

  /** Notes that the step being written reads {@code field} (a buffer; other names are ignored). */
  void read(String field) {
    for (Buffer b : buffers) {
      if (b.field.equals(field)) {
        b.lastRead = Math.max(b.lastRead, clock);
      }
    }
  }

  /**
   * Closes a loop whose steps ran from {@code start} to now: a buffer written or read in it
   * may be read again at the next turn, so it lives from the loop's start to its end.
   */
  void loop(int start) {
    for (Buffer b : buffers) {
      if (b.lastRead >= start) {
        b.written = Math.min(b.written, start);
        b.lastRead = Math.max(b.lastRead, clock);
      }
    }
  }

  /**
   * The buffers grouped into storages: each buffer, in the order they are written, takes the
   * first storage whose buffers are all read for the last time before the step that writes
   * it, else a new one. The plan depends only on the order of the steps, not on the sizes,
   * so the generated code and {@code inspect} (at any input size) agree.
   */
  private List<List<Buffer>> storages() {
    List<List<Buffer>> out = new ArrayList<>();
    List<Buffer> order = new ArrayList<>(buffers);
    order.sort(java.util.Comparator.comparingInt(b -> b.written));
    for (Buffer b : order) {
      List<Buffer> free = null;
      for (List<Buffer> s : out) {
        if (b.guard == null && s.get(0).guard == null && s.stream().allMatch(o -> o.lastRead < b.written)) {
          free = s;
          break;
        }
      }
      if (free == null) {
        free = new ArrayList<>();
        out.add(free);
      }
      free.add(b);
    }
    return out;
  }

  /**
   * The float32 bytes of the storages planned so far, each as large as its largest buffer, or
   * -1 while a buffer's size is not known (symbolic dims).
   */
  long bytes() {
    long total = 0;
    for (List<Buffer> storage : storages()) {
      long largest = 0;
      for (Buffer b : storage) {
        long n = b.shape.numel();
        if (n < 0) {
          return -1;
        }
        largest = Math.max(largest, n);
      }
      total += largest * Float.BYTES;
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
      type.addField(FieldSpec.builder(RuntimeTypes.TENSOR, b.field, Modifier.PRIVATE)
          .addJavadoc(JavaText.javadocOwn("Forward buffer {@code " + JavaText.shapeComment(b.shape) + "}."))
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
        changed.add(CodeBlock.of("$N == null", buffers.get(0).field));
      }
      inputDims.forEach((i, f) -> changed.add(CodeBlock.of("$N.size($L) != $N", x, i, f)));
      m.beginControlFlow("if ($L)", CodeBlock.join(changed, " || "));
      inputDims.forEach((i, f) -> m.addStatement("$N = $N.size($L)", f, x, i));
      NameAllocator storageNames = names.clone();
      int sharedCount = 0;
      for (List<Buffer> storage : storages()) {
        if (storage.size() == 1) {
          Buffer b = storage.get(0);
          if (b.guard != null) {
            m.addStatement("$N = $L ? $T.zeros($L) : null", b.field, b.guard, RuntimeTypes.TENSOR, dims(b.shape));
          } else {
            m.addStatement("$N = $T.zeros($L)", b.field, RuntimeTypes.TENSOR, dims(b.shape));
          }
          continue;
        }
        // Buffers never live at once: one storage, as large as the largest, viewed by each.
        List<CodeBlock> shapes = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        for (Buffer b : storage) {
          shapes.add(CodeBlock.of("new int[] {$L}", dims(b.shape)));
          fields.add(b.field);
        }
        String shared = storageNames.newName("storage" + sharedCount++);
        m.addComment("$L: never live at once", String.join(", ", fields));
        m.addStatement("$T $N = $T.storage($L)", RuntimeTypes.TENSOR, shared, RuntimeTypes.WORKSPACE,
            CodeBlock.join(shapes, ", "));
        for (Buffer b : storage) {
          CodeBlock dims = dims(b.shape);
          m.addStatement("$N = $T.view($N$L)", b.field, RuntimeTypes.WORKSPACE, shared,
              dims.isEmpty() ? dims : CodeBlock.of(", $L", dims));
        }
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
