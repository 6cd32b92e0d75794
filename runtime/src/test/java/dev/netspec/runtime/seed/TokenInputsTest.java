package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.nn.Embedding;
import dev.netspec.runtime.tensor.DType;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The examples of docs/sequence-models.md's section on token inputs: {@code nn.Embedding} and the
 * tensor ops of sequence models (a causal mask, heads by chunk). Expected texts are what
 * PyTorch 1.13 prints for the same calls, except masks, which are float 0/1 here.
 */
class TokenInputsTest {
  @Test
  void embedding() {
    Embedding emb = new Embedding(10, 3, 0);
    assertEquals("Embedding(10, 3, padding_idx=0)", emb.toString());
    Tensor ids = Tensor.ofLongs(new long[] {1, 2, 0, 4, 3, 9}, 2, 3);
    Tensor x = emb.forward(ids); // (2, 3, 3)
    assertArrayEquals(new int[] {2, 3, 3}, x.shape());
    assertArrayEquals(new float[3], x.select(0, 0).select(0, 2).toFloatArray()); // padding
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> emb.forward(Tensor.ofLongs(1, 10)));
    assertEquals("embedding: id 10 at position [1] of the ids is out of range [0, 10)",
        e.getMessage());
  }

  @Test
  void causalMaskAndHeads() {
    Tensor pos = Tensor.arange(4); // torch.arange(4): int64
    assertEquals("tensor([0, 1, 2, 3])", pos.toString());
    assertEquals("tensor([1., 1., 1., 0.])", pos.lt(3f).toString()); // pos < 3, a float mask
    Tensor scores = Tensor.randn(new Generator(0), 2, 4, 4); // (batch, query, key)
    Tensor causal = Tensor.ones(4, 4).triu(1); // 1 above the diagonal: future keys
    Tensor attn = scores.maskedFill(causal, Float.NEGATIVE_INFINITY).softmax(-1);
    assertEquals(1f, attn.get(1, 0, 0)); // the first query sees only the first key
    assertEquals(0f, attn.get(1, 2, 3));
    List<Tensor> halves = scores.chunk(2, -1); // two (2, 4, 2) views
    assertArrayEquals(new int[] {2, 4, 2}, halves.get(1).shape());
    Tensor firstKeys = scores.slice(-1, 0, 4, 2); // scores[..., ::2]
    assertEquals(scores.get(0, 1, 2), firstKeys.get(0, 1, 1));
    Tensor heads = scores.view(2, 4, 2, 2).transpose(1, 2); // (batch, head, query, dim)
    assertEquals(scores.get(1, 3, 2), heads.get(1, 1, 3, 0));
    assertEquals(DType.FLOAT32, Tensor.where(causal, scores, Tensor.scalar(0f)).dtype());
  }
}
