package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
  @TempDir Path tmp;

  @Test
  void runsEveryModelAndPrintsWhatTheTutorialPrints() throws IOException, URISyntaxException {
    Path specs = Files.createDirectory(tmp.resolve("specs"));
    Path from = Path.of(DemoTest.class.getResource("/specs").toURI());
    for (String name : new String[] {"mlp.yaml", "two.yaml"}) {
      Files.copy(from.resolve(name), specs.resolve(name));
    }
    Cli r = Cli.run("demo", "--specs", specs.toString(), "--seed", "3");
    assertEquals(0, r.code(), r::toString);
    String out = r.out();
    assertTrue(out.startsWith("netspec demo: 2 specs from " + specs + ", seed 3\n"
        + "compiled to 3 Java classes\n"), r::toString);
    // mlp.yaml has one top-level block; two.yaml has two, both shown
    assertTrue(out.contains("\n== mlp.yaml: Mlp ="), r::toString);
    assertTrue(out.contains("\n== two.yaml: Left ="), r::toString);
    assertTrue(out.contains("\n== two.yaml: Right ="), r::toString);
    assertTrue(out.contains("> X = rand(2, 3)"), r::toString);
    assertTrue(out.contains("""
        Sequential(
          (0): Linear(in_features=3, out_features=2, bias=True)
          (1): ReLU()
          (2): Linear(in_features=2, out_features=1, bias=True)
        )
        """), r::toString);
    assertTrue(out.contains("('0.weight', [2, 3]) ('0.bias', [2]) ('2.weight', [1, 2]) "
        + "('2.bias', [1])\nparameters: 11 scalars, state dict: 4 tensors\n"), r::toString);
    assertEquals(3, out.split("same output: true\n", -1).length - 1, r::toString);
    assertTrue(out.endsWith("ran 3 models; every clone loaded from safetensors matched.\n"),
        r::toString);
  }

  /**
   * A CNN on a symbolic image size runs at 32x32 (the batch at 2), prints PyTorch's conv and
   * batch-norm reprs, and its state dict (int64 num_batches_tracked included) round-trips.
   */
  @Test
  void showsACnn() throws IOException {
    Path specs = Files.createDirectory(tmp.resolve("specs"));
    Files.writeString(specs.resolve("cnn.yaml"), """
        netspec: 1
        package: com.example.models
        blocks:
          Cnn:
            input: [batch, 3, height, width]
            sequential:
              - {conv2d: {out_channels: 4, kernel_size: 3, stride: 2, padding: 1, bias: false}}
              - batch_norm2d
              - {relu: {inplace: true}}
              - {adaptive_avg_pool2d: 1}
              - flatten
              - {linear: 2}
        """);
    Cli r = Cli.run("demo", "--specs", specs.toString());
    assertEquals(0, r.code(), r::toString);
    String out = r.out();
    assertTrue(out.contains("> X = rand(2, 3, 32, 32)"), r::toString);
    assertTrue(out.contains("""
        Sequential(
          (0): Conv2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
          (1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
          (2): ReLU(inplace=True)
        """), r::toString);
    // 108 + 4 + 4 + 8 + 2; conv, bn (weight, bias, running_mean, running_var, num_batches_tracked), linear
    assertTrue(out.contains("parameters: 126 scalars, state dict: 8 tensors\n"), r::toString);
    assertTrue(out.endsWith("ran 1 models; every clone loaded from safetensors matched.\n"), r::toString);
  }

  /**
   * The tutorial's parameter-access and my_init programs, on models of the same names whose
   * initializers make the printed values known by hand: every output bias 0.5, and MyInit's
   * weights zero, as the tutorial's my_init left the row it prints.
   */
  @Test
  void replaysTheParameterProgramsOfTheTutorial() throws IOException {
    Path specs = Files.createDirectory(tmp.resolve("specs"));
    Files.writeString(specs.resolve("params.yaml"), """
        netspec: 1
        package: com.example.models
        blocks:
          ParamNet:
            input: [batch, 4]
            init: {linear.bias: {constant: 0.5}}
            sequential: [{linear: 8}, relu, {linear: 1}]
          MyInit:
            input: [batch, 4]
            init: {linear.weight: zeros}
            sequential: [{linear: 8}, relu, {linear: 1}]
        """);
    Cli r = Cli.run("demo", "--specs", specs.toString());
    assertEquals(0, r.code(), r::toString);
    String out = r.out();
    // net[2] is Linear(8, 1): weight [1, 8], bias [1]
    assertTrue(out.matches("(?s).*// net\\[2\\]\\.state_dict\\(\\)\n"
        + "OrderedDict\\(\\[\\('weight', tensor\\(\\[\\[[^\n]*\\]\\]\\)\\), "
        + "\\('bias', tensor\\(\\[0\\.5000\\]\\)\\)\\]\\)\n.*"), r::toString);
    assertTrue(out.contains("// type(net[2].bias)\nclass dev.netspec.runtime.nn.Parameter\n"),
        r::toString);
    assertTrue(out.contains("// net[2].bias\nParameter containing:\n"
        + "tensor([0.5000], requires_grad=True)\n"), r::toString);
    assertTrue(out.contains("// net[2].bias.data\ntensor([0.5000])\n"), r::toString);
    assertTrue(out.contains("// net[2].weight.grad == None\ntrue\n"), r::toString);
    assertTrue(out.contains("// net[0].named_parameters()\n('weight', [8, 4]) ('bias', [8])\n"),
        r::toString);
    assertTrue(out.contains("// net.state_dict()['2.bias'].data\ntensor([0.5000])\n"),
        r::toString);

    assertTrue(out.contains("// net.apply(my_init)'s print\nInit weight [8, 4]\n"
        + "Init weight [1, 8]\n"), r::toString);
    assertTrue(out.contains("// net[0].weight[:2]\ntensor([[0., 0., 0., 0.],\n"
        + "        [0., 0., 0., 0.]], grad_fn=<SliceBackward0>)\n"), r::toString);
    // zeros, + 1 everywhere, then [0, 0] = 42
    assertTrue(out.contains("// net[0].weight.data[0]\ntensor([42.,  1.,  1.,  1.])\n"),
        r::toString);
    // the programs belong to their own models only
    assertEquals(1, out.split("Parameter containing:", -1).length - 1, r::toString);
    assertEquals(1, out.split("Init weight \\[8, 4\\]", -1).length - 1, r::toString);
  }

  /**
   * A decoder (token ids, an embedding, a kv_cache attention, a head; position: start) is
   * built small with random weights and generates the same tokens over its cache as by
   * recomputing; a block with arguments is not run on its own.
   */
  @Test
  void aDecoderGeneratesTokens() throws IOException {
    Path specs = Files.createDirectory(tmp.resolve("specs"));
    Files.writeString(specs.resolve("decoder.yaml"), """
        netspec: 1
        package: com.example.models
        blocks:
          Attention:
            args: {dim: int, heads: int, context: int}
            input: [batch, seq, dim]
            layers:
              qkv: {linear: 3 * dim}
              cache: {kv_cache: {embed_dim: dim, num_heads: heads, max_len: context}}
            forward: cache(qkv(x))
          Decoder:
            args: {vocab: int, context: int, n_head: int, dim: int}
            inputs: {ids: [batch, seq, int64]}
            position: start
            layers:
              tok: {embedding: {num_embeddings: vocab, embedding_dim: dim}}
              pos: {embedding: {num_embeddings: context, embedding_dim: dim}}
              attn: {Attention: {dim: dim, heads: n_head, context: context}}
              head: {linear: vocab}
            forward: |
              x = tok(ids) + pos(arange(start, start + seq))
              return head(x + attn(x))
        """);
    Cli r = Cli.run("demo", "--specs", specs.toString());
    assertEquals(0, r.code(), r::toString);
    String out = r.out();
    assertTrue(out.contains("\n== decoder.yaml: Decoder (decoding) ="), r::toString);
    assertTrue(out.contains("random weights (seed 0), so the tokens mean nothing; vocab=32,"
        + " context=32, n_head=4, dim=32\n"), r::toString);
    assertTrue(out.contains("\n[1, 4, 7, 10, "), r::toString);
    assertTrue(out.contains("same tokens: true\n"), r::toString);
    assertTrue(!out.contains("== decoder.yaml: Attention"), r::toString);
    assertTrue(out.endsWith("ran 0 models; every clone loaded from safetensors matched. 1 decoder"
        + " generated the same tokens with and without a cache.\n"), r::toString);
  }
}
