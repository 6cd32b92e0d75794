package dev.netspec.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The example specs packaged in the CLI's jar (under {@code netspec/specs/}), for a demo run
 * outside a checkout: copied to a temporary folder, deleted on {@link #close}.
 */
final class BundledSpecs implements AutoCloseable {
  private static final String PREFIX = "netspec/specs/";

  private final Path dir;

  private BundledSpecs(Path dir) {
    this.dir = dir;
  }

  /** The folder the specs were copied to. */
  Path dir() {
    return dir;
  }

  /** Copies the bundled specs out; null when this build has none. */
  static BundledSpecs extract() throws IOException {
    Path source;
    try {
      source = Path.of(BundledSpecs.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
    } catch (URISyntaxException | SecurityException e) {
      return null;
    }
    Path dir = Files.createTempDirectory("netspec-specs-");
    int copied = Files.isDirectory(source) ? copyTree(source.resolve(PREFIX), dir)
        : copyFromJar(source, dir);
    BundledSpecs bundled = new BundledSpecs(dir);
    if (copied == 0) {
      bundled.close();
      return null;
    }
    return bundled;
  }

  private static int copyFromJar(Path jar, Path dir) throws IOException {
    int copied = 0;
    try (JarFile file = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        if (e.isDirectory() || !e.getName().startsWith(PREFIX)) {
          continue;
        }
        Path target = dir.resolve(e.getName().substring(PREFIX.length())).normalize();
        if (!target.startsWith(dir)) {
          continue;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = file.getInputStream(e)) {
          Files.copy(in, target);
        }
        copied++;
      }
    }
    return copied;
  }

  private static int copyTree(Path from, Path dir) throws IOException {
    if (!Files.isDirectory(from)) {
      return 0;
    }
    int copied = 0;
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        Path target = dir.resolve(from.relativize(p).toString());
        Files.createDirectories(target.getParent());
        Files.copy(p, target);
        copied++;
      }
    }
    return copied;
  }

  @Override
  public void close() throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
