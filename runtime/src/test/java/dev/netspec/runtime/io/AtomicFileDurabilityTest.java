package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicFile}'s durability calls, seen through the JDK's own flight recorder: every
 * {@code FileChannel.force} is a {@code jdk.FileForce} event naming the file the channel was
 * opened on and whether metadata was forced. A write must force its temporary file (content
 * and metadata) and then, after the rename, the directory that holds the new name; nothing
 * else in the directory is forced.
 *
 * <p>What this cannot see: the rename itself (the JDK records no event for a move), so the
 * order "force, then rename" is checked only as far as the directory's force, which comes
 * after the rename in the code, follows the temporary's. A missing force is what a test can
 * catch without pulling the power.
 */
class AtomicFileDurabilityTest {
  @Test
  void theTemporaryIsForcedThenTheDirectory(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("model.safetensors");
    Files.writeString(target, "old");
    Path dump = Files.createTempFile("atomic-file", ".jfr");
    List<RecordedEvent> forces = new ArrayList<>();
    try (Recording recording = new Recording()) {
      recording.enable("jdk.FileForce").withoutThreshold();
      recording.start();
      AtomicFile.write(target, out -> out.write(ByteBuffer.wrap(
          "new".getBytes(StandardCharsets.US_ASCII))));
      recording.stop();
      recording.dump(dump);
      for (RecordedEvent e : RecordingFile.readAllEvents(dump)) {
        String path = e.getString("path");
        if (path != null && Path.of(path).toAbsolutePath().startsWith(dir.toAbsolutePath())) {
          forces.add(e);
        }
      }
    } finally {
      Files.deleteIfExists(dump);
    }
    assertEquals("new", Files.readString(target));
    forces.sort(Comparator.comparing(RecordedEvent::getStartTime));
    assertEquals(2, forces.size(), "forced: " + forces);
    Path first = Path.of(forces.get(0).getString("path"));
    assertEquals(dir.toAbsolutePath(), first.getParent().toAbsolutePath());
    assertTrue(first.getFileName().toString().matches("\\.model\\.safetensors\\.[0-9a-f]{1,16}\\.tmp"),
        "the temporary first: " + first);
    assertTrue(forces.get(0).getBoolean("metaData"), "force(true): the metadata too");
    assertEquals(dir.toAbsolutePath(), Path.of(forces.get(1).getString("path")).toAbsolutePath(),
        "then the directory, for the rename");
    assertTrue(forces.get(1).getBoolean("metaData"));
    try (var left = Files.list(dir)) {
      assertEquals(List.of(target), left.toList(), "no temporary left");
    }
  }
}
