package dev.netspec.cli;

import dev.netspec.compiler.Inspection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The three forms of {@code netspec inspect}: a text report, JSON and the PyTorch repr. */
final class InspectReport {
  private InspectReport() {}

  /**
   * The JSON of the CLI contract: {@code block}, {@code input_shape}, {@code output_shape},
   * {@code state_dict} (name and shape of every entry), {@code parameters}, {@code
   * workspace_bytes}, then {@code inputs} and {@code outputs}: each tensor's name ({@code x},
   * or those of {@code inputs:}; {@code y}, or {@code y.0}, {@code y.1.0}, ... for a tuple),
   * dtype and shape, as {@code run} reads and writes them. A shape whose rank is not known (a
   * block without {@code input:}) and a parameter count that a lazy dim or a block argument
   * leaves open are {@code null}.
   */
  static String json(Inspection in) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("block", in.block());
    root.put("input_shape", in.inputShape());
    root.put("output_shape", in.outputShape());
    List<Object> state = new ArrayList<>();
    for (Inspection.StateEntry e : in.stateDict()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", e.name());
      entry.put("shape", e.shape());
      state.add(entry);
    }
    root.put("state_dict", state);
    root.put("parameters", in.parameters() < 0 ? null : in.parameters());
    root.put("workspace_bytes", in.workspaceBytes() < 0 ? null : in.workspaceBytes());
    root.put("inputs", ports(in.inputs()));
    root.put("outputs", ports(in.outputs()));
    return Json.write(root);
  }

  private static List<Object> ports(List<Inspection.Port> ports) {
    List<Object> out = new ArrayList<>();
    for (Inspection.Port p : ports) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", p.name());
      entry.put("dtype", p.dtype());
      entry.put("shape", p.shape());
      out.add(entry);
    }
    return out;
  }

  /**
   * {@code input [batch, 3] -> output [batch, 1]} for one float32 input x and one output y;
   * else every input and output tensor by name: {@code inputs tokens int64 [batch, seq], h0
   * [4, batch, 8] -> outputs y.0 [batch, seq, 5], y.1 [4, batch, 8]}.
   */
  static String signature(Inspection in) {
    boolean plain = in.inputs().size() == 1 && in.inputs().get(0).name().equals("x")
        && in.inputs().get(0).dtype().equals("float32") && in.outputs().size() <= 1;
    if (plain) {
      return "input " + shape(in.inputShape()) + " -> output " + shape(in.outputShape());
    }
    return "inputs " + ports(in.inputs(), "(none)") + " -> outputs " + ports(in.outputs(), "unknown");
  }

  private static String ports(List<Inspection.Port> ports, String none) {
    if (ports.isEmpty()) {
      return none;
    }
    return ports.stream().map(p -> p.name() + (p.dtype().equals("float32") ? " " : " " + p.dtype() + " ")
        + shape(p.shape())).collect(Collectors.joining(", "));
  }

  /**
   * The module tree as PyTorch prints it, a table of the layers, then the totals.
   *
   * @param perSample when the FLOPs are unknown because of symbolic dims, the same block
   *     inspected with each symbolic dim set to 1, or null
   */
  static String text(Inspection in, String specPath, Inspection perSample) {
    String nl = System.lineSeparator();
    StringBuilder sb = new StringBuilder();
    sb.append(in.block()).append(" (").append(specPath).append("): ").append(signature(in))
        .append(nl).append(nl);
    sb.append(in.repr()).append(nl).append(nl);
    sb.append(table(in.layers())).append(nl);
    sb.append("total parameters  ").append(count(in.parameters())).append(nl);
    sb.append("parameter memory  ").append(bytes(in.parameterBytes())).append(nl);
    sb.append("forward workspace ");
    if (in.workspaceBytes() >= 0) {
      sb.append(bytes(in.workspaceBytes()));
    } else if (perSample != null && perSample.workspaceBytes() >= 0) {
      sb.append(bytes(perSample.workspaceBytes())).append(" for input ")
          .append(shape(perSample.inputShape()));
    } else {
      sb.append("? (symbolic sizes; try --input-shape)");
    }
    sb.append(nl);
    sb.append("forward FLOPs     ");
    if (in.flops() >= 0) {
      sb.append(count(in.flops()));
    } else if (perSample != null && perSample.flops() >= 0) {
      sb.append(count(perSample.flops())).append(" for input ")
          .append(shape(perSample.inputShape())).append(" (--input-shape for another)");
    } else {
      sb.append("unknown until every dim is known (try --input-shape)");
    }
    return sb.append(nl).toString();
  }

  private static String table(List<Inspection.LayerRow> rows) {
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"layer", "type", "output shape", "parameters"});
    for (Inspection.LayerRow r : rows) {
      cells.add(new String[] {
        r.path().isEmpty() ? "(self)" : r.path(), r.type(), shape(r.outputShape()),
        count(r.parameters())
      });
    }
    int[] width = new int[4];
    for (String[] row : cells) {
      for (int c = 0; c < 4; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String[] row = cells.get(i);
      sb.append(pad(row[0], width[0])).append("  ").append(pad(row[1], width[1])).append("  ")
          .append(pad(row[2], width[2])).append("  ")
          .append(" ".repeat(width[3] - row[3].length())).append(row[3])
          .append(System.lineSeparator());
    }
    return sb.toString();
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }

  /** A shape as {@code [batch, 20]}; {@code []} is a scalar, null (rank unknown) "any shape". */
  static String shape(List<Object> dims) {
    if (dims == null) {
      return "any shape";
    }
    return dims.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * {@code 7946} as {@code 7,946}; a negative count (a lazy dim or an argument leaves it open)
   * as {@code ?}.
   */
  static String count(long n) {
    return n < 0 ? "?" : String.format(Locale.ROOT, "%,d", n);
  }

  /** {@code 31784} as {@code 31,784 bytes (31.0 KiB)}. */
  static String bytes(long n) {
    if (n < 0) {
      return "? (a lazy dim or a block argument leaves it open; try --input-shape or --arg)";
    }
    if (n < 1024) {
      return count(n) + " bytes";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u + 1 < units.length) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%,d bytes (%.1f %s)", n, v, units[u]);
  }
}
