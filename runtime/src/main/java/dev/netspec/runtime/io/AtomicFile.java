package dev.netspec.runtime.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file all at once: the content goes to a temporary file in the same directory,
 * is forced to disk, and is renamed over the target. A failure at any point (an exception
 * from the writer, a full disk, a crash) leaves the old file as it was; the temporary file
 * is deleted on every failure the JVM survives.
 *
 * <p>A writer that is killed (SIGKILL, power loss) cannot delete its temporary file. So each
 * write first removes the stale temporaries of the same target: files named exactly
 * {@code .NAME.HEX.tmp} beside it that nobody has written to for {@link #STALE} (10 minutes).
 * A live writer touches its temporary with every write, so it is never that old; one that
 * stalls longer (a stopped process) loses its temporary and its save fails without touching
 * the target. Other files, and temporaries of other targets, are never touched.
 */
final class AtomicFile {
  /** Writes the content of a file. */
  interface Content {
    void writeTo(FileChannel out) throws IOException;
  }

  /** How long a temporary file must go unmodified before another write may remove it. */
  static final Duration STALE = Duration.ofMinutes(10);

  private AtomicFile() {}

  static void write(Path target, Content content) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    removeStaleTemps(dir, absolute.getFileName().toString());
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

  /**
   * Deletes {@code .NAME.HEX.tmp} files in {@code dir} last modified more than {@link #STALE}
   * ago: what killed writes of the same target left behind. Best effort: a file that vanishes
   * or cannot be deleted is left to the next write.
   */
  private static void removeStaleTemps(Path dir, String name) {
    String prefix = "." + name + ".";
    FileTime cutoff = FileTime.from(Instant.now().minus(STALE));
    DirectoryStream.Filter<Path> ours = p -> {
      String file = p.getFileName().toString();
      return file.startsWith(prefix) && file.endsWith(".tmp")
          && file.substring(prefix.length(), file.length() - ".tmp".length())
              .matches("[0-9a-f]{1,16}");
    };
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, ours)) {
      for (Path temp : temps) {
        try {
          BasicFileAttributes attrs = Files.readAttributes(
              temp, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (attrs.isRegularFile() && attrs.lastModifiedTime().compareTo(cutoff) < 0) {
            Files.deleteIfExists(temp);
          }
        } catch (IOException gone) {
          // removed by another writer meanwhile, or not ours to delete: leave it
        }
      }
    } catch (IOException | DirectoryIteratorException unreadable) {
      // a directory we cannot list: the write itself will report what is wrong
    }
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
