package dev.netspec.compiler.generate;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.Container;
import dev.netspec.compiler.check.Model.ContainerUse;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.lang.model.element.Modifier;

/**
 * The generated form of {@code module_list} and {@code module_dict} children. A list is a
 * typed {@code ModuleList<Block>} ({@code ModuleList.of(12, i -> new Block(...))} when its
 * items are built alike); a dict is a nested {@code static final class} extending
 * {@code ModuleDict} with one typed field per entry, so a forward reads
 * {@code transformer.wte.forward(idx)} without a cast. Both print as PyTorch's containers.
 */
final class Containers {
  private final ClassName owner;
  private final NameAllocator classNames = new NameAllocator();
  private final Function<Child, TypeName> typeOf;
  private final Function<Child, CodeBlock> construct;
  private final String index;
  private final Map<ContainerUse, Dict> dicts = new IdentityHashMap<>();
  private final List<TypeSpec> nested = new ArrayList<>();

  /** A nested dict class and the Java field of each of its entries. */
  private record Dict(ClassName name, Map<String, String> fields) {}

  /**
   * @param owner the block's class, which the dict classes nest in
   * @param typeOf the Java type of any child (containers included)
   * @param construct the expression building any child
   * @param index a lambda parameter name that no constructor parameter takes
   */
  Containers(ClassName owner, Function<Child, TypeName> typeOf, Function<Child, CodeBlock> construct, String index) {
    this.owner = owner;
    this.typeOf = typeOf;
    this.construct = construct;
    this.index = index;
    classNames.newName(owner.simpleName(), "owner");
    classNames.newName(RuntimeTypes.MODULE_DICT.simpleName(), "the superclass");
  }

  /** {@code ModuleList<Block>}, or the nested dict class. */
  TypeName type(Child c, ContainerUse k) {
    if (k.kind() == Container.MODULE_DICT) {
      return dict(c, k).name();
    }
    return ParameterizedTypeName.get(RuntimeTypes.MODULE_LIST, itemType(k));
  }

  /** The one class of a list's items, or {@code Module} when they differ. */
  TypeName itemType(ContainerUse k) {
    TypeName one = null;
    for (Child item : k.children()) {
      TypeName t = typeOf.apply(item);
      if (one != null && !one.equals(t)) {
        return RuntimeTypes.MODULE;
      }
      one = t;
    }
    return one == null ? RuntimeTypes.MODULE : one;
  }

  /** The expression building the container and its items. */
  CodeBlock construct(Child c, ContainerUse k) {
    List<CodeBlock> items = new ArrayList<>();
    k.children().forEach(item -> items.add(construct.apply(item)));
    if (k.kind() == Container.MODULE_DICT) {
      return CodeBlock.of("new $T($L)", dict(c, k).name(), CodeBlock.join(items, ",$W"));
    }
    boolean alike = items.size() > 1 && items.stream().allMatch(i -> i.toString().equals(items.get(0).toString()));
    if (alike) {
      return CodeBlock.of("$T.of($L, $N -> $L)", RuntimeTypes.MODULE_LIST, items.size(), index, items.get(0));
    }
    CodeBlock make = Repeats.wholeRepeatAt(k.children(), 0) == items.size() ? Repeats.make(items, index) : null;
    if (make != null) { // one repeat whose first copy takes the input's features
      return CodeBlock.of("$T.of($L, $N -> $L)", RuntimeTypes.MODULE_LIST, items.size(), index, make);
    }
    return CodeBlock.of("new $T<>($L)", RuntimeTypes.MODULE_LIST, CodeBlock.join(items, ",$W"));
  }

  /** The Java field of entry {@code name} of the dict {@code k}. */
  String entryField(ContainerUse k, String name) {
    Dict d = dicts.get(k);
    return d == null ? null : d.fields().get(name);
  }

  /** Adds the nested dict classes to the block's class. */
  void addTo(TypeSpec.Builder type) {
    nested.forEach(type::addType);
  }

  private Dict dict(Child c, ContainerUse k) {
    Dict made = dicts.get(k);
    if (made != null) {
      return made;
    }
    // transformer: TransformerDict (the suffix keeps clear of the runtime's and java.lang's names)
    String base = JavaText.lowerCamel(c.name());
    base = (Character.isDigit(base.charAt(0)) ? "Item" + base : Character.toUpperCase(base.charAt(0)) + base.substring(1))
        + "Dict";
    ClassName name = owner.nestedClass(classNames.newName(base, k));
    NameAllocator fieldNames = new NameAllocator();
    Map<String, String> fields = new LinkedHashMap<>();
    for (Child item : k.children()) {
      String n = JavaText.lowerCamel(item.name());
      fields.put(item.name(), fieldNames.newName(Character.isDigit(n.charAt(0)) ? "m" + n : n, item.name()));
    }
    made = new Dict(name, fields);
    dicts.put(k, made);
    TypeSpec.Builder type = TypeSpec.classBuilder(name)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
        .superclass(RuntimeTypes.MODULE_DICT)
        .addJavadoc("Module dict {@code $L} ({@code nn.ModuleDict}): its entries as typed fields.\n", c.name());
    MethodSpec.Builder ctor = MethodSpec.constructorBuilder()
        .addJavadoc("Holds the given entries under their keys, in order.\n");
    for (Child item : k.children()) {
      String f = fields.get(item.name());
      TypeName t = typeOf.apply(item);
      type.addField(FieldSpec.builder(t, f, Modifier.PUBLIC, Modifier.FINAL)
          .addJavadoc("Entry {@code $L}.\n", item.name())
          .build());
      ctor.addParameter(t, f);
      ctor.addStatement("this.$N = put($S, $N)", f, item.name(), f);
    }
    nested.add(type.addMethod(ctor.build()).build());
    return made;
  }
}
