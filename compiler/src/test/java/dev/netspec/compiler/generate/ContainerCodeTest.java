package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.netspec.compiler.check.Model.Child;
import dev.netspec.compiler.check.Model.Container;
import dev.netspec.compiler.check.Model.ContainerUse;
import dev.netspec.compiler.check.Model.Copy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java of {@code module_list} and {@code module_dict} children, against the forms the
 * class documents and Java's rules: a list of items built alike is {@code ModuleList.of(n, i
 * -> item)}, a repeat whose first copy differs {@code i == 0 ? first : rest}, else the items
 * written out; a dict is a nested class with one typed field per entry, each entry under its
 * PyTorch key ({@code put("wte", wte)}), its Java names legal identifiers that shadow neither
 * the block's class nor {@code ModuleDict}. Direct calls on hand-made children.
 */
class ContainerCodeTest {
  private static final String NN = "dev.netspec.runtime.nn";
  private static final ClassName OWNER = ClassName.get("p", "Net");
  private static final ClassName LINEAR = ClassName.get(NN, "Linear");
  private static final ClassName BLOCK = ClassName.get("p", "Block");

  /** Children built as their {@code name} says: "a" .. as {@code new A()}, others by their type. */
  private static final Map<String, String> BUILT = Map.of("a", "new Linear(4, 8)", "b", "new Linear(8, 8)",
      "c", "new Block()");

  private static Containers containers() {
    return new Containers(OWNER, c -> c.name().startsWith("c") || c.name().equals("h") ? BLOCK : LINEAR,
        c -> CodeBlock.of(BUILT.getOrDefault(c.name().substring(0, 1), "new Linear(8, 8)")), "i");
  }

  /** {@code code} as a statement renders it (a wrapping space printed as one space). */
  private static String text(CodeBlock code) {
    String s = CodeBlock.builder().addStatement("$L", code).build().toString();
    assertTrue(s.endsWith(";\n"), s);
    return s.substring(0, s.length() - 2);
  }

  private static Child item(String name) {
    return new Child(name, null, null);
  }

  private static ContainerUse list(Child... items) {
    return new ContainerUse(null, Container.MODULE_LIST, List.of(items));
  }

  @Test
  void aListOfItemsBuiltAlikeIsBuiltInOneLambda() {
    Containers k = containers();
    Child c = item("layers");
    assertEquals(NN + ".ModuleList.of(3, i -> new Linear(8, 8))", text(k.construct(c, list(item("b0"), item("b1"), item("b2")))));
    assertEquals("new " + NN + ".ModuleList<>(new Linear(4, 8))", text(k.construct(c, list(item("a")))));
    assertEquals("new " + NN + ".ModuleList<>(new Linear(4, 8), new Linear(8, 8))",
        text(k.construct(c, list(item("a"), item("b")))));
    assertEquals("new " + NN + ".ModuleList<>(new Linear(8, 8), new Linear(4, 8), new Linear(8, 8))",
        text(k.construct(c, list(item("b"), item("a"), item("b1")))));
    // a repeat whose first copy takes the input's features; the same items not one repeat
    Child r0 = new Child("a", null, null, null, null, new Copy(0, 3, null, 0));
    Child r1 = new Child("b", null, null, null, null, new Copy(1, 3, null, 0));
    Child r2 = new Child("b2", null, null, null, null, new Copy(2, 3, null, 0));
    assertEquals(NN + ".ModuleList.of(3, i -> i == 0 ? new Linear(4, 8) : new Linear(8, 8))",
        text(k.construct(c, list(r0, r1, r2))));
    assertEquals("new " + NN + ".ModuleList<>(new Linear(4, 8), new Linear(8, 8), new Linear(8, 8))",
        text(k.construct(c, list(item("a"), item("b"), item("b2")))));
    assertEquals("new " + NN + ".ModuleList<>(new Linear(4, 8), new Linear(8, 8))",
        text(k.construct(c, list(r0, r1)))); // two of three copies
  }

  @Test
  void aListIsTypedByItsOneItemClassElseModule() {
    Containers k = containers();
    Child c = item("layers");
    assertEquals(NN + ".ModuleList<" + NN + ".Linear>", k.type(c, list(item("a"), item("b"))).toString());
    assertEquals(BLOCK, k.itemType(list(item("c0"), item("c1"))));
    assertEquals(ClassName.get(NN, "Module"), k.itemType(list(item("c0"), item("a"))));
    assertEquals(ClassName.get(NN, "Module"), k.itemType(list(item("a"), item("c0"), item("c1"))));
    assertEquals(ClassName.get(NN, "Module"), k.itemType(list()));
  }

  @Test
  void aDictIsANestedClassWithATypedFieldPerEntry() {
    Containers k = containers();
    ContainerUse d = new ContainerUse(null, Container.MODULE_DICT, List.of(item("wte"), item("h"), item("0"), item("lm_head")));
    TypeName t = k.type(item("transformer"), d);
    assertEquals("p.Net.TransformerDict", t.toString());
    assertEquals(t, k.type(item("transformer"), d)); // one class per dict
    assertEquals("new p.Net.TransformerDict(new Linear(8, 8), new Linear(8, 8), new Linear(8, 8), new Linear(8, 8))",
        text(k.construct(item("transformer"), d)));
    assertEquals("wte", k.entryField(d, "wte"));
    assertEquals("m0", k.entryField(d, "0")); // a Java name cannot start with a digit
    assertEquals("lmHead", k.entryField(d, "lm_head"));
    assertNull(k.entryField(d, "nope"));
    assertNull(k.entryField(list(item("a")), "a"));

    TypeSpec.Builder owner = TypeSpec.classBuilder(OWNER);
    k.addTo(owner);
    List<TypeSpec> nested = owner.build().typeSpecs();
    assertEquals(1, nested.size());
    String text = nested.get(0).toString();
    assertTrue(text.contains("public static final class TransformerDict extends " + NN + ".ModuleDict"), text);
    assertTrue(text.contains("public final p.Block h;"), text);
    assertTrue(text.contains("this.m0 = put(\"0\", m0);"), text);
    assertTrue(text.contains("this.lmHead = put(\"lm_head\", lmHead);"), text);
  }

  @Test
  void dictClassNamesAreLegalAndShadowNothing() {
    Containers k = containers();
    ContainerUse one = new ContainerUse(null, Container.MODULE_DICT, List.of(item("a")));
    assertEquals("p.Net.Item0Dict", k.type(item("0"), one).toString());
    ContainerUse module = new ContainerUse(null, Container.MODULE_DICT, List.of(item("b")));
    String name = ((ClassName) k.type(item("module"), module)).simpleName();
    assertTrue(!name.equals("ModuleDict") && name.startsWith("ModuleDict"), name); // not the superclass's name
    Containers net = new Containers(ClassName.get("p", "NetDict"), c -> LINEAR, c -> CodeBlock.of("x"), "i");
    String own = ((ClassName) net.type(item("net"), one)).simpleName();
    assertTrue(!own.equals("NetDict") && own.startsWith("NetDict"), own); // not the block's own name
  }
}
