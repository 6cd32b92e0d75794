package dev.netspec.compiler.layers;

/**
 * The range checks shared by the normalization layers ({@code batch_norm*}, {@code layer_norm},
 * {@code group_norm}): PyTorch takes any {@code eps} and {@code momentum}, but a negative or
 * NaN {@code eps} turns every output into NaN and a {@code momentum} outside [0, 1] makes the
 * running statistics diverge, so the compiler refuses them where the spec writes them.
 * {@code eps: 0} is PyTorch's (a constant row then normalizes to NaN, as there).
 */
final class NormArgs {
  private NormArgs() {}

  /** Why {@code value} is out of range for the argument {@code arg}, or null. */
  static String outOfRange(String arg, Object value) {
    if (!(value instanceof Number n)) {
      return null;
    }
    double v = n.doubleValue();
    if ((arg.equals("eps") || arg.equals("layer_norm_eps")) && !(v >= 0)) {
      return arg + " must be at least 0, got " + v;
    }
    if (arg.equals("momentum") && !(v >= 0 && v <= 1)) {
      return arg + " must be between 0 and 1, got " + v;
    }
    return null;
  }
}
