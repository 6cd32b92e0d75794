package dev.netspec.compiler;

import dev.netspec.compiler.check.ImportReader;
import dev.netspec.compiler.check.ImportReader.Import;
import dev.netspec.compiler.diag.Reporter;
import dev.netspec.compiler.parse.Limits;
import dev.netspec.compiler.parse.Node;
import dev.netspec.compiler.parse.SpecReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The specs of one compilation and the files they import, read and parsed once each, in an
 * order where every file comes after the files it imports. A missing or unreadable import is
 * an error at the import; an import cycle is one error naming the cycle's files in order.
 */
final class SpecGraph {
  /**
   * One spec file: its tree ({@code root}, null when it could not be parsed), its {@code
   * imports:}, each with the file it names (null when it could not be read), and whether it is
   * one of the compiled sources ({@code given}) or only imported. Compared by identity.
   */
  static final class Unit {
    final SpecSource source;
    final Node root;
    final List<Edge> imports = new ArrayList<>();
    final boolean given;

    Unit(SpecSource source, Node root, boolean given) {
      this.source = source;
      this.root = root;
      this.given = given;
    }

    Path path() {
      return source.path();
    }
  }

  /** One import: as written, and the file it names (null when it could not be read). */
  record Edge(Import as, Unit target) {}

  private final Reporter reporter;
  private final Map<Path, Unit> byKey = new LinkedHashMap<>();
  private final Set<Unit> cyclic = new LinkedHashSet<>();

  private SpecGraph(Reporter reporter) {
    this.reporter = reporter;
  }

  /**
   * Reads {@code sources} and, transitively, the files they import; returns every file whose
   * imports could all be read and are not on a cycle, imports first.
   */
  static List<Unit> load(List<SpecSource> sources, Reporter reporter) {
    SpecGraph g = new SpecGraph(reporter);
    List<Unit> given = new ArrayList<>();
    Deque<Unit> todo = new ArrayDeque<>();
    for (SpecSource s : sources) {
      Path key = key(s.path());
      if (!g.byKey.containsKey(key)) {
        Unit u = g.parse(s, true);
        g.byKey.put(key, u);
        given.add(u);
        todo.add(u);
      }
    }
    while (!todo.isEmpty()) {
      Unit u = todo.poll();
      for (Import i : ImportReader.read(u.root, reporter)) {
        Unit target = g.resolve(u, i, todo);
        u.imports.add(new Edge(i, target));
      }
    }
    List<Unit> ordered = new ArrayList<>();
    Map<Unit, Integer> state = new LinkedHashMap<>();
    for (Unit u : given) {
      g.visit(u, new ArrayList<>(), state, ordered);
    }
    return ordered.stream().filter(g::sound).toList();
  }

  /** The files {@code unit} imports, directly or not, each once, in first-reached order. */
  static List<Unit> closure(Unit unit) {
    Set<Unit> seen = new LinkedHashSet<>();
    Deque<Unit> todo = new ArrayDeque<>(List.of(unit));
    while (!todo.isEmpty()) {
      for (Edge e : todo.poll().imports) {
        if (e.target() != null && seen.add(e.target())) {
          todo.add(e.target());
        }
      }
    }
    seen.remove(unit);
    return List.copyOf(seen);
  }

  private Unit parse(SpecSource s, boolean given) {
    return new Unit(s, SpecReader.read(s.path(), s.text(), reporter), given);
  }

  /** The unit {@code i} names, read on first use; null (reported) when it cannot be read. */
  private Unit resolve(Unit from, Import i, Deque<Unit> todo) {
    Path file = sibling(from.path(), i.path());
    Unit known = byKey.get(key(file));
    if (known != null) {
      return known;
    }
    String where = "cannot import '" + i.path() + "': ";
    if (Files.isDirectory(file)) {
      reporter.error(i.pos(), where + display(file) + " is a folder");
      return null;
    }
    if (!Files.isRegularFile(file)) {
      reporter.error(i.pos(), where + (Files.exists(file) ? display(file) + " is not a regular file"
          : "no such file " + display(file)));
      return null;
    }
    String text;
    try {
      if (Files.size(file) > 4L * Limits.MAX_DOCUMENT_CHARS) {
        reporter.error(i.pos(), where + display(file) + " is larger than a spec may be ("
            + Limits.MAX_DOCUMENT_CHARS + " characters)");
        return null;
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      reporter.error(i.pos(), where + display(file) + " is not UTF-8 text");
      return null;
    } catch (IOException e) {
      reporter.error(i.pos(), where + "cannot read " + display(file)
          + (e instanceof java.nio.file.AccessDeniedException ? ": permission denied" : ""));
      return null;
    }
    Unit u = parse(new SpecSource(file, text, name(from.source.name(), i.path())), false);
    byKey.put(key(file), u);
    todo.add(u);
    return u;
  }

  /** Depth-first, imports before importers; reports the cycle closed by a back edge. */
  private void visit(Unit u, List<Unit> stack, Map<Unit, Integer> state, List<Unit> out) {
    if (state.containsKey(u)) {
      return;
    }
    state.put(u, 1);
    stack.add(u);
    for (Edge e : u.imports) {
      Unit t = e.target();
      if (t == null) {
        continue;
      }
      if (Integer.valueOf(1).equals(state.get(t))) {
        List<Unit> cycle = stack.subList(stack.indexOf(t), stack.size());
        StringBuilder sb = new StringBuilder("import cycle: ");
        for (Unit c : cycle) {
          sb.append(display(c.path())).append(" -> ");
          cyclic.add(c);
        }
        reporter.error(e.as().pos(), sb.append(display(t.path())).toString());
        continue;
      }
      visit(t, stack, state, out);
    }
    stack.remove(stack.size() - 1);
    state.put(u, 2);
    out.add(u);
  }

  /** Whether {@code u} and everything it imports could be read and sits on no cycle. */
  private boolean sound(Unit u) {
    if (u.root == null || cyclic.contains(u)) {
      return false;
    }
    for (Edge e : u.imports) {
      if (e.target() == null) {
        return false;
      }
    }
    for (Unit d : closure(u)) {
      if (d.root == null || cyclic.contains(d) || d.imports.stream().anyMatch(x -> x.target() == null)) {
        return false;
      }
    }
    return true;
  }

  /** {@code relative} resolved against the folder of {@code file}. */
  private static Path sibling(Path file, String relative) {
    Path parent = file.getParent();
    return (parent == null ? Path.of(relative) : parent.resolve(relative)).normalize();
  }

  /**
   * The name of an imported file: the import resolved against its importer's name, so that it
   * does not depend on the working directory; leading {@code ../} (a file above the spec
   * folder) are dropped.
   */
  private static String name(String importerName, String relative) {
    int slash = importerName.lastIndexOf('/');
    String joined = (slash < 0 ? "" : importerName.substring(0, slash + 1)) + relative;
    String normal = Path.of(joined).normalize().toString().replace('\\', '/');
    while (normal.startsWith("../")) {
      normal = normal.substring(3);
    }
    return normal.isEmpty() || normal.equals("..") ? Path.of(relative).getFileName().toString() : normal;
  }

  private static Path key(Path file) {
    return file.toAbsolutePath().normalize();
  }

  private static String display(Path file) {
    return file.toString().replace('\\', '/');
  }
}
