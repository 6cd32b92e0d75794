package dev.netspec.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed write leaves the old file intact and no temporary file behind. */
class AtomicWriteTest {
  @TempDir Path dir;

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void writerThatFailsMidwayLeavesTheOldFile() throws IOException {
    Path target = dir.resolve("model.safetensors");
    SafeTensors.saveTensor(Tensor.ones(3), target);
    byte[] old = Files.readAllBytes(target);
    IOException e = assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
      out.write(ByteBuffer.wrap(new byte[1000]));
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage());
    assertArrayEquals(old, Files.readAllBytes(target));
    assertEquals(List.of(target), files());
  }

  @Test
  void uncheckedFailureMidwayAlsoCleansUp() throws IOException {
    Path target = dir.resolve("model.safetensors");
    assertThrows(IllegalStateException.class, () -> AtomicFile.write(target, out -> {
      out.write(ByteBuffer.wrap(new byte[10]));
      throw new IllegalStateException("serializer bug");
    }));
    assertEquals(List.of(), files(), "no target created, no temporary left");
  }

  @Test
  void saveReplacesTheFileWhole() throws IOException {
    Path target = dir.resolve("w.safetensors");
    SafeTensors.save(Map.of("a", Tensor.ones(1000)), target);
    SafeTensors.save(Map.of("b", Tensor.zeros(2)), target);
    assertEquals(Map.of("b", 2L), Map.of("b", SafeTensors.load(target).tensor("b").numel()));
    assertEquals(List.of(target), files());
  }

  @Test
  void badArgumentsAreRefusedBeforeTouchingTheDisk() throws IOException {
    Path target = dir.resolve("w.safetensors");
    SafeTensors.saveTensor(Tensor.ones(2), target);
    byte[] old = Files.readAllBytes(target);
    IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.save(Map.of("__metadata__", Tensor.ones(1)), target));
    assertEquals("'__metadata__' is reserved and cannot name a tensor", reserved.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.save(Map.of("bad\ud800", Tensor.ones(1)), target));
    assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.save(Map.of(), Map.of("k", "\udc00"), target));
    assertArrayEquals(old, Files.readAllBytes(target));
    assertEquals(List.of(target), files());
  }

  @Test
  void unwritableTargetsGiveOneMessage() throws IOException {
    Path missingDir = dir.resolve("no/such/dir/w.safetensors");
    SafeTensorsException e = assertThrows(SafeTensorsException.class,
        () -> SafeTensors.saveTensor(Tensor.ones(1), missingDir));
    assertEquals(missingDir + ": cannot write: no such file or directory", e.getMessage());

    Path isDir = Files.createDirectory(dir.resolve("taken"));
    Files.writeString(isDir.resolve("keep"), "x");
    SafeTensorsException d = assertThrows(SafeTensorsException.class,
        () -> SafeTensors.saveTensor(Tensor.ones(1), isDir));
    assertTrue(d.getMessage().startsWith(isDir + ": cannot write: "), d.getMessage());
    assertTrue(Files.isDirectory(isDir) && Files.exists(isDir.resolve("keep")));
    assertEquals(List.of(isDir), files(), "the temporary file is gone");
    assertFalse(Files.exists(missingDir));
  }

  /** The one temporary file beside the target while a write is under way. */
  private Path temporary(String targetName) throws IOException {
    List<Path> temps = files().stream()
        .filter(p -> p.getFileName().toString().startsWith("." + targetName + ".")).toList();
    assertEquals(1, temps.size(), "one temporary during the write: " + temps);
    return temps.get(0);
  }

  @Test
  void everyWriteDrawsItsOwnTemporaryName() throws IOException {
    Path target = dir.resolve("w.safetensors");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      AtomicFile.write(target, out -> {
        String name = temporary("w.safetensors").getFileName().toString();
        assertTrue(name.matches("\\.w\\.safetensors\\.[0-9a-f]{1,16}\\.tmp"), name);
        names.add(name);
        out.write(ByteBuffer.wrap(new byte[] {1}));
      });
    }
    // 63 random bits per name: 20 draws collide with probability ~2e-17. Two writers of one
    // target (two processes) must not meet on one temporary.
    assertEquals(20, names.size(), names.toString());
    assertEquals(List.of(target), files());
  }

  @Test
  void aFailedCleanupIsReportedBesideTheWritersError() throws IOException {
    Path target = dir.resolve("w.safetensors");
    SafeTensors.saveTensor(Tensor.ones(2), target);
    byte[] old = Files.readAllBytes(target);
    Path[] temp = new Path[1];
    IOException e = assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
      // The temporary turns into a non-empty directory, which deleteIfExists cannot remove.
      temp[0] = temporary("w.safetensors");
      Files.delete(temp[0]);
      Files.createDirectory(temp[0]);
      Files.writeString(temp[0].resolve("x"), "x");
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage(), "the writer's error is the one thrown");
    assertEquals(1, e.getSuppressed().length);
    assertTrue(e.getSuppressed()[0] instanceof DirectoryNotEmptyException,
        e.getSuppressed()[0].toString());
    assertArrayEquals(old, Files.readAllBytes(target));
    Files.delete(temp[0].resolve("x"));
    Files.delete(temp[0]);
  }
}
