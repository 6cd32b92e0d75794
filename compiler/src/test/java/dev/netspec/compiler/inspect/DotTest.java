package dev.netspec.compiler.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DotTest {
  @Test
  void quoteEscapesQuotesBackslashesAndNewlines() {
    assertEquals("\"fc\\nlinear\"", Dot.quote("fc\nlinear"));
    assertEquals("\"say \\\"hi\\\"\"", Dot.quote("say \"hi\""));
    assertEquals("\"a\\\\b\"", Dot.quote("a\\b"));
    assertEquals("\"GELU(approximate='none')\"", Dot.quote("GELU(approximate='none')"));
  }

  @Test
  void edgesFollowTheNodesAndClustersNest() {
    Dot d = new Dot();
    String x = d.node("x", "");
    String cluster = d.open("body: Block", "");
    String y = d.node("y", "shape=box");
    d.close();
    d.edge(x, y, "[2, 3]", "lhead=" + cluster);
    assertEquals("""
        digraph "g" {
          label="G";
          labelloc=t;
          compound=true;
          node [fontname="Helvetica", fontsize=10];
          edge [fontname="Helvetica", fontsize=9];
          graph [fontname="Helvetica", fontsize=10];
          n1 [label="x"];
          subgraph cluster_1 {
            label="body: Block";
            n2 [label="y", shape=box];
          }
          n1 -> n2 [label="[2, 3]", lhead=cluster_1];
        }
        """, d.render("g", "G"));
  }
}
