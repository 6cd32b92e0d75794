package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An error inside a block that comes from the values a caller gave its arguments is located
 * in the block, with a note line at the caller naming the values; an error of the block's own
 * (at any values) has no note. Line numbers counted by hand in the texts below.
 */
class CallerNotesTest {
  private static final String INNER = """
      netspec: 1
      package: com.example.t
      blocks:
        Inner:
          args: {width: int, heads: int}
          input: [batch, seq, width]
          layers:
            attn: {multihead_attention: {embed_dim: width, num_heads: heads}}
          forward: |
            return FORWARD
        Outer:
          input: [batch, seq, 10]
          sequential:
            - Inner: {width: 10, heads: 3}
            - Inner: {width: 10, heads: 2}
            - Inner: {width: 10, heads: 5}
      """;

  @Test
  void anErrorFromACallersValuesNamesTheCaller() {
    assertEquals(List.of("t.yaml:8:65: error: Inner.attn (multihead_attention): embed_dim 10 is not"
        + " divisible by num_heads 3\nt.yaml:14:9: note: Outer.0 builds Inner here with width=10, heads=3"),
        Specs.errors(INNER.replace("FORWARD", "attn(x)")));
  }

  @Test
  void theBlocksOwnErrorHasNoNote() {
    // 'atn' is wrong at any values: reported once, without a note, before and beside the other
    assertEquals(List.of("t.yaml:8:65: error: Inner.attn (multihead_attention): embed_dim 10 is not"
            + " divisible by num_heads 3\nt.yaml:14:9: note: Outer.0 builds Inner here with width=10, heads=3",
        "t.yaml:10:14: error: Inner: unknown function or layer 'atn'; did you mean 'attn'?"),
        Specs.errors(INNER.replace("FORWARD", "atn(x)")));
  }

  @Test
  void symbolicValuesAreNoNote() {
    // Outer passes its own symbolic 'heads' on: Inner's errors at those values are its own
    String text = INNER.replace("FORWARD", "atn(x)").replace("""
          input: [batch, seq, 10]
          sequential:
            - Inner: {width: 10, heads: 3}
            - Inner: {width: 10, heads: 2}
            - Inner: {width: 10, heads: 5}
      """, """
          args: {heads: int}
          input: [batch, seq, 10]
          sequential:
            - Inner: {width: 10, heads: heads}
      """);
    assertEquals(List.of("t.yaml:10:14: error: Inner: unknown function or layer 'atn'; did you mean 'attn'?"),
        Specs.errors(text));
  }
}
