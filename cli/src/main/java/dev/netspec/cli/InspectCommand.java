package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code netspec inspect SPEC [--block B] [--arg NAME=VALUE]... [--package P]
 * [--input-shape 2,20] [--format text|json|repr|dot]}.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Shows a block's tree, shapes, parameters, workspace and FLOPs, or its graph.",
    description = "Shows a block as the compiler sees it, without running anything: the module tree as PyTorch prints it, every layer with its output shape and parameter count, the total parameters, their memory, the buffers of one allocation-free forward and its FLOPs; or, with --format dot, the forward as a Graphviz graph.")
final class InspectCommand implements Callable<Integer> {
  /** The output forms of {@code --format}. */
  enum Format { text, json, repr, dot }

  @Mixin
  private SpecBlock target;

  @Option(names = "--input-shape", paramLabel = "2,20", split = ",", hideParamSyntax = true,
      description = "A concrete input shape, for symbolic and lazy dims (then every --arg of"
          + " the block is needed).")
  private int[] inputShape;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default), json, repr (exactly what Module.toString() prints;"
          + " with --input-shape, after a forward at that shape) or dot (the forward as a"
          + " Graphviz graph: dot -Tsvg).")
  private Format format;

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException {
    Inspection inspection = target.inspect(streams, inputShape, inputShape != null);
    switch (format) {
      case json -> streams.out().println(InspectReport.json(inspection));
      case repr -> streams.out().println(inspection.repr());
      case dot -> streams.out().print(inspection.dot());
      case text -> streams.out().print(InspectReport.text(inspection, target.spec.toString(),
          perSample(inspection)));
      default -> throw new AssertionError(format);
    }
    return Netspec.OK;
  }

  /**
   * The block at batch 1 when only symbolic dims (no lazy ones) keep the FLOPs unknown, so
   * the report can still give the cost of one sample; null otherwise.
   */
  private Inspection perSample(Inspection inspection) {
    List<Object> dims = inspection.inputShape();
    if (inspection.flops() >= 0 || inputShape != null || dims == null || dims.isEmpty()
        || dims.contains("?")) {
      return null;
    }
    int[] ones = new int[dims.size()];
    for (int i = 0; i < ones.length; i++) {
      ones[i] = dims.get(i) instanceof Number n ? n.intValue() : 1;
    }
    try {
      return target.compilation.inspect(inspection.block(), target.argValues, ones);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
