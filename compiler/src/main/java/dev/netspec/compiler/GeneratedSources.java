package dev.netspec.compiler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A folder of generated sources compared with, or brought up to, what the compiler produces.
 * The write, diff and atomic-write logic shared by {@code netspec compile}/{@code check} and the
 * Maven plugin's goals, so that neither depends on the other.
 */
public final class GeneratedSources {
  private GeneratedSources() {}

  /** How a file in the folder differs from what the compiler writes. */
  public enum Difference {
    /** The compiler writes it; the folder lacks it. */
    MISSING,
    /** The folder has it with other content. */
    STALE
  }

  /** One file that is not what the compiler writes, by its path relative to the folder. */
  public record Mismatch(String relativePath, Difference difference) {}

  /** What {@link #write} did: files written and files already up to date. */
  public record WriteResult(List<String> written, List<String> unchanged) {
    public WriteResult {
      written = List.copyOf(written);
      unchanged = List.copyOf(unchanged);
    }
  }

  /** Every generated file that {@code dir} lacks or holds with other content, in order. */
  public static List<Mismatch> diff(List<GeneratedFile> files, Path dir) throws IOException {
    List<Mismatch> out = new ArrayList<>();
    for (GeneratedFile f : files) {
      Path target = dir.resolve(f.relativePath());
      if (!Files.isRegularFile(target)) {
        out.add(new Mismatch(f.relativePath(), Difference.MISSING));
      } else if (!Arrays.equals(Files.readAllBytes(target), bytes(f))) {
        out.add(new Mismatch(f.relativePath(), Difference.STALE));
      }
    }
    return out;
  }

  /**
   * Writes every generated file whose content differs from what {@code dir} holds, leaving
   * up-to-date files untouched (their timestamps too). Each file is written to a temporary
   * sibling and moved into place, so a reader never sees half a file.
   */
  public static WriteResult write(List<GeneratedFile> files, Path dir) throws IOException {
    List<String> written = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (GeneratedFile f : files) {
      Path target = dir.resolve(f.relativePath());
      byte[] content = bytes(f);
      if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), content)) {
        unchanged.add(f.relativePath());
      } else {
        writeAtomically(target, content);
        written.add(f.relativePath());
      }
    }
    return new WriteResult(written, unchanged);
  }

  /** Writes {@code content} to a temporary sibling of {@code target}, then moves it in place. */
  public static void writeAtomically(Path target, byte[] content) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, "." + target.getFileName(), ".tmp");
    try {
      Files.write(tmp, content);
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static byte[] bytes(GeneratedFile f) {
    return f.content().getBytes(StandardCharsets.UTF_8);
  }
}
