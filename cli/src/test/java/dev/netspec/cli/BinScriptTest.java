package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/netspec, run by bash: the Vector API's incubator warning appears for the commands that
 * compute, and not for their help. The script runs in a copy of the checkout whose CLI jar
 * is a manifest pointing at this test's classpath (so it needs no build).
 */
class BinScriptTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  private static final String WARNING = "WARNING: Using incubator modules";

  @TempDir Path tmp;
  private Path script;

  @BeforeEach
  void checkout() throws IOException {
    Path home = tmp.resolve("home");
    script = Files.createDirectories(home.resolve("bin")).resolve("netspec");
    Files.copy(ROOT.resolve("bin/netspec"), script);
    Path pom = Files.writeString(home.resolve("pom.xml"), "<project/>\n");
    Files.setLastModifiedTime(pom, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    main.put(Attributes.Name.MAIN_CLASS, Netspec.class.getName());
    List<String> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      urls.add(Path.of(entry).toUri().toString());
    }
    main.put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
    Path jar = Files.createDirectories(home.resolve("cli/target"))
        .resolve("netspec-cli-0-all.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      // the manifest is all
    }
  }

  private Exit netspec(String... args) throws IOException, InterruptedException {
    return netspec(Map.of(), args);
  }

  private Exit netspec(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    Path javaBin = Path.of(System.getProperty("java.home"), "bin");
    return Exit.of(command, tmp, pb -> {
      pb.environment().remove("JAVA_OPTS");
      pb.environment().remove("NETSPEC_JAVA_OPTS");
      pb.environment().putAll(env);
      pb.environment().put("PATH", javaBin
          + java.io.File.pathSeparator + pb.environment().getOrDefault("PATH", ""));
    });
  }

  @Test
  void helpOfRunAndDemoPrintsNoIncubatorWarning() throws IOException, InterruptedException {
    for (String[] args : new String[][] {{"run", "--help"}, {"demo", "-h"}}) {
      Exit help = netspec(args);
      assertEquals(0, help.code(), help::toString);
      assertTrue(help.out().contains("Usage: netspec " + args[0]), help::toString);
      assertFalse(help.err().contains(WARNING), help::toString);
    }
  }

  @Test
  void runLoadsTheVectorApiAndSoPrintsTheWarning() throws IOException, InterruptedException {
    Exit run = netspec("run", "missing.yaml");
    assertEquals(Netspec.USAGE, run.code(), run::toString);
    assertTrue(run.err().startsWith(WARNING), run::toString);
    Exit inspect = netspec("inspect", "missing.yaml");
    assertEquals(Netspec.USER_ERROR, inspect.code(), inspect::toString);
    assertFalse(inspect.err().contains(WARNING), inspect::toString);
  }

  @Test
  void idxRunsWithoutTheVectorApiAndPrintsOnlyItsSummary() throws Exception {
    // 2 images of 2 x 3 pixels and their labels, as IDX files (magic 0x803 / 0x801, then the
    // sizes as big-endian ints, then the unsigned bytes)
    Path images = Files.write(tmp.resolve("images.idx"), new byte[] {0, 0, 8, 3, 0, 0, 0, 2,
        0, 0, 0, 2, 0, 0, 0, 3, 0, 51, (byte) 255, 1, 2, 3, 4, 5, 6, 7, 8, (byte) 204});
    Path labels = Files.write(tmp.resolve("labels.idx"),
        new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 7, 9});
    Path out = tmp.resolve("data.safetensors");
    Exit idx = netspec("idx", "--images", images.toString(), "--labels", labels.toString(),
        "--output", out.toString());
    assertEquals(0, idx.code(), idx::toString);
    assertEquals("wrote 2 samples to " + out + ": x [2, 1, 2, 3] float32, target [2] int64",
        idx.out().strip(), idx::toString);
    // no incubator warning (bin/netspec does not load the module for idx), and no scalar
    // fallback warning of the kernels either: converting bytes to floats uses none
    assertEquals("", idx.err(), idx::toString);
    Map<String, Tensor> data = SafeTensors.load(out).tensors();
    // torchvision's ToTensor: byte / 255
    assertArrayEquals(new float[] {0f, 0.2f, 1f, 1 / 255f, 2 / 255f, 3 / 255f,
        4 / 255f, 5 / 255f, 6 / 255f, 7 / 255f, 8 / 255f, 0.8f},
        data.get("x").toFloatArray(), 0f);
    assertArrayEquals(new long[] {7, 9}, data.get("target").toLongArray());
  }

  @Test
  void aModelBiggerThanTheHeapIsOneErrorNamingTheNeed() throws Exception {
    Path spec = Files.writeString(tmp.resolve("big.yaml"), String.join("\n",
        "netspec: 1", "package: t", "blocks:", "  Big:", "    input: [batch, 4096]",
        "    sequential:", "      - linear: 4096", ""));
    Path x = tmp.resolve("x.safetensors");
    SafeTensors.saveTensor(Tensor.ones(1, 4096), x);
    String[] run = {"run", spec.toString(), "--input", x.toString(),
        "--output", tmp.resolve("y.safetensors").toString()};

    // 4096 * 4096 + 4096 float32 scalars = 67,125,248 bytes; a heap of 32 MiB cannot hold them
    Exit small = netspec(Map.of("JAVA_OPTS", "-Xmx512m", "NETSPEC_JAVA_OPTS", " -Xmx32m "), run);
    assertEquals(Netspec.USER_ERROR, small.code(), small::toString);
    List<String> lines = small.err().lines().filter(l -> !l.startsWith(WARNING)).toList();
    assertEquals(1, lines.size(), small::toString);
    assertTrue(lines.get(0).startsWith(spec + ": error: Big's parameters need 67,125,248 bytes"
        + " (64.0 MiB), more than the JVM's maximum heap of "), small::toString);
    assertTrue(lines.get(0).endsWith("; raise the heap: java -Xmx1g, or"
        + " NETSPEC_JAVA_OPTS=-Xmx1g for bin/netspec"), small::toString);
    assertFalse(Files.exists(tmp.resolve("y.safetensors")));

    Exit raised = netspec(Map.of("JAVA_OPTS", "-Xmx32m", "NETSPEC_JAVA_OPTS", "-Xmx400m"), run);
    assertEquals(0, raised.code(), raised::toString);
    assertArrayEquals(new int[] {1, 4096},
        SafeTensors.loadTensor(tmp.resolve("y.safetensors")).shape());
  }
}
