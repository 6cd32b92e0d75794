package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sequence models' allocation-free forwards allocate 0 bytes once warm: BERT's {@code
 * forwardTupleInto(inputIds, attentionMask, output)} (embeddings, six layers of attention with a
 * padding mask, pooler, mean pooling) and one GPT-2 decode step, {@code forward(idx, start,
 * output)} over the KV caches, both from specs/ at a reduced size (the decode step also at GPT-2
 * small's size, contexts 128 and 512); the recurrent examples;
 * TinyEncoder and Ends (module dicts and lists called by path, index and loop); the Transformer
 * encoders (TorchEncoder, SeqFirstEncoder) and Generation's steps; attention with masks and
 * weights (CrossAttention, MaskedSelfAttention), the decoder layers' users (Seq2Seq,
 * SeqFirstDecoder) and the compiler's golden attention blocks ({@link GoldenBlocks}). Each case runs in a fresh
 * JVM ({@link SequenceAllocationChild}), only with {@code -Dnetspec.allocationTests=true}
 * (JIT-dependent, as {@link ResNetAllocationTest}).
 */
class SequenceAllocationTest {
  /** How long a child may warm the network. */
  private static final int SECONDS = 240;

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmBertForwardAllocatesNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("bert"), "bytes of 20 warm BERT forwards, batch 2 x 16 tokens");
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmGpt2DecodeStepAllocatesNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("gpt2"), "bytes of 20 warm GPT-2 decode steps at context 24");
  }

  /**
   * At GPT-2 small's size (500 MB of seeded weights; Gpt2DecodeBenchmark's contexts): the 73-87
   * bytes a step of the benchmark's JMH rows are JMH's own, which a benchmark allocating
   * nothing shows at the same rate (MemoryBandwidthBenchmark, 88 bytes an op).
   */
  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @ParameterizedTest
  @ValueSource(ints = {128, 512})
  void warmGpt2SmallDecodeStepAllocatesNothing(int context) throws Exception {
    assertEquals(0, AllocationProbe.bytesOnceWarm(SequenceAllocationChild.class, SECONDS, "gpt2-small",
        Integer.toString(SECONDS), Integer.toString(context)),
        "bytes of 20 warm GPT-2 small decode steps at context " + context);
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmLstmTaggerForwardAllocatesNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("lstm"), "bytes of 20 warm BiLstmTagger forwards, batch 2 x 12 tokens");
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmGruForwardsAllocateNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("gru"), "bytes of 20 warm GruClassifier and GruStep forwards");
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmTinyEncoderAndEndsForwardsAllocateNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("encoder"), "bytes of 20 warm TinyEncoder and Ends forwards into given outputs");
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmTransformerEncodersAllocateNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("encoders"),
        "bytes of 20 warm TorchEncoder and SeqFirstEncoder forwards, batch 2 x 10 tokens");
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void generationStepsAllocateNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("generate"),
        "bytes of 16 more GPT-2 steps, greedy and sampled, beyond their 16 token ids each");
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmAttentionWithMasksAndWeightsAllocatesNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("cross"), "bytes of 20 warm CrossAttention forwards (bool padding, per-head weights)");
    assertEquals(0, bytesOnceWarm("masked"), "bytes of 20 warm MaskedSelfAttention forwards (float mask, averaged weights)");
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @Test
  void warmDecoderLayersAllocateNothing() throws Exception {
    assertEquals(0, bytesOnceWarm("seq2seq"), "bytes of 20 warm Seq2Seq forwards");
    assertEquals(0, bytesOnceWarm("seqfirst"), "bytes of 20 warm SeqFirstDecoder forwards");
  }

  @EnabledIfSystemProperty(named = "netspec.allocationTests", matches = "true",
      disabledReason = "JIT-dependent; run with -Dnetspec.allocationTests=true")
  @ParameterizedTest
  @ValueSource(strings = {"Mlp", "Slices", "MaskedAttention", "CausalSelfAttention", "FusedAttention"})
  void warmGoldenAttentionBlocksAllocateNothing(String block) throws Exception {
    assertEquals(0, AllocationProbe.bytesOnceWarm(SequenceAllocationChild.class, SECONDS, "golden",
        Integer.toString(SECONDS), block), "bytes of 20 warm forward(x, output) of the golden " + block);
  }

  /** The child's bytes of 20 calls once 0 or after {@link #SECONDS}. */
  private static long bytesOnceWarm(String model) throws IOException, InterruptedException {
    return AllocationProbe.bytesOnceWarm(SequenceAllocationChild.class, SECONDS, model, Integer.toString(SECONDS));
  }
}
