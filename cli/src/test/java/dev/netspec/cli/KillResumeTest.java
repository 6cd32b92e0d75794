package dev.netspec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsFile;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real training process ({@code java ... Netspec train}) killed with SIGKILL while it writes
 * a checkpoint, and again between checkpoints, then resumed twice: the checkpoint it was
 * replacing is intact each time, and the final weights equal, bit for bit, those of a run
 * that was never interrupted.
 */
class KillResumeTest {
  /** Big enough (about 1.4 M parameters, 16 MB a checkpoint with Adam's moments) that a write takes a while. */
  static final String SPEC = """
      netspec: 1
      package: t
      blocks:
        Wide:
          input: [batch, 256]
          sequential: [{linear: 1024}, relu, {linear: 1024}, relu, {linear: 10}]
      train:
        loss: cross_entropy
        optimizer: {adam: {lr: 0.0005}}
        schedule: {cosine_annealing_lr: {T_max: 2}}
        batch_size: 32
        epochs: 2
        seed: 5
      """;

  /**
   * How long a run may go without logging a step before it counts as hung. The runs have no
   * overall bound: at load 44 a whole run once took past the former 60 s while it was making
   * progress; a step takes well under a second when quiet (a run of 40 steps about 10 s).
   */
  static final int STALL_SECONDS = 60;

  @TempDir Path tmp;

  private List<String> command(Path spec, Path data, Path weights, Path ck, String... more) {
    List<String> c = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), Netspec.class.getName(),
        "train", spec.toString(), "--data", data.toString(), "--save-weights",
        weights.toString(), "--checkpoint", ck.toString(), "--checkpoint-every", "4"));
    c.addAll(List.of(more));
    return c;
  }

  @Test
  void killedMidWriteAndMidRunThenResumedEndsBitIdentical() throws Exception {
    Path spec = tmp.resolve("wide.yaml");
    Files.writeString(spec, SPEC);
    Path data = tmp.resolve("data.safetensors");
    Generator g = new Generator(9);
    float[] x = new float[640 * 256];
    long[] t = new long[640];
    for (int i = 0; i < t.length; i++) {
      t[i] = i % 10;
      for (int j = 0; j < 256; j++) {
        x[i * 256 + j] = (float) g.nextGaussian() + (j % 10 == t[i] ? 1 : 0);
      }
    }
    Map<String, Tensor> d = new LinkedHashMap<>();
    d.put("x", Tensor.fromArray(x, 640, 256));
    d.put("target", Tensor.ofLongs(t, 640));
    SafeTensors.save(d, data);

    Path whole = tmp.resolve("whole.safetensors");
    Path ckWhole = tmp.resolve("ck-whole");
    Exit ok = Exit.whileProgressing(command(spec, data, whole, ckWhole), tmp,
        () -> stepsLogged(ckWhole), STALL_SECONDS);
    assertEquals(0, ok.code(), ok::toString);

    Path ck = tmp.resolve("ck");
    Path ckFile = ck.resolve("checkpoint.safetensors");
    Path resumed = tmp.resolve("resumed.safetensors");
    // 1. killed while it writes a checkpoint (its temporary file is there), after a first one
    long before = killWhen(command(spec, data, resumed, ck), ck,
        () -> Files.exists(ckFile) && temporaries(ck) > 0);
    long kept = intactStep(ckFile);
    assertTrue(kept >= 4 && kept % 4 == 0, "the previous checkpoint, step " + kept);
    assertTrue(before >= kept, "killed at or after step " + kept);
    // 2. resumed, then killed between checkpoints, after it has gone 6 steps further
    killWhen(command(spec, data, resumed, ck, "--resume"), ck,
        () -> stepsLogged(ck) >= kept + 6);
    long kept2 = intactStep(ckFile);
    assertTrue(kept2 > kept, "the resumed run checkpointed further: " + kept + " -> " + kept2);
    // 3. resumed to the end
    Exit end = Exit.whileProgressing(command(spec, data, resumed, ck, "--resume"), tmp,
        () -> stepsLogged(ck), STALL_SECONDS);
    assertEquals(0, end.code(), end::toString);
    assertTrue(end.out().contains("resumed at"), end::toString);
    assertSameBits(whole, resumed);
    assertEquals(Files.readString(tmp.resolve("ck-whole").resolve("steps.csv")),
        Files.readString(ck.resolve("steps.csv")), "every step's loss, once, as uninterrupted");
  }

  /** Starts {@code command}, kills it (SIGKILL) once {@code when} holds; returns the steps logged then. */
  private long killWhen(List<String> command, Path ck, Check when) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("killed.out").toFile()).start();
    try {
      long stall = TimeUnit.SECONDS.toNanos(STALL_SECONDS);
      long seen = stepsLogged(ck);
      long lastMove = System.nanoTime();
      while (!when.holds()) {
        assertTrue(p.isAlive(), "the run ended before it could be killed: "
            + Files.readString(tmp.resolve("killed.out")));
        long steps = stepsLogged(ck);
        if (steps != seen) {
          seen = steps;
          lastMove = System.nanoTime();
        }
        assertTrue(System.nanoTime() - lastMove < stall, "no step logged for " + STALL_SECONDS
            + " s (at step " + seen + "): " + Files.readString(tmp.resolve("killed.out")));
        Thread.onSpinWait();
      }
      p.destroyForcibly();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(137, p.exitValue(), "killed by SIGKILL");
      return stepsLogged(ck);
    } finally {
      p.destroyForcibly();
    }
  }

  interface Check {
    boolean holds() throws IOException;
  }

  private static long temporaries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().startsWith(".checkpoint.safetensors.")
          && f.getFileName().toString().endsWith(".tmp")).count();
    } catch (java.nio.file.NoSuchFileException e) {
      return 0;
    }
  }

  private static long stepsLogged(Path ck) throws IOException {
    Path steps = ck.resolve("steps.csv");
    if (!Files.exists(steps)) {
      return 0;
    }
    String text = Files.readString(steps);
    return Math.max(0, text.chars().filter(c -> c == '\n').count() - 1);
  }

  /** The checkpoint reads whole; returns its step. */
  private static long intactStep(Path file) throws Exception {
    SafeTensorsFile f = SafeTensors.load(file);
    assertEquals("netspec-checkpoint-1", f.metadata().get("format"));
    assertTrue(f.tensors().containsKey("model.0.weight"));
    assertTrue(f.tensors().containsKey("optimizer.state.0.exp_avg"), f.tensors().keySet()::toString);
    return Long.parseLong(f.metadata().get("train.step"));
  }

  static void assertSameBits(Path want, Path got) throws Exception {
    Map<String, Tensor> a = SafeTensors.load(want).tensors();
    Map<String, Tensor> b = SafeTensors.load(got).tensors();
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) {
      float[] x = a.get(k).toFloatArray();
      float[] y = b.get(k).toFloatArray();
      assertEquals(x.length, y.length, k);
      int[] bx = new int[x.length];
      int[] by = new int[y.length];
      for (int i = 0; i < x.length; i++) {
        bx[i] = Float.floatToRawIntBits(x[i]);
        by[i] = Float.floatToRawIntBits(y[i]);
      }
      assertArrayEquals(bx, by, k);
    }
  }
}
