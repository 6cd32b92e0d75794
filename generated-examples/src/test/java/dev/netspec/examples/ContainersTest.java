package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * specs/transformer_encoder.yaml's containers and tied head beyond the parity fixture: the tie
 * survives a strict load (one tensor, both keys), a checkpoint whose tied keys differ is
 * refused, and the generated fields are typed.
 */
class ContainersTest {
  private static final ParityFixture FIXTURE = read();

  private static ParityFixture read() {
    try {
      return ParityFixture.read(ParityFixture.DIR.resolve("tiny_encoder.json"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theTiedHeadIsTheEmbeddingsWeightAfterAStrictLoad() throws Exception {
    TinyEncoder net = new TinyEncoder(7);
    Map<String, Tensor> weights = FIXTURE.weights();
    assertTrue(weights.containsKey("head.weight") && weights.containsKey("embed.proj.weight"),
        "PyTorch saves both keys of a tied weight");
    net.loadStateDict(weights, true);
    assertSame(net.head.weight.data(), net.embed.proj.weight.data(), "one tensor after the load");
    assertSame(net.stateDict().get("head.weight"), net.stateDict().get("embed.proj.weight"));
    net.embed.proj.weight.data().set(3.5f, 0, 1);
    assertEquals(3.5f, net.head.weight.data().get(0, 1), "an edit of one name is seen by the other");
    assertEquals(1, net.parameters().stream().filter(p -> p.data() == net.head.weight.data()).count(),
        "parameters() lists the tied weight once");
  }

  @Test
  void aCheckpointWhoseTiedKeysDifferIsRefused() throws Exception {
    Map<String, Tensor> weights = new LinkedHashMap<>(FIXTURE.weights());
    Tensor other = weights.get("head.weight").clone();
    other.set(other.get(0, 0) + 1f, 0, 0);
    weights.put("head.weight", other);
    StateDictException e = assertThrows(StateDictException.class,
        () -> new TinyEncoder().loadStateDict(weights, true));
    assertTrue(e.getMessage().contains("head.weight and embed.proj.weight are one shared tensor"),
        e.getMessage());
  }

  @Test
  void theModuleListIsTypedAndIndexedAsInPyTorch() {
    TinyEncoder net = new TinyEncoder();
    EncoderBlock first = net.blocks.get(0); // no cast: ModuleList<EncoderBlock>
    assertSame(first, net.getSubmodule("blocks.0"));
    assertSame(net.blocks.get(-1), net.getSubmodule("blocks.2"));
    assertEquals(3, net.blocks.size());
    Module proj = net.embed.get("proj");
    assertSame(net.embed.proj, proj);
    assertEquals(java.util.List.of("proj", "norm"), net.embed.keys());
  }
}
