package dev.netspec.cli;

import dev.netspec.compiler.Compilation;
import dev.netspec.compiler.Inspection;
import dev.netspec.compiler.SpecSource;
import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code netspec demo}: the whole pipeline with nothing to set up. Compiles the bundled specs,
 * then for each model builds it from a seed, runs it on a random input and prints what the
 * PyTorch tutorial prints: the module tree, the output, the parameters; finally saves the
 * weights to safetensors, loads them into a fresh instance and checks it computes the same.
 * The tutorial's parameter-access and my_init programs go on for their models ({@link
 * TutorialPrograms}); decoders generate tokens ({@link DemoDecoding}).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Runs every example model, as the PyTorch tutorial does.",
    description = "Compiles the bundled example specs and runs every model on a random input, printing the outputs, module trees and parameters as the PyTorch tutorial does, and checks that weights saved to safetensors load back into a fresh model.")
final class DemoCommand implements Callable<Integer> {
  /** Batch size of the random inputs, as in the tutorial's {@code torch.rand(2, 20)}. */
  private static final int BATCH = 2;
  /** Size chosen for a lazy input dim ({@code "?"}), as the tutorial's {@code X} has. */
  private static final int LAZY_SIZE = 20;
  /** Size chosen for another symbolic dim ({@code height}, {@code length}): a small image or sequence. */
  private static final int SPATIAL_SIZE = 32;

  @Option(names = "--specs", paramLabel = "DIR",
      description = "The folder of specs (default: specs/ of the netspec checkout).")
  private Path specsDir;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of the weights and random inputs (default 0).")
  private long seed;

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException, IOException {
    if (specsDir != null) {
      return demo(specsDir, specsDir.toString());
    }
    Path checkout = checkoutSpecs();
    if (checkout != null) {
      return demo(checkout, checkout.toString());
    }
    try (BundledSpecs bundled = BundledSpecs.extract()) {
      if (bundled == null) {
        String home = System.getProperty("netspec.home");
        String where = home == null ? "netspec: error: " : Path.of(home, "specs") + ": error: ";
        throw new UserException(where + "no specs folder here, and this build bundles none; "
            + "pass --specs DIR");
      }
      return demo(bundled.dir(), "the specs bundled with netspec");
    }
  }

  private int demo(Path dir, String where) throws UserException {
    List<SpecSource> sources = SpecFiles.read(List.of(dir));
    PrintWriter out = streams.out();
    out.println("netspec demo: " + sources.size() + " specs from " + where + ", seed " + seed);
    Compilation compilation = SpecCompiler.compile(sources, null, streams);
    out.println("compiled to " + compilation.files().size() + " Java classes");
    List<String> skipped = new ArrayList<>();
    Models models = Models.compileWhatCompiles(compilation, exampleSources(), streams,
        skipped::add);
    for (String file : skipped) {
      out.println("skipped " + file + ": it needs classes outside netspec (such as a java: "
          + "initializer), which the demo does not have");
    }
    int shown = 0;
    for (SpecSource source : sources) {
      for (String block : blocksToShow(compilation, source.path())) {
        if (!models.has(block)) {
          continue;
        }
        show(compilation, models, shortName(dir, source.path()), block);
        shown++;
      }
    }
    int decoders = 0;
    for (SpecSource source : sources) {
      for (String block : Blocks.names(compilation, source.path())) {
        if (models.has(block) && DemoDecoding.show(compilation, models,
            shortName(dir, source.path()).toString(), block, seed, out)) {
          decoders++;
        }
      }
    }
    out.println();
    out.println("ran " + shown + " models; every clone loaded from safetensors matched."
        + (decoders == 0 ? "" : " " + decoders + (decoders == 1 ? " decoder" : " decoders")
            + " generated the same tokens with and without a cache."));
    return Netspec.OK;
  }

  /** {@code spec} relative to the specs folder, as the demo's titles show it. */
  private static Path shortName(Path dir, Path spec) {
    Path base = dir.toAbsolutePath().normalize();
    Path abs = spec.toAbsolutePath().normalize();
    return abs.startsWith(base) ? base.relativize(abs) : spec;
  }

  /**
   * The hand-written Java of the examples (such as the tutorial's custom initializer) in the
   * checkout bin/netspec runs from, if any.
   */
  private static List<Path> exampleSources() {
    String home = System.getProperty("netspec.home");
    Path dir = home == null ? null : Path.of(home, "generated-examples", "src", "main", "java");
    return dir != null && Files.isDirectory(dir) ? List.of(dir) : List.of();
  }

  /** specs/ of the checkout bin/netspec runs from (property {@code netspec.home}), if any. */
  private static Path checkoutSpecs() {
    String home = System.getProperty("netspec.home");
    Path dir = home == null ? null : Path.of(home, "specs");
    return dir != null && Files.isDirectory(dir) ? dir : null;
  }

  /**
   * The spec's top-level block, or, when it has several, every block with a declared input;
   * blocks of token ids, several inputs or a tuple result are left to {@code run}, which reads
   * their inputs by name (a random float input would not fit them).
   */
  private static List<String> blocksToShow(Compilation compilation, Path spec) {
    String main = compilation.defaultBlock(spec);
    if (main != null) {
      return oneFloatInOut(compilation.inspect(main, null)) ? List.of(main) : List.of();
    }
    List<String> out = new ArrayList<>();
    for (String block : Blocks.names(compilation, spec)) {
      try {
        Inspection in = compilation.inspect(block, null);
        // a block with arguments is shown inside its users (the demo has no values for them)
        if (in.inputShape() != null && oneFloatInOut(in) && compilation.args(block).isEmpty()) {
          out.add(block);
        }
      } catch (IllegalArgumentException e) {
        // a block with arguments, or shapes only its users fix: shown inside its users
      }
    }
    return out;
  }

  /** Whether the block takes one float32 input {@code x} and returns one tensor. */
  private static boolean oneFloatInOut(Inspection in) {
    return in.inputs().size() == 1 && in.inputs().get(0).name().equals("x")
        && in.inputs().get(0).dtype().equals("float32") && in.outputs().size() <= 1;
  }

  private void show(Compilation compilation, Models models, Path spec, String block)
      throws UserException {
    PrintWriter out = streams.out();
    DemoSteps steps = new DemoSteps(out);
    Inspection inspection = compilation.inspect(block, null);
    int[] shape = concrete(inspection.inputShape());
    out.println();
    String title = "== " + spec + ": " + block + " ";
    out.println(title + "=".repeat(Math.max(3, 78 - title.length())));
    Module net = models.create(block, seed).eval(); // dropout off: outputs are repeatable
    Tensor x = Tensor.rand(new Generator(seed), shape);
    Tensor y = net.forward(x);
    steps.step("net = new " + block + "(" + seed + ").eval()",
        "weights from the spec's initializers");
    steps.step("X = rand(" + join(shape) + ")", "torch.rand(" + join(shape) + ")");
    steps.step("net.forward(X)", "net(X)");
    out.println(y);
    steps.step("net", "print(net)");
    out.println(net);
    steps.step("net.namedParameters()", "net.named_parameters(), names and shapes");
    List<String> params = TutorialPrograms.namesAndShapes(net.namedParameters());
    out.println(params.isEmpty() ? "(none)" : wrap(params));
    out.println("parameters: " + InspectReport.count(inspection.parameters())
        + " scalars, state dict: " + net.stateDict().size() + " tensors");
    steps.step("net.stateDict() -> safetensors -> new " + block + "(" + (seed + 1) + ")",
        "torch.save / load_state_dict");
    out.println("same output: " + roundTrip(models, block, net, x, y));
    TutorialPrograms.replay(block, net, steps);
  }

  /** Items separated by spaces, in lines of at most 100 characters. */
  private static String wrap(List<String> items) {
    StringBuilder sb = new StringBuilder();
    int lineStart = 0;
    for (String item : items) {
      if (sb.length() > lineStart && sb.length() - lineStart + 1 + item.length() > 100) {
        sb.append(System.lineSeparator());
        lineStart = sb.length();
      } else if (sb.length() > lineStart) {
        sb.append(' ');
      }
      sb.append(item);
    }
    return sb.toString();
  }

  /** The tutorial's file I/O: save the state dict, load it into a clone, compare outputs. */
  private boolean roundTrip(Models models, String block, Module net, Tensor x, Tensor y)
      throws UserException {
    Path file = null;
    try {
      file = Files.createTempFile("netspec-demo-", ".safetensors");
      SafeTensors.save(net.stateDict(), file);
      Module clone = models.create(block, seed + 1).eval();
      clone.forward(x); // a lazy clone learns its input size first, as in PyTorch
      clone.loadStateDict(SafeTensors.load(file).tensors(), true);
      boolean same = clone.forward(x).contentEquals(y);
      if (!same) {
        throw new IllegalStateException(block + ": the clone loaded from safetensors differs");
      }
      return true;
    } catch (IOException e) {
      throw new UserException("netspec: error: cannot use a temporary file: "
          + SpecFiles.describe(e));
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a leftover temporary file is harmless
        }
      }
    }
  }

  /** The declared input shape with every symbolic or lazy dim made concrete. */
  private static int[] concrete(List<Object> declared) {
    int[] shape = new int[declared.size()];
    for (int i = 0; i < shape.length; i++) {
      Object d = declared.get(i);
      shape[i] = d instanceof Number n ? n.intValue() : "?".equals(d) ? LAZY_SIZE : i == 0 ? BATCH : SPATIAL_SIZE;
    }
    return shape;
  }

  private static String join(int[] shape) {
    String s = Arrays.toString(shape);
    return s.substring(1, s.length() - 1);
  }
}
