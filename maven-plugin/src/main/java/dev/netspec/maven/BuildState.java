package dev.netspec.maven;

import dev.netspec.compiler.GeneratedSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What the last successful {@code generate} saw and wrote, kept under {@code target/}: a digest
 * of every spec (path and bytes), the generator's version and the settings, and the files it
 * wrote. Equal digests and all files present mean there is nothing to regenerate.
 *
 * @param digest the SHA-256 of the inputs, in hex
 * @param files the generated files, relative to the output folder
 */
record BuildState(String digest, List<String> files) {
  private static final String HEADER = "# netspec generate: input digest, then generated files";

  BuildState {
    files = List.copyOf(files);
  }

  /** The digest of the inputs of one {@code generate} run. */
  static String digest(List<Path> specs, Path specRoot, List<String> settings)
      throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    for (String s : settings) {
      update(sha, s == null ? "<none>" : s);
    }
    for (Path spec : specs) {
      update(sha, specRoot.relativize(spec).toString().replace('\\', '/'));
      byte[] bytes = Files.readAllBytes(spec);
      update(sha, Integer.toString(bytes.length));
      sha.update(bytes);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void update(MessageDigest sha, String s) {
    sha.update(s.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
  }

  /** The state saved at {@code file}, or null when there is none (or it is unreadable). */
  static BuildState read(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.size() < 2 || !HEADER.equals(lines.get(0))) {
        return null;
      }
      return new BuildState(lines.get(1), lines.subList(2, lines.size()));
    } catch (IOException e) {
      return null;
    }
  }

  /** Saves this state at {@code file}, atomically. */
  void write(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    lines.add(digest);
    lines.addAll(files);
    String text = String.join("\n", lines) + "\n";
    GeneratedSources.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether every generated file is still in {@code outputDirectory}. */
  boolean outputsPresent(Path outputDirectory) {
    return files.stream().allMatch(f -> Files.isRegularFile(outputDirectory.resolve(f)));
  }
}
