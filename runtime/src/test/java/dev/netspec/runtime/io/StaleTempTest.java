package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A killed save leaves its temporary file; the next save of the same target removes it once
 * it is older than {@link AtomicFile#STALE}, and never touches a temporary still being written.
 */
class StaleTempTest {
  @TempDir Path dir;

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  private static void age(Path file, long minutes) throws IOException {
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60 * minutes)));
  }

  /** Run in a child JVM: starts a save of args[0], writes 1 MB, then hangs until killed. */
  public static void main(String[] args) throws IOException, InterruptedException {
    AtomicFile.write(Path.of(args[0]), out -> {
      out.write(ByteBuffer.wrap(new byte[1 << 20]));
      System.out.println("writing");
      System.out.flush();
      try {
        Thread.sleep(600_000);
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
    });
  }

  @Test
  void aKilledSavesTemporaryIsRemovedByALaterSave() throws Exception {
    Path target = dir.resolve("model.safetensors");
    SafeTensors.saveTensor(Tensor.ones(3), target);
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        StaleTempTest.class.getName(), target.toString())
        .redirectErrorStream(true).start();
    try {
      assertEquals("writing", child.inputReader().readLine());
      List<Path> during = files();
      assertEquals(2, during.size(), "the target and the child's temporary: " + during);
      Path temp = during.stream().filter(p -> !p.equals(target)).findFirst().orElseThrow();
      assertTrue(temp.getFileName().toString().matches("\\.model\\.safetensors\\.[0-9a-f]+\\.tmp"),
          temp.toString());

      SafeTensors.saveTensor(Tensor.ones(4), target);
      assertTrue(Files.exists(temp), "a save while another is being written keeps its temporary");

      child.destroyForcibly();
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      assertEquals(List.of(target, temp).stream().sorted().toList(), files(),
          "a killed save leaves its temporary");

      age(temp, 9);
      SafeTensors.saveTensor(Tensor.ones(5), target);
      assertTrue(Files.exists(temp), "9 minutes old is not yet stale");

      age(temp, 11);
      SafeTensors.saveTensor(Tensor.ones(6), target);
      assertEquals(List.of(target), files());
      assertEquals(6, SafeTensors.loadTensor(target).numel());
    } finally {
      child.destroyForcibly();
    }
  }

  @Test
  void onlyTheTemporariesOfTheSameTargetAreRemoved() throws IOException {
    Path target = dir.resolve("w.safetensors");
    List<Path> others = List.of(
        dir.resolve(".other.safetensors.1f.tmp"),    // another target's temporary
        dir.resolve(".w.safetensors.notahex.tmp"),   // not a name we make
        dir.resolve("w.safetensors.1f.tmp"),         // no leading dot
        dir.resolve(".w.safetensors.1f.tmp.keep"));  // not ending in .tmp
    for (Path p : others) {
      Files.writeString(p, "x");
      age(p, 60);
    }
    Path stale = Files.writeString(dir.resolve(".w.safetensors.7fab.tmp"), "old");
    age(stale, 60);
    Path stuck = Files.createDirectory(dir.resolve(".w.safetensors.ab.tmp"));
    age(stuck, 60);

    SafeTensors.saveTensor(Tensor.ones(2), target);

    assertTrue(Files.notExists(stale));
    for (Path p : others) {
      assertTrue(Files.exists(p), p + " was removed");
    }
    assertTrue(Files.isDirectory(stuck), "only regular files are removed");
  }
}
