package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.StateDictException;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.ParameterException;

/**
 * Building the chosen block of a {@link SpecBlock} for the commands that run one ({@code run},
 * {@code generate}): a heap check, javac in memory, the constructor with the {@code --arg}
 * values, the weights loaded strictly. Each step's failure is worded for the user.
 */
final class ModelBuilder {
  private ModelBuilder() {}

  /**
   * A new instance of {@code block} from {@code seed}, after {@link SpecBlock#inspect}.
   *
   * @param sourcePath folders of the sources of the spec's {@code java:} initializers
   */
  static Module create(SpecBlock target, String block, List<Path> sourcePath, Streams streams,
      long seed) throws UserException {
    Models models = compile(target, sourcePath, streams);
    try {
      return models.create(block, List.copyOf(target.argValues.values()), seed);
    } catch (IllegalArgumentException e) {
      if (target.argValues.isEmpty()) {
        throw e;
      }
      // the constructor checks what the compiler cannot: the values of --arg
      throw new ParameterException(target.commandLine(), "--arg: " + block + " "
          + target.argValues + ": " + e.getMessage());
    }
  }

  /**
   * Loads {@code state}, read from {@code file}, into {@code model}, an instance of {@code
   * block}, strictly: every key, no other, same shapes.
   */
  static void load(Module model, String block, Map<String, Tensor> state, Path file)
      throws UserException {
    try {
      model.loadStateDict(state, true);
    } catch (StateDictException e) {
      throw UserException.at(file, "the weights do not fit " + mismatch(e, block));
    }
  }

  /**
   * {@code Mlp: 2 missing keys (2.weight, 2.bias), 1 unexpected key (3.weight), 0.weight is [256,
   * 21] in the file, [256, 20] in Mlp}: a state dict {@code block} refused, in one line (the
   * exception's text is PyTorch's, one line per problem, each key quoted).
   */
  static String mismatch(StateDictException e, String block) {
    List<String> parts = new ArrayList<>();
    if (!e.missingKeys().isEmpty()) {
      parts.add(count(e.missingKeys().size(), "missing key") + " (" + first(e.missingKeys()) + ")");
    }
    if (!e.unexpectedKeys().isEmpty()) {
      parts.add(count(e.unexpectedKeys().size(), "unexpected key") + " ("
          + first(e.unexpectedKeys()) + ")");
    }
    List<StateDictException.SizeMismatch> sizes = e.sizeMismatches();
    for (int i = 0; i < Math.min(sizes.size(), 2); i++) {
      StateDictException.SizeMismatch m = sizes.get(i);
      parts.add(m.key() + " is " + m.found() + " in the file, " + m.expected() + " in " + block);
    }
    if (sizes.size() > 2) {
      int more = sizes.size() - 2;
      parts.add(more + " more shape mismatch" + (more == 1 ? "" : "es"));
    }
    List<String> others = e.otherProblems();
    if (!others.isEmpty()) {
      parts.add(others.get(0)
          + (others.size() > 1 ? " (and " + (others.size() - 1) + " more)" : ""));
    }
    String prefix = extraPrefix(e.missingKeys(), e.unexpectedKeys());
    String renamed = prefix == null ? renamedChildren(e.missingKeys(), e.unexpectedKeys(), block) : null;
    return block + ": " + String.join(", ", parts) + (prefix != null
        ? "; the file's keys have an extra prefix '" + prefix + "' (saved from a wrapper"
            + " module?): save the inner module's state dict, or strip the prefix"
        : renamed != null ? renamed : transposed(sizes) ? "; the file's matrices are transposed ([in, out], as"
            + " Keras and TensorFlow save a kernel): PyTorch's and netspec's linear weight is [out_features,"
            + " in_features], save each one's transpose (w.T)" : "");
  }

  /** Whether every size mismatch is a matrix saved transposed ({@code [20, 256]} for {@code [256, 20]}). */
  private static boolean transposed(List<StateDictException.SizeMismatch> sizes) {
    for (StateDictException.SizeMismatch m : sizes) {
      if (m.found().size() != 2 || m.expected().size() != 2 || !m.found().get(0).equals(m.expected().get(1))
          || !m.found().get(1).equals(m.expected().get(0))) {
        return false;
      }
    }
    return !sizes.isEmpty();
  }

  /**
   * When the file and the model have the same keys but for their first part ({@code fc1.weight}
   * and {@code 0.weight}: a PyTorch module with named children, a spec with a
   * {@code sequential}), a hint to name the spec's children as the file does; else null.
   */
  private static String renamedChildren(List<String> missing, List<String> unexpected, String block) {
    if (missing.isEmpty() || missing.size() != unexpected.size()) {
      return null;
    }
    Set<String> ours = new LinkedHashSet<>();
    Set<String> theirs = new TreeSet<>();
    List<String> ourRests = new ArrayList<>();
    List<String> theirRests = new ArrayList<>();
    for (String k : missing) {
      int dot = k.indexOf('.');
      ours.add(dot < 0 ? k : k.substring(0, dot));
      ourRests.add(dot < 0 ? "" : k.substring(dot));
    }
    for (String k : unexpected) {
      int dot = k.indexOf('.');
      theirs.add(dot < 0 ? k : k.substring(0, dot));
      theirRests.add(dot < 0 ? "" : k.substring(dot));
    }
    Collections.sort(ourRests);
    Collections.sort(theirRests);
    if (!ourRests.equals(theirRests) || ours.size() != theirs.size() || ours.stream().anyMatch(theirs::contains)) {
      return null;
    }
    return "; the keys differ in their first part, the child's name (the file's " + String.join(", ", theirs)
        + ", " + block + "'s " + String.join(", ", ours) + "): name the spec's children as the module that"
        + " saved the file did (a 'sequential' names them 0, 1, 2, ...; 'layers:' by name)";
  }

  /** The prefix every missing key has among the unexpected ones ({@code module.}), or null. */
  private static String extraPrefix(List<String> missing, List<String> unexpected) {
    if (missing.isEmpty() || unexpected.isEmpty()) {
      return null;
    }
    String m = missing.get(0);
    String prefix = unexpected.stream().filter(u -> u.endsWith("." + m)).findFirst()
        .map(u -> u.substring(0, u.length() - m.length())).orElse(null);
    return prefix != null && missing.stream().allMatch(k -> unexpected.contains(prefix + k))
        ? prefix : null;
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  /** Up to three keys, then how many more. */
  private static String first(List<String> keys) {
    String shown = String.join(", ", keys.subList(0, Math.min(3, keys.size())));
    return keys.size() > 3 ? shown + " and " + (keys.size() - 3) + " more" : shown;
  }

  /**
   * Refuses, before allocating anything, a model whose parameters alone do not fit the JVM's maximum heap (the parameters of a 40,000 x 40,000 linear take 6.4 GB):
   * one error naming the need and how to raise the heap, instead of an OutOfMemoryError.
   */
  static void checkHeap(Path spec, Inspection atInput, long maxHeap) throws UserException {
    long need = atInput.parameterBytes();
    if (need < 0 || need < maxHeap) {
      return;
    }
    long gib = 1L << 30;
    long suggest = (need + need / 4 + gib - 1) / gib;
    throw UserException.at(spec, atInput.block() + "'s parameters need "
        + InspectReport.bytes(need) + ", more than the JVM's maximum heap of "
        + InspectReport.bytes(maxHeap) + "; raise the heap: java -Xmx" + suggest
        + "g, or NETSPEC_JAVA_OPTS=-Xmx" + suggest + "g for bin/netspec");
  }

  /** The generated classes, compiled; javac failing on a user's initializer is their error. */
  private static Models compile(SpecBlock target, List<Path> sourcePath, Streams streams)
      throws UserException {
    try {
      return Models.compile(target.compilation, sourcePath, streams);
    } catch (MemoryCompiler.Rejected e) {
      if (!target.usesJavaInitializers()) {
        throw e;
      }
      throw new UserException(target.spec + ": error: the generated code does not compile: "
          + "give the classes of its java: initializers with --sourcepath DIR"
          + System.lineSeparator() + e.getMessage());
    }
  }
}
