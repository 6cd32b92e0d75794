package dev.netspec.compiler.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netspec.compiler.check.Checker;
import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.InitRule;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.parse.SpecReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which parameters a block's {@code init:} rule selects, as {@code net.apply(init_fn)} would
 * visit them: by layer type, by block name, by path glob ({@code *} one name, {@code **} any
 * depth), forced with {@code type:} or {@code path:}; the expected paths are the block's
 * state-dict names written out by hand, in PyTorch's order.
 */
class InitRulesTest {
  /**
   * enc: a block Enc (its own parameter scale; fc: linear, out: linear), head: linear, seq:
   * [linear, relu, linear]. Selectors are quoted: YAML reads a plain {@code *} as an alias.
   */
  private static final String TREE = "netspec: 1\npackage: t\nblocks:\n"
      + "  Enc:\n    input: [batch, 4]\n    params: {scale: {shape: [4]}}\n"
      + "    layers: {fc: {linear: 4}, out: {linear: 4}}\n    forward: out(fc(x)) * scale\n"
      + "  B:\n    input: [batch, 4]\n"
      + "    layers: {enc: Enc, head: {linear: 2}, seq: {sequential: [{linear: 4}, relu, {linear: 2}]}}\n"
      + "    forward: head(enc(x)) + seq(x)\n"
      + "    init: {\"RULE\": zeros}\n";

  private static List<String> errors = new ArrayList<>();

  /** The state-dict paths {@code selector} selects in B; null when the rule is refused. */
  private static List<String> select(String selector) {
    return select(TREE, selector);
  }

  private static List<String> select(String tree, String selector) {
    Reporter reporter = new Reporter();
    String text = tree.replace("RULE", selector);
    List<Block> blocks = Checker.check(Path.of("t.yaml"), SpecReader.read(Path.of("t.yaml"), text, reporter),
        reporter, null).blocks();
    Block b = blocks.stream().filter(x -> x.name().equals("B")).findFirst().orElseThrow();
    Inference.Result r = Inference.inspect(blocks, b, null, new Reporter());
    InitRule rule = b.initRules().get(0);
    List<InitRules.Match> m = InitRules.match(rule, r.inst(), reporter, "B");
    errors = new ArrayList<>();
    reporter.sorted().forEach(d -> errors.add(d.message()));
    return m == null ? null : m.stream().map(InitRules.Match::path).toList();
  }

  @Test
  void byLayerTypeAtAnyDepth() {
    assertEquals(List.of("enc.fc.weight", "enc.out.weight", "head.weight", "seq.0.weight", "seq.2.weight"),
        select("linear.weight"));
    assertEquals(List.of("enc.fc.bias", "enc.out.bias", "head.bias", "seq.0.bias", "seq.2.bias"),
        select("type:linear.bias"));
    // a block name is a type, and a module's parameters are its own (as m.weight in net.apply)
    assertEquals(List.of("enc.scale"), select("Enc.*"));
    assertEquals(List.of(), select("Enc.weight"));
    assertEquals(List.of(), select("relu.weight"));
  }

  @Test
  void byPathGlob() {
    assertEquals(List.of("head.weight"), select("head.weight"));
    assertEquals(List.of("enc.fc.weight", "enc.out.weight"), select("enc.*.weight"));
    assertEquals(List.of("head.weight"), select("*.weight"), "'*' is one name: enc, head and seq, not their children");
    assertEquals(List.of("enc.scale", "enc.fc.weight", "enc.fc.bias", "enc.out.weight", "enc.out.bias", "head.weight",
        "head.bias", "seq.0.weight", "seq.0.bias", "seq.2.weight", "seq.2.bias"), select("**.*"));
    assertEquals(List.of("enc.scale"), select("*.scale"));
    assertEquals(List.of("enc.fc.bias", "enc.out.bias", "head.bias", "seq.0.bias", "seq.2.bias"), select("**.b*"));
    assertEquals(List.of("seq.0.weight"), select("path:seq.0.weight"));
    assertEquals(List.of("enc.fc.weight", "enc.out.weight"), select("e*.*.weight"));
    assertEquals(List.of("enc.scale"), select("e*.scale"));
    assertEquals(List.of("seq.0.weight", "seq.2.weight"), select("s**.weight"), "'**' at the end crosses dots");
  }

  @Test
  void malformedAndAmbiguousSelectors() {
    String form = "' must be '<layer type or path>.<parameter>', such as 'linear.weight'";
    assertNull(select("weight"));
    assertEquals(List.of("B: init rule 'weight" + form), errors);
    assertNull(select(".weight"));
    assertEquals(List.of("B: init rule '.weight" + form), errors);
    assertNull(select("linear."));
    assertEquals(List.of("B: init rule 'linear." + form), errors);
    // "q.weight": a one-letter module part is a selector (the dot at 1, not 0)
    assertEquals(List.of(), select("q.weight"));
    assertEquals(List.of(), errors);
    // a child named like a layer type
    String named = "netspec: 1\npackage: t\nblocks:\n  B:\n    input: [batch, 4]\n"
        + "    params: {weight: {shape: [4]}}\n"
        + "    layers: {linear: {linear: 4}, seq: {sequential: [{linear: 4}]}}\n"
        + "    forward: seq(linear(x)) * weight\n    init: {\"RULE\": zeros}\n";
    assertNull(select(named, "linear.weight"));
    assertEquals(List.of("B: init rule 'linear.weight' is ambiguous: 'linear' is both a layer type and a child's"
        + " name; write 'type:linear.weight' or 'path:linear.weight'"), errors);
    assertEquals(List.of("linear.weight", "seq.0.weight"), select(named, "type:linear.weight"));
    assertEquals(List.of("linear.weight"), select(named, "path:linear.weight"));
    assertEquals(List.of(), errors);
    // rules are over the children: the block's own parameters have their own 'init'
    assertEquals(List.of("linear.weight", "seq.0.weight"), select(named, "**.weight"));
    assertEquals(List.of("seq.0.weight", "seq.0.bias"), select(named, "seq.**.*"));
  }
}
