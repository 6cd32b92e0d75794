package dev.netspec.runtime.nn;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Module#loadStateDict} refused a state dict. The message lists every problem at
 * once, in PyTorch's wording:
 *
 * <pre>
 * Error(s) in loading state_dict for Sequential:
 * 	Missing key(s) in state_dict: "2.bias". 
 * 	Unexpected key(s) in state_dict: "3.weight". 
 * 	size mismatch for 0.weight: copying a param with shape torch.Size([256, 21]) from ...
 * </pre>
 */
public final class StateDictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  // arrays, not lists: an exception is Serializable
  private final String[] missingKeys;
  private final String[] unexpectedKeys;
  private final String[] problems;
  private final SizeMismatch[] sizeMismatches;
  private final String[] otherProblems;

  /**
   * A tensor of the state dict whose shape is not its parameter's or buffer's (one of the
   * {@link #problems}, as data).
   *
   * @param key the state-dict key
   * @param found the shape in the state dict
   * @param expected the shape in the module
   */
  public record SizeMismatch(String key, List<Integer> found, List<Integer> expected)
      implements Serializable {
    SizeMismatch(String key, int[] found, int[] expected) {
      this(key, ints(found), ints(expected));
    }

    private static List<Integer> ints(int[] shape) {
      List<Integer> out = new ArrayList<>();
      for (int d : shape) {
        out.add(d);
      }
      return List.copyOf(out);
    }
  }

  StateDictException(String moduleName, List<String> missing, List<String> unexpected,
      List<String> problems, List<SizeMismatch> sizeMismatches, List<String> otherProblems) {
    super(message(moduleName, missing, unexpected, problems));
    this.missingKeys = missing.toArray(new String[0]);
    this.unexpectedKeys = unexpected.toArray(new String[0]);
    this.problems = problems.toArray(new String[0]);
    this.sizeMismatches = sizeMismatches.toArray(new SizeMismatch[0]);
    this.otherProblems = otherProblems.toArray(new String[0]);
  }

  /** The keys the module has and the state dict lacks (empty unless strict). */
  public List<String> missingKeys() {
    return List.of(missingKeys);
  }

  /** The keys the state dict has and the module lacks (empty unless strict). */
  public List<String> unexpectedKeys() {
    return List.of(unexpectedKeys);
  }

  /** Shape mismatches and tied-parameter conflicts, one sentence each. */
  public List<String> problems() {
    return List.of(problems);
  }

  /** The plain shape mismatches among the {@link #problems}, in the same order. */
  public List<SizeMismatch> sizeMismatches() {
    return List.of(sizeMismatches);
  }

  /**
   * The {@link #problems} that are not plain shape mismatches (a dtype, a null value, a lazy
   * parameter's shape, tied parameters with different values), in the same order.
   */
  public List<String> otherProblems() {
    return List.of(otherProblems);
  }

  private static String message(String moduleName, List<String> missing,
      List<String> unexpected, List<String> problems) {
    List<String> lines = new ArrayList<>();
    if (!missing.isEmpty()) {
      lines.add("Missing key(s) in state_dict: " + quoted(missing) + ". ");
    }
    if (!unexpected.isEmpty()) {
      lines.add("Unexpected key(s) in state_dict: " + quoted(unexpected) + ". ");
    }
    lines.addAll(problems);
    return "Error(s) in loading state_dict for " + moduleName + ":\n\t"
        + String.join("\n\t", lines);
  }

  private static String quoted(List<String> keys) {
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      out.add('"' + k + '"');
    }
    return String.join(", ", out);
  }
}
