package dev.netspec.cli;

import dev.netspec.compiler.Compiler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code netspec --version}: the CLI's version (from the build) and the compiler's. */
final class Version implements IVersionProvider {
  /** The version of this build, such as {@code 0.1.0-SNAPSHOT}. */
  static String cli() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "netspec " + cli() + " (compiler " + Compiler.VERSION + ", Java "
          + Runtime.version() + ")"
    };
  }
}
