package dev.netspec.compiler.check;

import dev.netspec.compiler.layers.ArgDef;
import dev.netspec.compiler.layers.LayerKind;
import dev.netspec.compiler.layers.LayerKinds;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A layer written as PyTorch constructs it, {@code linear(20, 10)} or {@code nn.Linear(20, 10)},
 * where a spec declares it: the YAML to write instead, {@code {linear: {in_features: 20,
 * out_features: 10}}}, its arguments named in PyTorch's order.
 */
final class LayerCallText {
  private static final Pattern CALL =
      Pattern.compile("(?:torch\\.)?(?:nn\\.)?([A-Za-z_][A-Za-z0-9_]*)\\s*\\((.*)\\)\\s*");

  private LayerCallText() {}

  /** The YAML for {@code text}, or null when it is not a builtin layer's call. */
  static String instead(String text) {
    Matcher m = CALL.matcher(text);
    if (!m.matches()) {
      return null;
    }
    LayerKind kind = LayerKinds.get(m.group(1));
    if (kind == null) {
      kind = LayerKinds.byPyTorchName(m.group(1));
    }
    if (kind == null) {
      return null;
    }
    String args = m.group(2).strip();
    if (args.isEmpty()) {
      return kind.name();
    }
    List<String> given = List.of(args.split("\\s*,\\s*"));
    if (given.size() == 1 && !args.contains("=") && kind.mainArg() != null) {
      return "{" + kind.name() + ": " + args + "}"; // the short form: {linear: 10}
    }
    List<String> named = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      String a = given.get(i);
      if (a.contains("=")) {
        named.add(a.replaceFirst("\\s*=\\s*", ": "));
      } else if (i < kind.args().size()) {
        ArgDef def = kind.args().get(i);
        named.add(def.name() + ": " + a);
      } else {
        return null;
      }
    }
    return "{" + kind.name() + ": {" + String.join(", ", named) + "}}";
  }
}
