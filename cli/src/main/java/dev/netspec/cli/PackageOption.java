package dev.netspec.cli;

import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --package P}: the Java package of every generated class, overriding the specs'. */
@Command
final class PackageOption {
  private static final Pattern JAVA_PACKAGE =
      Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
          + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  private String packageName;

  @Option(names = "--package", paramLabel = "P",
      description = "Java package for every generated class (overrides the specs' 'package:').")
  void setPackageName(String name) {
    if (!JAVA_PACKAGE.matcher(name).matches()) {
      throw new ParameterException(spec.commandLine(),
          "--package: '" + name + "' is not a Java package name");
    }
    this.packageName = name;
  }

  /** The package, or null when the specs' own packages apply. */
  String packageName() {
    return packageName;
  }
}
