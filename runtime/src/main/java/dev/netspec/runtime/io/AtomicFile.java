package dev.netspec.runtime.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file all at once: the content goes to a temporary file in the same directory,
 * is forced to disk, and is renamed over the target. A failure at any point (an exception
 * from the writer, a full disk, a crash) leaves the old file as it was; the temporary file
 * is deleted on every failure the JVM survives.
 */
final class AtomicFile {
  /** Writes the content of a file. */
  interface Content {
    void writeTo(FileChannel out) throws IOException;
  }

  private AtomicFile() {}

  static void write(Path target, Content content) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Path temp = createTemp(dir, absolute.getFileName().toString());
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        content.writeTo(out);
        out.force(true);
      }
      move(temp, absolute);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    syncDirectory(dir);
  }

  /** A new empty file {@code .NAME.RANDOM.tmp} with the default permissions. */
  private static Path createTemp(Path dir, String name) throws IOException {
    while (true) {
      Path temp = dir.resolve("." + name + "." + Long.toHexString(
          ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".tmp");
      try {
        return Files.createFile(temp);
      } catch (FileAlreadyExistsException taken) {
        // another writer picked the same name: draw again
      }
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Makes the rename itself durable where the platform allows syncing a directory. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException unsupported) {
      // Windows cannot open a directory; the rename has happened, only its durability waits
    }
  }
}
