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
    /** An int64 buffer (its own storage: the shared ones are float32). */
    boolean int64;
    /**
     * A rank-4 {@code (a, b, c, d)} buffer laid out as {@code (a, c, b, d)} and seen transposed,
     * so that {@code transpose(1, 2)} of it is contiguous (attention's heads, see {@link #headsInner}).
     */
    boolean headsInner;

    Buffer(String field, Shape shape, CodeBlock guard, int written) {
      this.field = field;
      this.shape = shape;
      this.guard = guard;
      this.written = written;
      this.lastRead = written;
    }

    /** The shape the storage is allocated in. */
    Shape allocated() {
      return headsInner ? new Shape(List.of(shape.dim(0), shape.dim(2), shape.dim(1), shape.dim(3))) : shape;
    }
  }

  /** A view of a buffer made when the buffers are sized: reading it reads the buffer. */
  private record View(String field, String base, CodeBlock code, Shape shape) {}

  private final List<View> views = new ArrayList<>();
  /**
   * For a block with several (or typed) inputs: each size symbol's Java expression on the
   * inputs ({@code inputIds.size(1)}), by symbol; null for the one-input form.
   */
  private Map<String, String> typedSizes;

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

  /**
   * The workspace of a block with several or typed inputs ({@code inputs:} by their Java
   * names, in order): each size symbol is read from the first input that has it, as {@code
   * SizeSymbols} says; the inputs are checked by the block's {@code checkInputs}.
   */
  Workspace(String blockName, Map<String, Shape> inputs, Map<String, String> argFields, NameAllocator names) {
    this.blockName = blockName;
    this.input = Shape.ANY;
    this.names = names;
    this.typedSizes = new LinkedHashMap<>();
    sizes.putAll(argFields);
    for (Map.Entry<String, Shape> in : inputs.entrySet()) {
      Shape shape = in.getValue();
      if (!shape.knownRank()) {
        throw new Unsupported("an input's rank is unknown");
      }
      for (int i = 0; i < shape.rank(); i++) {
        if (shape.dim(i) instanceof Dim.Sym s && !s.lazy() && !sizes.containsKey(s.name())) {
          String name = JavaText.lowerCamel(s.name());
          boolean input = inputs.keySet().stream().anyMatch(n -> JavaText.lowerCamel(n).equals(name));
          // an input named as the symbol keeps its name: the size is srcSize
          String field = names.newName(input ? name + "Size" : name, "size:" + s.name());
          sizes.put(s.name(), field);
          typedSizes.put(s.name(), in.getKey() + "\u0000" + i);
        }
      }
    }
  }

  /** Sets the Java names of the inputs, by spec name: the sizes are read from them. */
  void inputNames(Map<String, String> java) {
    typedSizes.replaceAll((symbol, at) -> {
      String[] parts = at.split("\u0000");
      return java.get(parts[0]) + ".size(" + parts[1] + ")";
    });
  }

  /** A new buffer field for a value of {@code shape}, named after {@code base}. */
  String buffer(String base, Shape shape) {
    dims(shape);
    int n = counts.merge(base, 1, Integer::sum);
    String field = names.newName(JavaText.lowerCamel(base) + (n == 1 ? "" : Integer.toString(n)));
    buffers.add(new Buffer(field, shape, guard, clock));
    return field;
  }

  /** {@link #buffer} for int64 values ({@code arange}); never shares a storage. */
  String int64Buffer(String base, Shape shape) {
    String field = buffer(base, shape);
    buffers.get(buffers.size() - 1).int64 = true;
    return field;
  }

  /**
   * {@link #buffer} for attention's rank-4 {@code (batch, heads, L, Ev)} result, stored as
   * {@code (batch, L, heads, Ev)}: the usual {@code transpose(1, 2)} and {@code reshape(batch,
   * L, heads * Ev)} after it are then views of the buffer, not copies.
   */
  String headsInnerBuffer(String base, Shape shape) {
    String field = buffer(base, shape);
    buffers.get(buffers.size() - 1).headsInner = shape.knownRank() && shape.rank() == 4;
    return field;
  }

  /** The buffer or view field named {@code field}'s buffer, or null when it is neither. */
  String bufferOf(String field) {
    for (View v : views) {
      if (v.field.equals(field)) {
        return v.base;
      }
    }
    for (Buffer b : buffers) {
      if (b.field.equals(field)) {
        return b.field;
      }
    }
    return null;
  }

  /**
   * A field holding {@code code}, a view of the buffer {@code base} made when the buffers are
   * sized (so a warm forward makes none): reading it reads the buffer.
   */
  String view(String name, String base, CodeBlock code, Shape shape) {
    int n = counts.merge(name, 1, Integer::sum);
    String field = names.newName(JavaText.lowerCamel(name) + (n == 1 ? "" : Integer.toString(n)));
    views.add(new View(field, bufferOf(base), code, shape));
    return field;
  }

  /** Whether the buffer {@code field} is a {@link #headsInnerBuffer} (or a heads-inner {@link #lateBuffer}). */
  boolean isHeadsInner(String field) {
    return late.contains(field) || buffers.stream().anyMatch(b -> b.field.equals(field) && b.headsInner);
  }

  /** The {@link #inputView}s: each view field and the field of the tensor it was made of. */
  private final Map<String, String> inputViews = new LinkedHashMap<>();

  /**
   * A field for a view of an input, made again only when a call brings another tensor (the
   * field named second holds the one it was made of): a caller passing the same tensor each
   * time, as a parent block passes its buffer, makes no view in a warm forward.
   */
  String[] inputView(String name) {
    int n = counts.merge(name + "\u0000view", 1, Integer::sum); // xView, xView2, ... as the buffers
    String field = names.newName(JavaText.lowerCamel(name) + (n == 1 ? "" : Integer.toString(n)));
    String of = names.newName(field + "Of");
    inputViews.put(field, of);
    return new String[] {field, of};
  }

  /** The {@link #lateBuffer}s. */
  private final Set<String> late = new java.util.HashSet<>();

  /**
   * A heads-inner buffer of its own storage made by {@code allocation} after the views made
   * before it (its sizes read from them: a size no input gives, such as a reshape's {@code -1}).
   */
  String lateBuffer(String name, CodeBlock allocation, Shape shape) {
    String field = names.newName(JavaText.lowerCamel(name));
    views.add(new View(field, field, allocation, shape));
    late.add(field);
    return field;
  }

  /** A record of buffers made with them, a layer's {@code Output} ({@link #record}). */
  private record Holder(String field, TypeName type, CodeBlock code, String what) {}

  private final List<Holder> records = new ArrayList<>();

  /**
   * A field of {@code type} holding {@code code}, made after the buffers and views it reads
   * ({@code new LSTM.Output(lstmOutput, lstmHN, lstmCN)}): the record a layer writes its tuple
   * result into, made once per input size. {@code what} says which call writes it.
   */
  String record(String name, TypeName type, CodeBlock code, String what) {
    String field = names.newName(JavaText.lowerCamel(name));
    records.add(new Holder(field, type, code, what));
    return field;
  }

  /** An attention mask field ({@link #mask}): its name, the values' Java and kind. */
  private record MaskField(String field, String passedAs, String values, boolean bool) {}

  private final List<MaskField> masks = new ArrayList<>();

  /**
   * A field of type {@code AttentionMask} named after {@code name} ({@code attn_key_padding_mask}),
   * holding the mask last passed as {@code passedAs} (javadoc) with values {@code values}
   * ({@link MaskFields}).
   */
  String mask(String name, String passedAs, String values, boolean bool) {
    String field = names.newName(JavaText.lowerCamel(name));
    masks.add(new MaskField(field, passedAs, values, bool));
    return field;
  }

  /** The Java field holding the size {@code symbol} in this workspace, or null. */
  String sizeField(String symbol) {
    return sizes.get(symbol);
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
    String base = bufferOf(field);
    field = base == null ? field : base;
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
        if (b.guard == null && s.get(0).guard == null && !b.int64 && !s.get(0).int64
            && s.stream().allMatch(o -> o.lastRead < b.written)) {
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
      String java = d.toJava(name -> typedSizes != null && x != null && typedSizes.containsKey(name)
          ? typedSizes.get(name) : x != null && symbolDims.containsKey(name)
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
    fields(type, inputDims.values());
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
    Map<String, String> read = new LinkedHashMap<>();
    inputDims.forEach((i, f) -> read.put(f, x + ".size(" + i + ")"));
    sizing(m, read);
    type.addMethod(m.build());
  }

  /**
   * Adds the size, buffer and view fields and {@code workspace(inputs...)} to a block with
   * several or typed inputs ({@link #Workspace(String, Map, Map, NameAllocator)}); the caller
   * checks the inputs first.
   */
  void addTypedTo(TypeSpec.Builder type, List<String> params) {
    Map<String, String> read = new LinkedHashMap<>();
    typedSizes.forEach((symbol, java) -> read.put(sizes.get(symbol), java));
    fields(type, read.keySet());
    MethodSpec.Builder m = MethodSpec.methodBuilder("workspace")
        .addJavadoc("Sizes the buffers for these inputs (once per input size).\n")
        .addModifiers(Modifier.PRIVATE);
    params.forEach(p -> m.addParameter(RuntimeTypes.TENSOR, p));
    sizing(m, read);
    type.addMethod(m.build());
  }

  private void fields(TypeSpec.Builder type, java.util.Collection<String> sizeFields) {
    for (String field : sizeFields) {
      type.addField(FieldSpec.builder(TypeName.INT, field, Modifier.PRIVATE)
          .initializer("-1")
          .addJavadoc("The input size the buffers are allocated for ({@code -1}: none yet).\n")
          .build());
    }
    for (Buffer b : buffers) {
      type.addField(FieldSpec.builder(RuntimeTypes.TENSOR, b.field, Modifier.PRIVATE)
          .addJavadoc(JavaText.javadocOwn("Forward buffer {@code " + (b.int64 ? "int64 " : "")
              + JavaText.shapeComment(b.shape) + "}."))
          .build());
    }
    inputViews.forEach((view, of) -> {
      type.addField(FieldSpec.builder(RuntimeTypes.TENSOR, view, Modifier.PRIVATE)
          .addJavadoc("A view of an input, made again when another tensor comes ({@code $N}).\n", of)
          .build());
      type.addField(FieldSpec.builder(RuntimeTypes.TENSOR, of, Modifier.PRIVATE)
          .addJavadoc("The input {@code $N} was made of.\n", view)
          .build());
    });
    for (View v : views) {
      type.addField(FieldSpec.builder(RuntimeTypes.TENSOR, v.field, Modifier.PRIVATE)
          .addJavadoc(JavaText.javadocOwn("A view of {@code " + v.base + "}, {@code " + JavaText.shapeComment(v.shape)
              + "}, made with the buffers."))
          .build());
    }
    for (MaskField m : masks) {
      type.addField(FieldSpec.builder(RuntimeTypes.ATTENTION_MASK, m.field, Modifier.PRIVATE)
          .addJavadoc(JavaText.javadocOwn("The " + (m.bool ? "boolean" : "float") + " mask of {@code " + m.values
              + "} last passed as " + m.passedAs + ", wrapped again only when another tensor comes."))
          .build());
    }
    for (Holder r : records) {
      type.addField(FieldSpec.builder(r.type, r.field, Modifier.PRIVATE)
          .addJavadoc(JavaText.javadocOwn("The buffers " + r.what + " writes, made with them."))
          .build());
    }
  }

  /** The statements that size the buffers when a size field differs from the input's ({@code read}). */
  private void sizing(MethodSpec.Builder m, Map<String, String> read) {
    if (!read.isEmpty() || !buffers.isEmpty()) {
      List<CodeBlock> changed = new ArrayList<>();
      if (read.isEmpty()) {
        changed.add(CodeBlock.of("$N == null", buffers.get(0).field));
      }
      read.forEach((f, java) -> changed.add(CodeBlock.of("$L != $N", java, f)));
      m.beginControlFlow("if ($L)", CodeBlock.join(changed, " || "));
      read.forEach((f, java) -> m.addStatement("$N = $L", f, java));
      NameAllocator storageNames = names.clone();
      int sharedCount = 0;
      for (List<Buffer> storage : storages()) {
        if (storage.size() == 1) {
          Buffer b = storage.get(0);
          CodeBlock zeros = b.int64
              ? CodeBlock.of("$T.zeros($T.INT64, $L)", RuntimeTypes.TENSOR, DTYPE, dims(b.shape))
              : CodeBlock.of("$T.zeros($L)$L", RuntimeTypes.TENSOR, dims(b.allocated()), seen(b));
          if (b.guard != null) {
            m.addStatement("$N = $L ? $L : null", b.field, b.guard, zeros);
          } else {
            m.addStatement("$N = $L", b.field, zeros);
          }
          continue;
        }
        // Buffers never live at once: one storage, as large as the largest, viewed by each.
        List<CodeBlock> shapes = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        for (Buffer b : storage) {
          shapes.add(CodeBlock.of("new int[] {$L}", dims(b.allocated())));
          fields.add(b.field);
        }
        String shared = storageNames.newName("storage" + sharedCount++);
        m.addComment("$L: never live at once", String.join(", ", fields));
        m.addStatement("$T $N = $T.storage($L)", RuntimeTypes.TENSOR, shared, RuntimeTypes.WORKSPACE,
            CodeBlock.join(shapes, ", "));
        for (Buffer b : storage) {
          CodeBlock dims = dims(b.allocated());
          m.addStatement("$N = $T.view($N$L)$L", b.field, RuntimeTypes.WORKSPACE, shared,
              dims.isEmpty() ? dims : CodeBlock.of(", $L", dims), seen(b));
        }
      }
      for (View v : views) {
        m.addStatement("$N = $L", v.field, v.code);
      }
      for (Holder r : records) {
        m.addStatement("$N = $L", r.field, r.code);
      }
      m.endControlFlow();
    }
  }

  private static final com.palantir.javapoet.ClassName DTYPE =
      com.palantir.javapoet.ClassName.get("dev.netspec.runtime.tensor", "DType");

  /** How a buffer is seen from its storage's shape: {@code .transpose(1, 2)} when heads-inner. */
  private static CodeBlock seen(Buffer b) {
    return b.headsInner ? CodeBlock.of(".transpose(1, 2)") : CodeBlock.of("");
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
