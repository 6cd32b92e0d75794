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
 * of the settings (generator version, package, output folder), and for each spec a digest of
 * its bytes and of the bytes of every file it imports, those files, and the SHA-256 of every
 * file generated for it. A spec whose digest is unchanged and whose files are all still as
 * written has nothing to regenerate; a change in an imported file changes its importers'
 * digests, so they are regenerated with it.
 *
 * @param settings the SHA-256 of the settings, in hex
 * @param specs each spec's entry, by its path relative to the spec folder
 */
record BuildState(String settings, Map<String, Spec> specs) {
  private static final String HEADER = "# netspec generate 3: settings digest, then per spec:"
      + " 'spec DIGEST NAME', its imports 'import PATH', its files 'file SHA-256 PATH'";

  /**
   * One spec's entry.
   *
   * @param digest the SHA-256 of the spec's name and bytes and of its imports' paths and bytes
   * @param imports the files it imports, directly or not: relative to the spec folder, or
   *     absolute when outside it
   * @param files the SHA-256 (hex) of each file generated for it, by its path relative to the
   *     output folder
   */
  record Spec(String digest, List<String> imports, Map<String, String> files) {
    Spec {
      imports = List.copyOf(imports);
      files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    /** Whether every file generated for the spec is still in {@code out}, byte for byte. */
    boolean outputsIntact(Path out) throws IOException {
      for (Map.Entry<String, String> e : files.entrySet()) {
        Path file = out.resolve(e.getKey());
        if (!Files.isRegularFile(file) || !e.getValue().equals(sha256(Files.readAllBytes(file)))) {
          return false;
        }
      }
      return true;
    }
  }

  BuildState {
    specs = Collections.unmodifiableMap(new LinkedHashMap<>(specs));
  }

  /** The digest of the settings of one {@code generate} run. */
  static String settingsDigest(List<String> settings) {
    MessageDigest sha = sha256();
    for (String s : settings) {
      update(sha, s == null ? "<none>" : s);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * The digest of spec {@code name} and the files it imports ({@code imports}, as {@link
   * Spec#imports} spells them, resolved against {@code specRoot}); a missing import counts as
   * a change.
   */
  static String specDigest(Path specRoot, String name, List<String> imports) throws IOException {
    MessageDigest sha = sha256();
    List<String> files = new ArrayList<>(List.of(name));
    files.addAll(imports);
    for (String f : files) {
      update(sha, f);
      Path file = specRoot.resolve(f);
      if (!Files.isRegularFile(file)) {
        update(sha, "<missing>");
        continue;
      }
      byte[] bytes = Files.readAllBytes(file);
      update(sha, Integer.toString(bytes.length));
      sha.update(bytes);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** {@code file} as {@link Spec#imports} spells it: relative to {@code specRoot} when inside. */
  static String spell(Path specRoot, Path file) {
    Path root = specRoot.toAbsolutePath().normalize();
    Path f = file.toAbsolutePath().normalize();
    return (f.startsWith(root) ? root.relativize(f) : f).toString().replace('\\', '/');
  }

  /** The SHA-256 of each file's content, by its relative path, in order. */
  static Map<String, String> hashes(List<GeneratedFile> generated) {
    Map<String, String> files = new LinkedHashMap<>();
    for (GeneratedFile f : generated) {
      files.put(f.relativePath(), sha256(f.content().getBytes(StandardCharsets.UTF_8)));
    }
    return files;
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
      Map<String, Spec> specs = new LinkedHashMap<>();
      String name = null;
      String digest = null;
      List<String> imports = new ArrayList<>();
      Map<String, String> files = new LinkedHashMap<>();
      for (String line : lines.subList(2, lines.size())) {
        String[] parts = line.split(" ", line.startsWith("import ") ? 2 : 3);
        if (parts[0].equals("spec") && parts.length == 3) {
          if (name != null) {
            specs.put(name, new Spec(digest, imports, files));
          }
          digest = parts[1];
          name = parts[2];
          imports = new ArrayList<>();
          files = new LinkedHashMap<>();
        } else if (name != null && parts[0].equals("import") && parts.length == 2) {
          imports.add(parts[1]);
        } else if (name != null && parts[0].equals("file") && parts.length == 3) {
          files.put(parts[2], parts[1]);
        } else {
          return null;
        }
      }
      if (name != null) {
        specs.put(name, new Spec(digest, imports, files));
      }
      return new BuildState(lines.get(1), specs);
    } catch (IOException e) {
      return null;
    }
  }

  /** Saves this state at {@code file}, atomically. */
  void write(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    lines.add(settings);
    specs.forEach((name, spec) -> {
      lines.add("spec " + spec.digest() + " " + name);
      spec.imports().forEach(i -> lines.add("import " + i));
      spec.files().forEach((path, sha) -> lines.add("file " + sha + " " + path));
    });
    String text = String.join("\n", lines) + "\n";
    GeneratedSources.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
  }
}
