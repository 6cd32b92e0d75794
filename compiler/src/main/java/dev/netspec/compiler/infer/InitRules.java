package dev.netspec.compiler.infer;

import dev.netspec.compiler.check.Model.InitRule;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.layers.LayerKinds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves a block's {@code init:} rules against its module tree, like
 * {@code net.apply(init_fn)}. A selector is {@code <modules>.<param>}: the module part is a
 * layer type ({@code linear}), a block name, or a path glob ({@code net.*}, {@code **});
 * {@code type:} or {@code path:} forces one reading. A bare name that is both a type and a
 * child's path is ambiguous and refused.
 */
public final class InitRules {
  /** One parameter a rule selects: its dotted path below the block, and its shape. */
  public record Match(String path, Shape shape) {}

  private InitRules() {}

  /**
   * The parameters {@code rule} selects below {@code root}, in state-dict order; null after
   * reporting a malformed or ambiguous selector.
   */
  public static List<Match> match(InitRule rule, Inst root, Reporter reporter, String blockName) {
    String sel = rule.selector();
    int dot = sel.lastIndexOf('.');
    if (dot <= 0 || dot == sel.length() - 1) {
      reporter.error(rule.pos(), blockName + ": init rule '" + sel
          + "' must be '<layer type or path>.<parameter>', such as 'linear.weight'");
      return null;
    }
    String modules = sel.substring(0, dot);
    String param = sel.substring(dot + 1);
    Map<String, Inst> all = root.namedModules();
    Boolean byType = null;
    if (modules.startsWith("type:")) {
      byType = true;
      modules = modules.substring(5);
    } else if (modules.startsWith("path:")) {
      byType = false;
      modules = modules.substring(5);
    }
    Pattern glob = glob(modules);
    boolean isType = LayerKinds.get(modules) != null || modules.equals("sequential")
        || (!modules.isEmpty() && Character.isUpperCase(modules.charAt(0)) && !modules.contains("*"));
    if (byType == null) {
      boolean pathHit = all.keySet().stream().anyMatch(p -> !p.isEmpty() && glob.matcher(p).matches());
      if (isType && pathHit) {
        reporter.error(rule.pos(), blockName + ": init rule '" + sel + "' is ambiguous: '" + modules
            + "' is both a layer type and a child's name; write 'type:" + sel + "' or 'path:" + sel + "'");
        return null;
      }
      byType = isType;
    }
    Pattern paramGlob = glob(param);
    List<Match> out = new ArrayList<>();
    Map<String, Boolean> seen = new LinkedHashMap<>();
    for (Map.Entry<String, Inst> e : all.entrySet()) {
      Inst m = e.getValue();
      boolean hit = byType ? m.kind.equals(modules) : !e.getKey().isEmpty() && glob.matcher(e.getKey()).matches();
      if (!hit) {
        continue;
      }
      for (Map.Entry<String, Shape> p : m.params.entrySet()) {
        String path = e.getKey().isEmpty() ? p.getKey() : e.getKey() + "." + p.getKey();
        if (paramGlob.matcher(p.getKey()).matches() && seen.put(path, true) == null) {
          out.add(new Match(path, p.getValue()));
        }
      }
    }
    return out;
  }

  private static Pattern glob(String s) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^.]*");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
