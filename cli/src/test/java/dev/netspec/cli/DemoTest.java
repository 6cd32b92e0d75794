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
}
