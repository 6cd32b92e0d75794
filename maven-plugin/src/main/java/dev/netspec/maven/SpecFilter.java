package dev.netspec.maven;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Maven-style include and exclude globs over paths relative to the spec folder: {@code *}
 * within a name, {@code **} across folders, and a leading {@code **}{@code /} that also
 * matches files at the top.
 */
final class SpecFilter {
  private final List<PathMatcher> includes;
  private final List<PathMatcher> excludes;

  SpecFilter(List<String> includes, List<String> excludes) {
    this.includes = matchers(includes);
    this.excludes = matchers(excludes);
  }

  boolean accepts(Path relative) {
    return matchesAny(includes, relative) && !matchesAny(excludes, relative);
  }

  private static boolean matchesAny(List<PathMatcher> matchers, Path relative) {
    return matchers.stream().anyMatch(m -> m.matches(relative));
  }

  private static List<PathMatcher> matchers(List<String> globs) {
    List<PathMatcher> out = new ArrayList<>();
    for (String glob : globs) {
      String g = glob.replace('\\', '/');
      out.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
      if (g.startsWith("**/")) {
        out.add(FileSystems.getDefault().getPathMatcher("glob:" + g.substring(3)));
      }
    }
    return out;
  }
}
