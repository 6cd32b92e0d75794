package dev.netspec.compiler.check;

import static dev.netspec.compiler.check.Checked.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.compiler.check.Model.Block;
import dev.netspec.compiler.check.Model.SpecFile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checked model's helpers: which blocks name their inputs, which print as a plain
 * {@code Sequential}, blocks compared by identity, a file's scope, and a train call's typed
 * arguments with their fallbacks.
 */
class ModelTest {
  private static final String BLOCKS = String.join("\n",
      "  Plain:", "    input: [batch, 4]", "    sequential: [relu]",
      "  Named:", "    inputs: {ids: [batch, seq, int64]}", "    layers: {e: {embedding: {num_embeddings: 10, embedding_dim: 4}}}",
      "    forward: e(ids)",
      "  Two:", "    inputs: {x: [batch, 4], y: [batch, 4]}", "    forward: x + y",
      "  OneX:", "    inputs: {x: [batch, 4]}", "    forward: x",
      "  WithParam:", "    input: [batch, 4]", "    params: {w: {shape: [4]}}", "    forward: x * w");

  private static Block block(SpecFile f, String name) {
    return f.blocks().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void namedInputsAreThoseOtherThanASingleX() {
    SpecFile f = Checked.clean(spec(BLOCKS));
    assertFalse(block(f, "Plain").namedInputs(), "input: is one input named x");
    assertTrue(block(f, "Named").namedInputs(), "one input named ids");
    assertTrue(block(f, "Two").namedInputs(), "two inputs");
    assertFalse(block(f, "OneX").namedInputs(), "inputs: {x: ...} is the same as input:");
  }

  @Test
  void onlyAPlainSequentialPrintsAsSequential() {
    SpecFile f = Checked.clean(spec(BLOCKS));
    assertTrue(block(f, "Plain").sequentialOnly());
    assertFalse(block(f, "Named").sequentialOnly(), "layers and a forward");
    assertFalse(block(f, "WithParam").sequentialOnly(), "a parameter");
    assertEquals("Plain", block(f, "Plain").toString());
  }

  @Test
  void blocksAreComparedByIdentity() {
    Block a = block(Checked.clean(spec(BLOCKS)), "Plain");
    Block b = block(Checked.clean(spec(BLOCKS)), "Plain");
    assertEquals(a, a);
    assertNotEquals(a, b, "two checks of the same text give two blocks");
    assertEquals(System.identityHashCode(a), a.hashCode());
    SpecFile f = Checked.clean(spec(BLOCKS));
    assertEquals(f.blocks(), f.scope(), "no imports: the scope is the file's own blocks");
    assertEquals(5, f.scope().size());
  }

  @Test
  void trainCallsReadTheirArgumentsWithFallbacks() {
    TrainSpec.Call c = new TrainSpec.Call("adam", Map.of("lr", 0.01, "amsgrad", true, "betas", List.of(0.8, 0.9),
        "reduction", "sum", "ignore_index", -100L));
    assertEquals(0.01, c.number("lr", 1));
    assertEquals(-100.0, c.number("ignore_index", 0), "an int argument read as a number");
    assertEquals(1e-8, c.number("eps", 1e-8));
    assertTrue(c.flag("amsgrad", false));
    assertFalse(c.flag("nesterov", false));
    assertTrue(c.flag("nesterov", true));
    assertEquals(List.of(0.8, 0.9), c.numbers("betas"));
    assertNull(c.numbers("pos_weight"));
    assertEquals("sum", c.string("reduction", "mean"));
    assertEquals("mean", new TrainSpec.Call("mse_loss", Map.of()).string("reduction", "mean"));
  }
}
