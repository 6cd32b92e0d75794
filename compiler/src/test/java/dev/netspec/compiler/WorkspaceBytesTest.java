package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The bytes of the buffers one forward writes its intermediates into ({@link
 * Inspection#workspaceBytes}), worked out by hand from the steps each forward runs and which
 * of their values are live at once: buffers whose values are never live together share a
 * storage, each storage as large as its largest buffer. The CLI's {@code inspect} prints the
 * same figure; these check it where it is computed.
 */
class WorkspaceBytesTest {
  private static Compilation spec(String name) throws IOException {
    return Specs.compileClean(name, Files.readString(Path.of("..", "specs", name)));
  }

  @Test
  void aFusedLinearAndReluWriteOneBufferTheLastLayerWritesTheCallers() {
    Compilation c = Specs.compileClean("mlp.yaml", """
        netspec: 1
        package: p
        blocks:
          Mlp:
            input: [batch, 3]
            sequential:
              - linear: 2
              - relu
              - linear: 1
        """);
    // linear(3 -> 2) with the relu fused writes one [2, 2] buffer: 4 floats
    assertEquals(16, c.inspect("Mlp", new int[] {2, 3}).workspaceBytes());
    // [5, 3]: a [5, 2] buffer
    assertEquals(40, c.inspect("Mlp", new int[] {5, 3}).workspaceBytes());
  }

  @Test
  void aBlockOfTwoInputsPlansItsBuffersAsOneOfOne() {
    Compilation c = Specs.compileClean("two.yaml", """
        netspec: 1
        package: p
        blocks:
          Two:
            inputs: {x: [batch, 4], y: [batch, 4]}
            layers: {fc: {linear: 4}}
            forward: relu(fc(x)) + y
        """);
    // fc with the relu fused writes one [batch, 4] buffer; the sum writes the caller's output
    assertEquals(2 * 4 * 4, c.inspect("Two", new int[] {2, 4}).workspaceBytes());
    assertEquals(3 * 4 * 4, c.inspect("Two", new int[] {3, 4}).workspaceBytes());
  }

  @Test
  void buffersNeverLiveAtOnceShareAStorageInNestedBlocks() throws IOException {
    // ResidualMlp at [2, 16], in floats:
    //   head(norm(blocks(stem(x)))): stem, blocks and norm write [2, 32] each; stem's is dead
    //     once blocks ran, so norm's shares its storage: 2 * 64 = 128
    //   the Sequential 'blocks' keeps the outputs of its first two steps: 2 * 64 = 128
    //   each ResidualBlock x + fc2(act(fc1(norm(x)))), GELU fused into fc1: norm 64, fc1
    //     [2, 64] = 128, fc2 64 sharing norm's storage: 192, three of them 576
    // 128 + 128 + 576 = 832 floats = 3,328 bytes (4,352 with a storage per buffer)
    Compilation c = spec("residual_mlp.yaml");
    assertEquals(3328, c.inspect("ResidualMlp", new int[] {2, 16}).workspaceBytes());
    assertEquals(832 / 2 * 4 * 3, c.inspect("ResidualMlp", new int[] {3, 16}).workspaceBytes());
    // a symbolic batch leaves the sizes unknown
    assertEquals(-1, c.inspect("ResidualMlp", null).workspaceBytes());
    // one ResidualBlock alone at [2, 32] (dim 32, hidden 64): 192 floats
    assertEquals(192 * 4, c.inspect("ResidualBlock", java.util.Map.of("dim", 32, "hidden", 64),
        new int[] {2, 32}).workspaceBytes());
  }

  @Test
  void resNet18AtOneImage() throws IOException {
    // specs/resnet18.yaml at [1, 3, 224, 224], in floats (activations: the stem
    // 64*112*112 = 802,816; stage 1 64*56*56 = 200,704; stage 2 100,352; stage 3 50,176;
    // stage 4 25,088):
    //   ResNet: conv1+bn1+relu write one buffer (802,816), then maxpool (200,704), layer1..4
    //     (200,704, 100,352, 50,176, 25,088), avgpool and flatten (512 each); conv1, layer1,
    //     layer3 and avgpool share one storage (802,816), maxpool, layer2, layer4 and flatten
    //     another (200,704): 1,003,520
    //   each Sequential layer1..4 keeps its first BasicBlock's output: 376,320; each
    //     downsample Sequential its conv's: 100,352 + 50,176 + 25,088 = 175,616
    //   each BasicBlock keeps relu(bn1(conv1(x))) (one fused call), the rest is one call into
    //     the caller's output; a block with a downsample keeps that output too, live at once:
    //     2 * 200,704 + 3 * 100,352 + 3 * 50,176 + 3 * 25,088 = 928,256
    // 1,003,520 + 376,320 + 175,616 + 928,256 = 2,483,712 floats
    Compilation c = spec("resnet18.yaml");
    assertEquals(2_483_712L * 4, c.inspect("ResNet", new int[] {1, 3, 224, 224}).workspaceBytes());
  }
}
