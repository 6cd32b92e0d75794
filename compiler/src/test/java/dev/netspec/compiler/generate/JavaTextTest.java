package dev.netspec.compiler.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.infer.Dim;
import dev.netspec.compiler.infer.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generator's text helpers, each against the rule it implements: Java's naming
 * convention, Java's float and double literals ({@code Float.toString}), Javadoc's escapes
 * (an HTML entity for each character Javadoc or JavaPoet would read), and Python's tuple repr
 * for shape comments ({@code (4,)}, as {@code torch.Size} prints). Direct calls, no spec.
 */
class JavaTextTest {
  @Test
  void lowerCamelDropsUnderscoresAndCapitalizesTheLetterAfterOne() {
    assertEquals("randWeight", JavaText.lowerCamel("rand_weight"));
    assertEquals("block1", JavaText.lowerCamel("Block1"));
    assertEquals("lmHead", JavaText.lowerCamel("_lm__head_")); // leading, doubled and trailing
    assertEquals("nEmbd", JavaText.lowerCamel("n_embd"));
    assertEquals("wQKV", JavaText.lowerCamel("w_qKV")); // only the first letter is lowered
    assertEquals("field", JavaText.lowerCamel("___")); // nothing left: a name all the same
    assertEquals("field", JavaText.lowerCamel(""));
  }

  @Test
  void literalsAreJavasOwnSpellings() {
    assertEquals("2.0f", JavaText.floatLiteral(2));
    assertEquals("1.0E-5f", JavaText.floatLiteral(1e-5));
    assertEquals("0.1f", JavaText.floatLiteral(0.1)); // rounded to float first: not 0.10000000149011612f
    assertEquals("-0.5f", JavaText.floatLiteral(-0.5));
    assertEquals("0.1", JavaText.doubleLiteral(0.1));
    assertEquals("1.0E-12", JavaText.doubleLiteral(1e-12));
  }

  @Test
  void specLabelsKeepPathCharactersAndReplaceTheRest() {
    assertEquals("nets/mlp-2_v1.yaml", JavaText.specLabel("nets\\mlp-2_v1.yaml"));
    // a comment end, a space, a quote, a non-ASCII letter: one '_' each
    assertEquals("a_/b_c__d_.yaml", JavaText.specLabel("a*/b c\"\u00e9d\u00fc.yaml"));
  }

  @Test
  void docTextIsEscapedForJavadocAndJavaPoet() {
    assertEquals("a &lt;b&gt; &amp; c\n", JavaText.javadocFormat("  a <b> & c \n"));
    assertEquals("ends *&#47; here, &#92;u0041, &#64;param, 5$$\n",
        JavaText.javadocFormat("ends */ here, \\u0041, @param, 5$"));
    // control characters become spaces; newlines stay; DEL too becomes a space
    assertEquals("a b\nc d e\n", JavaText.javadocFormat("a\tb\nc\u0000d\u007fe"));
    assertEquals("x ~ y\n", JavaText.javadocFormat("x ~ y")); // '~' (0x7e) is printable
    assertEquals("costs $$5, <b>\n", JavaText.javadocOwn("costs $5, <b>"));
  }

  @Test
  void shapeCommentsReadAsPythonTuples() {
    assertEquals("(batch, 256)", JavaText.shapeComment(new Shape(List.of(new Dim.Sym("batch"), new Dim.Known(256)))));
    assertEquals("(4,)", JavaText.shapeComment(new Shape(List.of(new Dim.Known(4)))));
    assertEquals("()", JavaText.shapeComment(Shape.SCALAR));
    assertEquals("(...)", JavaText.shapeComment(Shape.ANY));
  }
}
