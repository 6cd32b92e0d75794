package dev.netspec.compiler.inspect;

import java.util.ArrayList;
import java.util.List;

/**
 * A Graphviz DOT digraph written in order: nodes inside nested {@code cluster_} subgraphs,
 * edges after every node (so an edge never places a node in the wrong cluster). Ids are
 * numbered in the order of the calls, so the same calls give the same bytes.
 */
final class Dot {
  private final StringBuilder body = new StringBuilder();
  private final List<String> edges = new ArrayList<>();
  private int depth = 1;
  private int nodes;
  private int clusters;

  /** Declares a node in the current cluster; its id. */
  String node(String label, String attrs) {
    String id = "n" + (++nodes);
    line(id + " [label=" + quote(label) + (attrs.isEmpty() ? "" : ", " + attrs) + "];");
    return id;
  }

  /** The id the next {@link #node} will get. */
  String nextId() {
    return "n" + (nodes + 1);
  }

  /** Opens a cluster (a box around its nodes); its name, for {@code lhead}. */
  String open(String label, String attrs) {
    String name = "cluster_" + (++clusters);
    line("subgraph " + name + " {");
    depth++;
    line("label=" + quote(label) + ";");
    if (!attrs.isEmpty()) {
      line(attrs + ";");
    }
    return name;
  }

  void close() {
    depth--;
    line("}");
  }

  /** An edge, written after the nodes; {@code label} null for none. */
  void edge(String from, String to, String label, String attrs) {
    List<String> a = new ArrayList<>();
    if (label != null) {
      a.add("label=" + quote(label));
    }
    if (!attrs.isEmpty()) {
      a.add(attrs);
    }
    edges.add(from + " -> " + to + (a.isEmpty() ? "" : " [" + String.join(", ", a) + "]") + ";");
  }

  /** The whole digraph. */
  String render(String name, String label) {
    String nl = "\n";
    StringBuilder sb = new StringBuilder("digraph ").append(quote(name)).append(" {").append(nl);
    sb.append("  label=").append(quote(label)).append(";").append(nl);
    sb.append("  labelloc=t;").append(nl);
    sb.append("  compound=true;").append(nl);
    sb.append("  node [fontname=\"Helvetica\", fontsize=10];").append(nl);
    sb.append("  edge [fontname=\"Helvetica\", fontsize=9];").append(nl);
    sb.append("  graph [fontname=\"Helvetica\", fontsize=10];").append(nl);
    sb.append(body);
    for (String e : edges) {
      sb.append("  ").append(e).append(nl);
    }
    return sb.append("}").append(nl).toString();
  }

  private void line(String s) {
    body.append("  ".repeat(depth)).append(s).append("\n");
  }

  /** A DOT string: quoted, with quotes and backslashes escaped and newlines as {@code \n}. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> { }
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
