package dev.netspec.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.compiler.check.Model.Tie;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The spelling of a {@code tie:} entry: both sides are parameter paths as PyTorch's state dict
 * writes them ({@code layers.0.weight}: a child's name may be an index, the parameter's may
 * not), a tie's source may not itself be tied, and what is not a path gets one error at it.
 */
class TiePathsTest {
  private static final String LAYERS = String.join("\n",
      "  Net:",
      "    input: [batch, 4]",
      "    layers:",
      "      blocks: {sequential: [{linear: 4}, {linear: 4}]}",
      "      head: {linear: 4}");

  private static String net(String... ties) {
    return Checked.spec(LAYERS, "    tie:", "      " + String.join("\n      ", ties),
        "    forward: head(blocks(x))");
  }

  @Test
  void anIndexIsAChildsNameButNotAParameters() {
    List<Tie> ties = Checked.block(net("blocks.1.weight: blocks.0.weight", "head.bias: blocks.0.bias"), "Net").ties();
    assertEquals(List.of("blocks.1.weight <- blocks.0.weight", "head.bias <- blocks.0.bias"),
        ties.stream().map(t -> t.path() + " <- " + t.source()).toList());

    String text = net("blocks.0: head.weight", "head.weight: blocks.1");
    assertEquals(List.of(
        Checked.at(text, 10, "blocks.0") + "Net: tie 'blocks.0' is not a parameter path such as lm_head.weight",
        Checked.at(text, 11, "blocks.1") + "Net: tie source 'blocks.1' is not a parameter path such as"
            + " transformer.wte.weight"), Checked.of(text).errors);
  }

  @Test
  void everyPartOfAPathIsAName() {
    String text = net("head..weight: blocks.0.weight", ".weight: blocks.0.weight", "head.: blocks.0.weight",
        "head.weight: blocks.0.bias-x", "head.bias: blocks.0.x y");
    assertEquals(List.of(
        Checked.at(text, 10, "head..weight") + "Net: tie 'head..weight' is not a parameter path such as lm_head.weight",
        Checked.at(text, 11, ".weight") + "Net: tie '.weight' is not a parameter path such as lm_head.weight",
        Checked.at(text, 12, "head.") + "Net: tie 'head.' is not a parameter path such as lm_head.weight",
        Checked.at(text, 13, "blocks.0.bias-x") + "Net: tie source 'blocks.0.bias-x' is not a parameter path"
            + " such as transformer.wte.weight",
        Checked.at(text, 14, "blocks.0.x y") + "Net: tie source 'blocks.0.x y' is not a parameter path"
            + " such as transformer.wte.weight"), Checked.of(text).errors);
  }

  @Test
  void aTieThatIsNotAMapIsOneError() {
    String text = Checked.spec(LAYERS, "    tie: [head.weight]", "    forward: head(blocks(x))");
    List<String> errors = Checked.of(text).errors;
    assertEquals(1, errors.size(), errors.toString());
    assertEquals(true, errors.get(0).startsWith(Checked.at(text, 9, "[head.weight]")), errors.toString());
  }

  @Test
  void aTieOfItselfOfATiedSourceOrOfANumberIsOneErrorEach() {
    String text = net("head.weight: head.weight", "head.bias: blocks.0.bias", "blocks.0.bias: blocks.1.bias",
        "blocks.1.weight: 3");
    assertEquals(List.of( // sorted
        "Net: the source of tie 'blocks.1.weight' must be a parameter path such as transformer.wte.weight,"
            + " got the number 3",
        "Net: tie 'head.weight' names itself",
        "Net: tie source 'blocks.0.bias' is itself tied; name the parameter it is tied to"),
        Checked.of(text).errors.stream().map(e -> e.substring(e.indexOf("error: ") + 7)).sorted().toList());
  }
}
