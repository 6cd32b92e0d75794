package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code netspec inspect SPEC [--block B] [--input-shape 2,20] [--format text|json|repr]}. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Shows a block as the compiler sees it, without running anything: the module tree",
      "as PyTorch prints it, every layer with its output shape and parameter count, the",
      "total parameters, their memory and the FLOPs of one forward."
    })
final class InspectCommand implements Callable<Integer> {
  /** The output forms of {@code --format}. */
  enum Format { text, json, repr }

  @Mixin
  private SpecBlock target;

  @Option(names = "--input-shape", paramLabel = "2,20", split = ",", hideParamSyntax = true,
      description = "A concrete input shape, for symbolic and lazy dims.")
  private int[] inputShape;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default), json or repr (exactly what Module.toString() prints).")
  private Format format;

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException {
    Inspection inspection = target.inspect(streams, inputShape);
    switch (format) {
      case json -> streams.out().println(InspectReport.json(inspection));
      case repr -> streams.out().println(inspection.repr());
      case text -> streams.out().print(InspectReport.text(inspection, target.spec.toString()));
      default -> throw new AssertionError(format);
    }
    return Netspec.OK;
  }
}
