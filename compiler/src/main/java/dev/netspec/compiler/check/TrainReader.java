package dev.netspec.compiler.check;

import dev.netspec.compiler.check.TrainSpec.Call;
import dev.netspec.compiler.diag.Position;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.Node.Entry;
import dev.netspec.compiler.parse.Node.ListNode;
import dev.netspec.compiler.parse.Node.MapNode;
import dev.netspec.compiler.parse.Node.Scalar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a spec's {@code train:} section into a {@link TrainSpec}, reporting each problem at
 * its key or value:
 *
 * <pre>
 * train:
 *   loss: cross_entropy                      # or {cross_entropy: {label_smoothing: 0.1}}
 *   optimizer: {sgd: {lr: 0.1, momentum: 0.9}}
 *   schedule: {step_lr: {step_size: 5, gamma: 0.5}}   # optional
 *   batch_size: 64
 *   epochs: 10
 *   shuffle: true                            # optional, default true
 *   seed: 0                                  # the shuffle seed, optional, default 0
 *   clip_grad_norm: 1.0                      # optional
 * </pre>
 *
 * The names and arguments are PyTorch's ({@code F.cross_entropy}, {@code optim.SGD}, {@code
 * lr_scheduler.StepLR} in snake case); {@code lr} and the schedules' lengths are required,
 * as in PyTorch.
 */
final class TrainReader {
  /** What an argument takes. */
  private enum Kind { NUMBER, FRACTION, POSITIVE_INT, INT, FLAG, REDUCTION, PAIR, NUMBERS }

  private static final List<String> KEYS = List.of("loss", "optimizer", "schedule",
      "batch_size", "epochs", "shuffle", "seed", "clip_grad_norm");

  private static final Map<String, Map<String, Kind>> LOSSES = new LinkedHashMap<>();
  private static final Map<String, Map<String, Kind>> OPTIMIZERS = new LinkedHashMap<>();
  private static final Map<String, Map<String, Kind>> SCHEDULES = new LinkedHashMap<>();
  private static final Map<String, String> REQUIRED = Map.of("sgd", "lr", "step_lr",
      "step_size", "cosine_annealing_lr", "T_max");

  static {
    LOSSES.put("cross_entropy", args("reduction", Kind.REDUCTION, "ignore_index", Kind.INT,
        "label_smoothing", Kind.FRACTION));
    LOSSES.put("nll_loss", args("reduction", Kind.REDUCTION, "ignore_index", Kind.INT));
    LOSSES.put("mse_loss", args("reduction", Kind.REDUCTION));
    LOSSES.put("l1_loss", args("reduction", Kind.REDUCTION));
    LOSSES.put("smooth_l1_loss", args("reduction", Kind.REDUCTION, "beta", Kind.NUMBER));
    LOSSES.put("binary_cross_entropy_with_logits", args("reduction", Kind.REDUCTION,
        "pos_weight", Kind.NUMBERS));
    OPTIMIZERS.put("sgd", args("lr", Kind.NUMBER, "momentum", Kind.NUMBER, "dampening",
        Kind.NUMBER, "weight_decay", Kind.NUMBER, "nesterov", Kind.FLAG));
    Map<String, Kind> adam = args("lr", Kind.NUMBER, "betas", Kind.PAIR, "eps", Kind.NUMBER,
        "weight_decay", Kind.NUMBER, "amsgrad", Kind.FLAG);
    OPTIMIZERS.put("adam", adam);
    OPTIMIZERS.put("adamw", adam);
    OPTIMIZERS.put("rmsprop", args("lr", Kind.NUMBER, "alpha", Kind.NUMBER, "eps", Kind.NUMBER,
        "weight_decay", Kind.NUMBER, "momentum", Kind.NUMBER, "centered", Kind.FLAG));
    SCHEDULES.put("step_lr", args("step_size", Kind.POSITIVE_INT, "gamma", Kind.NUMBER));
    SCHEDULES.put("cosine_annealing_lr", args("T_max", Kind.POSITIVE_INT, "eta_min",
        Kind.NUMBER));
    SCHEDULES.put("linear_lr", args("start_factor", Kind.FRACTION, "end_factor",
        Kind.FRACTION, "total_iters", Kind.POSITIVE_INT));
  }

  private final NodeReader nodes;
  private final Reporter reporter;

  TrainReader(NodeReader nodes) {
    this.nodes = nodes;
    this.reporter = nodes.reporter();
  }

  /** The section whose key is at {@code at}, or null when it has errors (reported). */
  TrainSpec read(Position at, Node section) {
    int errors = reporter.errorCount();
    MapNode map = nodes.asMap(section, "'train'");
    if (map == null) {
      return null;
    }
    nodes.unknownKeys(map, KEYS, "train: ");
    Call loss = call(at, map, "loss", LOSSES, true);
    Call optimizer = call(at, map, "optimizer", OPTIMIZERS, true);
    Call schedule = call(at, map, "schedule", SCHEDULES, false);
    Long batchSize = integer(at, map, "batch_size", true, 1);
    Long epochs = integer(at, map, "epochs", true, 0);
    Long seed = integer(at, map, "seed", false, Long.MIN_VALUE);
    Boolean shuffle = true;
    Node s = map.get("shuffle");
    if (s != null) {
      shuffle = s instanceof Scalar sc && sc.value() instanceof Boolean b ? b : null;
      if (shuffle == null) {
        reporter.error(s.pos(), "train: shuffle must be true or false, got " + s.describe());
      }
    }
    double clip = 0;
    Node c = map.get("clip_grad_norm");
    if (c != null) {
      Double v = nodes.number(c, "train: clip_grad_norm");
      if (v != null && !(v > 0)) {
        reporter.error(c.pos(), "train: clip_grad_norm must be positive, got " + v);
      }
      clip = v == null ? 0 : v;
    }
    if (reporter.errorCount() > errors) {
      return null;
    }
    return new TrainSpec(loss, optimizer, schedule, Math.toIntExact(batchSize),
        Math.toIntExact(epochs), shuffle, seed == null ? 0 : seed, clip);
  }

  private Long integer(Position at, MapNode map, String key, boolean required, long min) {
    Node n = map.get(key);
    if (n == null) {
      if (required) {
        reporter.error(at, "train: missing '" + key + "'");
      }
      return null;
    }
    if (!(n instanceof Scalar s && s.value() instanceof Long v)) {
      reporter.error(n.pos(), "train: " + key + " must be an integer, got " + n.describe());
      return null;
    }
    if (v < min) {
      reporter.error(n.pos(), "train: " + key + " must be " + (min == 1 ? "positive" : "0 or more")
          + ", got " + v);
      return null;
    }
    if (v > Integer.MAX_VALUE && min != Long.MIN_VALUE) {
      reporter.error(n.pos(), "train: " + key + " " + v + " is larger than " + Integer.MAX_VALUE);
      return null;
    }
    return v;
  }

  /** {@code name} or {@code {name: {arg: value, ...}}}. */
  private Call call(Position at, MapNode map, String key, Map<String, Map<String, Kind>> known,
      boolean required) {
    Node n = map.get(key);
    if (n == null) {
      if (required) {
        reporter.error(at, "train: missing '" + key + "' (one of "
            + String.join(", ", known.keySet()) + ")");
      }
      return null;
    }
    String name;
    Node argsNode = null;
    if (n instanceof Scalar s && s.value() instanceof String str) {
      name = str;
    } else if (n instanceof MapNode m && m.entries().size() == 1) {
      Entry e = m.entries().values().iterator().next();
      name = e.key().name();
      argsNode = e.value();
    } else {
      reporter.error(n.pos(), "train: " + key + " must be a name or {name: {arguments}}, got "
          + n.describe());
      return null;
    }
    Map<String, Kind> kinds = known.get(name);
    if (kinds == null) {
      String pytorch = pytorchSpelling(name, known);
      reporter.error(n.pos(), "train: unknown " + key + " '" + name + "'"
          + (pytorch != null ? pytorch : Names.suggest(name, known.keySet())) + " (known: "
          + String.join(", ", known.keySet()) + ")");
      return null;
    }
    if (argsNode instanceof Scalar sc && sc.value() instanceof Number v && REQUIRED.containsKey(name)) {
      reporter.error(argsNode.pos(), "train: write '{" + name + ": {" + REQUIRED.get(name) + ": " + v
          + "}}', not '{" + name + ": " + v + "}': the arguments of " + name + " are named");
      return null;
    }
    Map<String, Object> args = new LinkedHashMap<>();
    MapNode argMap = null;
    boolean misspelled = false;
    if (argsNode != null && !(argsNode instanceof Scalar sc && sc.value() == null)) {
      argMap = nodes.asMap(argsNode, "train: the arguments of " + name);
      if (argMap == null) {
        return null;
      }
      List<String> names = List.copyOf(kinds.keySet());
      nodes.unknownArguments(argMap, names, "train: " + name + ": ");
      for (String arg : argMap.entries().keySet()) { // one error for a misspelled 'lr', not also "needs" it
        misspelled |= !kinds.containsKey(arg) && REQUIRED.get(name) != null
            && REQUIRED.get(name).equals(Names.closestArgument(arg, names));
      }
      for (Entry e : argMap.entries().values()) {
        Kind kind = kinds.get(e.key().name());
        if (kind != null) {
          Object v = value(name + ": " + e.key().name(), kind, e.value());
          if (v != null) {
            args.put(e.key().name(), v);
          }
        }
      }
    }
    String req = REQUIRED.get(name);
    if (req != null && !misspelled && !args.containsKey(req) && (argMap == null || argMap.get(req) == null)) {
      reporter.error(n.pos(), "train: " + name + " needs '" + req + "'");
    }
    return new Call(name, args);
  }

  /** PyTorch's losses by class: {@code nn.CrossEntropyLoss} is {@code cross_entropy}. */
  private static final Map<String, String> LOSS_CLASSES = Map.of("CrossEntropyLoss", "cross_entropy",
      "NLLLoss", "nll_loss", "MSELoss", "mse_loss", "L1Loss", "l1_loss", "SmoothL1Loss", "smooth_l1_loss",
      "BCEWithLogitsLoss", "binary_cross_entropy_with_logits");

  /**
   * {@code "; write 'cross_entropy' for PyTorch's nn.CrossEntropyLoss"} for a PyTorch class
   * written as the name ({@code nn.CrossEntropyLoss()}, {@code torch.optim.SGD(lr=0.1)},
   * {@code StepLR}), with its keyword arguments as YAML; null when {@code name} is none.
   */
  private static String pytorchSpelling(String name, Map<String, Map<String, Kind>> known) {
    Matcher m = PYTORCH_CLASS.matcher(name.strip());
    if (!m.matches()) {
      return null;
    }
    String cls = m.group(1);
    String snake = cls.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    String ours = LOSS_CLASSES.containsKey(cls) ? LOSS_CLASSES.get(cls)
        : known.containsKey(cls.toLowerCase(Locale.ROOT)) ? cls.toLowerCase(Locale.ROOT)
        : known.containsKey(snake) ? snake : null;
    if (ours == null || ours.equals(name)) {
      return null;
    }
    String args = m.group(2) == null ? "" : m.group(2).strip();
    String yaml = ours;
    if (args.matches("\\w+\\s*=[^=]+(,\\s*\\w+\\s*=[^=]+)*")) {
      yaml = "{" + ours + ": {" + args.replaceAll("\\s*=\\s*", ": ") + "}}";
    }
    String pkg = LOSS_CLASSES.containsKey(cls) ? "nn." : known.containsKey("sgd") ? "optim." : "lr_scheduler.";
    return "; write '" + yaml + "' for PyTorch's " + pkg + cls;
  }

  private static final Pattern PYTORCH_CLASS = Pattern.compile(
      "(?:torch\\.)?(?:nn\\.|optim\\.(?:lr_scheduler\\.)?)?([A-Z][A-Za-z0-9]*)\\s*(?:\\((.*)\\))?");

  private Object value(String what, Kind kind, Node n) {
    Object v = n instanceof Scalar s ? s.value() : null;
    switch (kind) {
      case FLAG:
        if (v instanceof Boolean) {
          return v;
        }
        return bad(n, what, "true or false");
      case REDUCTION:
        if ("mean".equals(v) || "sum".equals(v)) {
          return v;
        }
        return bad(n, what, "'mean' or 'sum' (training needs a scalar loss)");
      case INT:
      case POSITIVE_INT:
        if (v instanceof Long l && (kind == Kind.INT || l >= 1)) {
          return l;
        }
        return bad(n, what, kind == Kind.INT ? "an integer" : "a positive integer");
      case NUMBER:
      case FRACTION:
        if (v instanceof Number num && num.doubleValue() >= 0
            && (kind == Kind.NUMBER || num.doubleValue() <= 1)) {
          return num.doubleValue();
        }
        return bad(n, what, kind == Kind.NUMBER ? "a number, 0 or more" : "a number in [0, 1]");
      case PAIR:
      case NUMBERS:
        List<Double> list = numbers(n);
        if (list != null && (kind == Kind.NUMBERS ? !list.isEmpty() : list.size() == 2
            && list.get(0) < 1 && list.get(1) < 1)) {
          return List.copyOf(list);
        }
        return bad(n, what, kind == Kind.PAIR ? "two numbers in [0, 1), such as [0.9, 0.999]"
            : "a list of numbers, 0 or more");
      default:
        throw new AssertionError(kind);
    }
  }

  private static List<Double> numbers(Node n) {
    if (!(n instanceof ListNode l)) {
      return null;
    }
    List<Double> out = new ArrayList<>();
    for (Node item : l.items()) {
      if (!(item instanceof Scalar s && s.value() instanceof Number num
          && num.doubleValue() >= 0)) {
        return null;
      }
      out.add(num.doubleValue());
    }
    return out;
  }

  private Object bad(Node n, String what, String expected) {
    reporter.error(n.pos(), "train: " + what + " must be " + expected + ", got "
        + NodeReader.scalarText(n));
    return null;
  }

  private static Map<String, Kind> args(Object... pairs) {
    Map<String, Kind> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], (Kind) pairs[i + 1]);
    }
    return out;
  }
}
