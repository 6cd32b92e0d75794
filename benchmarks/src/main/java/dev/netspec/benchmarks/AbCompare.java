package dev.netspec.benchmarks;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Two versions of the runtime timed against each other in one JVM: each version's classes in
 * its own class loader (with {@link AbWorkloads} beside them), the two alternating in slices
 * of {@code MILLIS} ms, the order swapped every round. Prints, per workload, each version's
 * median time per call and the median of the per-round ratios old/new with its 25th and 75th
 * percentiles: above 1, the new version is faster. On a machine whose speed drifts from one
 * minute to the next this is the comparison to trust; two separate JMH runs are not.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/classes \
 *     dev.netspec.benchmarks.AbCompare [--new-first] OLD_CLASSES NEW_CLASSES ROUNDS MILLIS \
 *     WORKLOAD...
 * </pre>
 *
 * OLD_CLASSES and NEW_CLASSES are the {@code runtime/target/classes} directories of two
 * checkouts, each optionally followed by more class directories ({@code :}-separated, e.g.
 * {@code generated-examples/target/classes}, to compare generated code too; otherwise the
 * examples come from the benchmarks jar). The version warmed up and timed first can come out a few percent ahead (the JDK's
 * own Vector API code is shared by both and profiled first for it), so run each comparison
 * twice, once with {@code --new-first}, and trust only what holds in both orders. Workloads:
 * see {@link AbWorkloads}.
 */
public final class AbCompare {
  private AbCompare() {}

  public static void main(String[] args) throws Exception {
    int i = 0;
    boolean newFirst = args.length > 0 && args[0].equals("--new-first");
    if (newFirst) {
      i++;
    }
    if (args.length - i < 5) {
      System.err.println("usage: AbCompare [--new-first] OLD_CLASSES NEW_CLASSES ROUNDS MILLIS"
          + " WORKLOAD...");
      System.exit(2);
    }
    String[] names = {"old", "new"};
    Method[] perCall = new Method[2];
    for (int v = 0; v < 2; v++) {
      String[] dirs = args[i + v].split(File.pathSeparator);
      Path classes = Path.of(dirs[0]);
      if (!Files.isDirectory(classes.resolve("dev/netspec/runtime"))) {
        System.err.println("AbCompare: error: " + classes
            + " holds no netspec runtime classes (give runtime/target/classes of a checkout)");
        System.exit(2);
      }
      perCall[v] = load(dirs);
    }
    int rounds = Integer.parseInt(args[i + 2]);
    int millis = Integer.parseInt(args[i + 3]);
    int first = newFirst ? 1 : 0;
    System.out.printf(Locale.ROOT, "%s %s; old %s, new %s; %d rounds of %d ms, %s first%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"), args[i],
        args[i + 1], rounds, millis, names[first]);
    for (int w = i + 4; w < args.length; w++) {
      String workload = args[w];
      for (int j = 0; j < 2; j++) {
        call(perCall[(first + j) % 2], workload, 2000); // warmup
      }
      double[][] ns = new double[2][rounds];
      double[] ratio = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        for (int j = 0; j < 2; j++) {
          int v = (first + r + j) % 2;
          ns[v][r] = call(perCall[v], workload, millis);
        }
        ratio[r] = ns[0][r] / ns[1][r];
      }
      Arrays.sort(ns[0]);
      Arrays.sort(ns[1]);
      Arrays.sort(ratio);
      System.out.printf(Locale.ROOT,
          "%-22s old %12.1f ns  new %12.1f ns  old/new %.3f [%.3f, %.3f]%n", workload,
          ns[0][rounds / 2], ns[1][rounds / 2], ratio[rounds / 2], ratio[rounds / 4],
          ratio[3 * rounds / 4]);
    }
  }

  /**
   * {@code AbWorkloads.perCallNs} as loaded beside the classes in {@code dirs}: the runtime's,
   * then optionally the generated examples' (for the {@code bert:} workload).
   */
  private static Method load(String[] dirs) throws ReflectiveOperationException,
      MalformedURLException {
    URL[] urls = new URL[dirs.length + 1];
    for (int d = 0; d < dirs.length; d++) {
      urls[d] = Path.of(dirs[d]).toUri().toURL();
    }
    // The runtime first: if this class comes from the shaded benchmarks jar, that jar holds a
    // runtime too, and the one under test must win.
    urls[dirs.length] = AbCompare.class.getProtectionDomain().getCodeSource().getLocation();
    URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    return loader.loadClass(AbWorkloads.class.getName())
        .getMethod("perCallNs", String.class, int.class);
  }

  private static double call(Method perCall, String workload, int millis)
      throws IllegalAccessException {
    try {
      return (double) perCall.invoke(null, workload, millis);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException(cause);
    }
  }
}
