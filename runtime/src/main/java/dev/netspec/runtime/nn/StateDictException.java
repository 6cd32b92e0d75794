package dev.netspec.runtime.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link Module#loadStateDict} refused a state dict. The message lists every problem at
 * once, in PyTorch's wording ({@code Error(s) in loading state_dict for Sequential: ...}).
 */
public final class StateDictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> missingKeys;
  private final List<String> unexpectedKeys;
  private final List<String> problems;

  StateDictException(String moduleName, List<String> missing, List<String> unexpected,
      List<String> mismatched, List<String> tied) {
    super(message(moduleName, missing, unexpected, mismatched, tied));
    this.missingKeys = List.copyOf(missing);
    this.unexpectedKeys = List.copyOf(unexpected);
    List<String> all = new ArrayList<>(mismatched);
    all.addAll(tied);
    this.problems = List.copyOf(all);
  }

  public List<String> missingKeys() {
    return missingKeys;
  }

  public List<String> unexpectedKeys() {
    return unexpectedKeys;
  }

  /** Shape mismatches and tied-parameter conflicts, one sentence each. */
  public List<String> problems() {
    return problems;
  }

  private static String message(String moduleName, List<String> missing,
      List<String> unexpected, List<String> mismatched, List<String> tied) {
    List<String> lines = new ArrayList<>();
    if (!missing.isEmpty()) {
      lines.add("Missing key(s) in state_dict: " + quoted(missing) + ".");
    }
    if (!unexpected.isEmpty()) {
      lines.add("Unexpected key(s) in state_dict: " + quoted(unexpected) + ".");
    }
    lines.addAll(mismatched);
    lines.addAll(tied);
    return "Error(s) in loading state_dict for " + moduleName + ":\n\t"
        + String.join("\n\t", lines);
  }

  private static String quoted(List<String> keys) {
    StringBuilder sb = new StringBuilder();
    for (String k : keys) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append('"').append(k).append('"');
    }
    return sb.toString();
  }
}
