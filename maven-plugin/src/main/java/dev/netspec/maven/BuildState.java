package dev.netspec.maven;

import dev.netspec.compiler.GeneratedFile;
import dev.netspec.compiler.GeneratedSources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the last successful {@code generate} saw and wrote, kept under {@code target/}: a digest
 * of every spec (path and bytes), the generator's version and the settings, and the SHA-256 of
 * every file it wrote. Equal digests and every file still as written mean there is nothing to
 * regenerate; a generated file deleted or edited by hand is regenerated.
 *
 * @param digest the SHA-256 of the inputs, in hex
 * @param files the SHA-256 (hex) of each generated file, by its path relative to the output
 *     folder, in the order written
 */
record BuildState(String digest, Map<String, String> files) {
  private static final String HEADER =
      "# netspec generate 2: input digest, then the SHA-256 and path of each generated file";

  BuildState {
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
  }

  /** The state after writing {@code generated}, made from inputs with {@code digest}. */
  static BuildState of(String digest, List<GeneratedFile> generated) {
    Map<String, String> files = new LinkedHashMap<>();
    for (GeneratedFile f : generated) {
      files.put(f.relativePath(), sha256(f.content().getBytes(StandardCharsets.UTF_8)));
    }
    return new BuildState(digest, files);
  }

  /** The digest of the inputs of one {@code generate} run. */
  static String digest(List<Path> specs, Path specRoot, List<String> settings)
      throws IOException {
    MessageDigest sha = sha256();
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

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
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
      Map<String, String> files = new LinkedHashMap<>();
      for (String line : lines.subList(2, lines.size())) {
        int space = line.indexOf(' ');
        if (space < 0) {
          return null;
        }
        files.put(line.substring(space + 1), line.substring(0, space));
      }
      return new BuildState(lines.get(1), files);
    } catch (IOException e) {
      return null;
    }
  }

  /** Saves this state at {@code file}, atomically. */
  void write(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    lines.add(digest);
    files.forEach((path, sha) -> lines.add(sha + " " + path));
    String text = String.join("\n", lines) + "\n";
    GeneratedSources.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether every generated file is still in {@code outputDirectory}, byte for byte. */
  boolean outputsIntact(Path outputDirectory) throws IOException {
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path file = outputDirectory.resolve(e.getKey());
      if (!Files.isRegularFile(file) || !e.getValue().equals(sha256(Files.readAllBytes(file)))) {
        return false;
      }
    }
    return true;
  }
}
