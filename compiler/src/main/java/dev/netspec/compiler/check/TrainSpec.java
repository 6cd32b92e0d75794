package dev.netspec.compiler.check;

import java.util.List;
import java.util.Map;

/**
 * A spec's {@code train:} section, checked: how {@code netspec train} trains the file's
 * blocks. Each of {@code loss}, {@code optimizer} and {@code schedule} (null: a constant
 * learning rate) is a name with PyTorch's spelling and its arguments; an argument is a Double,
 * a Long, a Boolean, a String ({@code reduction}) or a List of Doubles ({@code betas}, {@code
 * pos_weight}). {@code seed} is the shuffle seed; {@code clipGradNorm} is 0 for no clipping.
 */
public record TrainSpec(Call loss, Call optimizer, Call schedule, int batchSize, int epochs,
    boolean shuffle, long seed, double clipGradNorm) {

  /** A loss, optimizer or schedule: {@code {sgd: {lr: 0.1, momentum: 0.9}}}. */
  public record Call(String name, Map<String, Object> args) {
    public Call {
      args = Map.copyOf(args);
    }

    /** A number argument, or {@code fallback} when absent. */
    public double number(String arg, double fallback) {
      Object v = args.get(arg);
      return v == null ? fallback : ((Number) v).doubleValue();
    }

    /** A boolean argument, or {@code fallback} when absent. */
    public boolean flag(String arg, boolean fallback) {
      Object v = args.get(arg);
      return v == null ? fallback : (Boolean) v;
    }

    /** A list argument, or null when absent. */
    @SuppressWarnings("unchecked")
    public List<Double> numbers(String arg) {
      return (List<Double>) args.get(arg);
    }

    /** A string argument, or {@code fallback} when absent. */
    public String string(String arg, String fallback) {
      Object v = args.get(arg);
      return v == null ? fallback : (String) v;
    }
  }
}
