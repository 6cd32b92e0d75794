package dev.netspec.runtime.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's tensor printing ({@code torch/_tensor_str.py}, version 1.13, default print
 * options): {@code toString()} of a tensor is what {@code print(t)} shows in Python for the
 * same float32 or int64 values, character for character.
 *
 * <p>The rules: 4 decimals; "int mode" ({@code 42.}) when every finite value is integral;
 * scientific notation when the largest and smallest nonzero finite magnitudes differ by more
 * than 1000 times, the largest exceeds 1e8 or (outside int mode) the smallest is below 1e-4;
 * all elements padded to one width; rows wrapped at 80 columns; tensors of more than 1000
 * elements summarized to 3 items at each end of every dimension with {@code ...}. An int64
 * element prints as Python's {@code str(int)}, padded to the widest; an empty int64 tensor
 * shows {@code dtype=torch.int64}, as it cannot be told from a float one otherwise.
 */
public final class TensorFormat {
  private static final String PREFIX = "tensor(";
  private static final int LINE_WIDTH = 80;
  private static final int THRESHOLD = 1000;
  private static final int EDGE_ITEMS = 3;

  private TensorFormat() {}

  /**
   * {@code tensor(...)} with {@code suffix} before the closing parenthesis. The suffix is
   * empty or starts with {@code ", "}, as in {@code ", requires_grad=True"}; like PyTorch, it
   * moves to a line of its own when the last line would exceed 80 columns.
   */
  public static String format(Tensor t, String suffix) {
    if (suffix.isEmpty()) {
      return format(t, List.of());
    }
    if (!suffix.startsWith(", ")) {
      throw new IllegalArgumentException("a suffix starts with \", \", got \"" + suffix + "\"");
    }
    return format(t, List.of(suffix.substring(2)));
  }

  /**
   * {@code tensor(...)} followed by each suffix (such as {@code "requires_grad=True"} or
   * {@code "grad_fn=<SumBackward0>"}), separated and wrapped as PyTorch does.
   */
  public static String format(Tensor t, List<String> suffixes) {
    List<String> all = new ArrayList<>();
    String body;
    if (t.numel() == 0) {
      if (t.dim() != 1) {
        all.add("size=" + pythonTuple(t.shape()));
      }
      if (t.dtype() != DType.FLOAT32) {
        all.add("dtype=" + t.dtype());
      }
      body = "[]";
    } else {
      body = body(t, PREFIX.length());
    }
    all.addAll(suffixes);
    return addSuffixes(PREFIX + body, all, PREFIX.length());
  }

  /** The bracketed values of a non-empty tensor, its first line starting at column indent. */
  private static String body(Tensor t, int indent) {
    boolean summarize = t.numel() > THRESHOLD;
    List<Tensor> shown = new ArrayList<>();
    collectShown(t, summarize, shown);
    ValueFormat format = t.dtype() == DType.INT64
        ? ValueFormat.ofLongs(shown.stream().map(Tensor::longItem).toList())
        : ValueFormat.of(shown.stream().map(Tensor::item).toList());
    StringBuilder sb = new StringBuilder();
    appendTensor(sb, t, indent, summarize, format);
    return sb.toString();
  }

  /** The values printing will show (PyTorch's {@code get_summarized_data}), in order. */
  private static void collectShown(Tensor t, boolean summarize, List<Tensor> out) {
    if (t.dim() == 0) {
      out.add(t);
      return;
    }
    int n = t.size(0);
    for (int i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
        i = n - EDGE_ITEMS;
      }
      collectShown(t.select(0, i), summarize, out);
    }
  }

  private static void appendTensor(StringBuilder sb, Tensor t, int indent, boolean summarize,
      ValueFormat format) {
    if (t.dim() == 0) {
      sb.append(cell(t, format));
      return;
    }
    if (t.dim() == 1) {
      appendVector(sb, t, indent, summarize, format);
      return;
    }
    int n = t.size(0);
    String separator = "," + "\n".repeat(t.dim() - 1) + " ".repeat(indent + 1);
    sb.append('[');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(separator);
      }
      if (summarize && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
        sb.append("...").append(separator);
        i = n - EDGE_ITEMS;
      }
      appendTensor(sb, t.select(0, i), indent + 1, summarize, format);
    }
    sb.append(']');
  }

  private static void appendVector(StringBuilder sb, Tensor t, int indent, boolean summarize,
      ValueFormat format) {
    int n = t.size(0);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
        items.add(" ...");
        i = n - EDGE_ITEMS;
      }
      items.add(cell(t.select(0, i), format));
    }
    int elementLength = format.width() + 2;
    int perLine = Math.max(1, Math.floorDiv(LINE_WIDTH - indent, elementLength));
    sb.append('[');
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        sb.append(i % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
      }
      sb.append(items.get(i));
    }
    sb.append(']');
  }

  /** One element of a rank-0 tensor, formatted and padded. */
  private static String cell(Tensor scalar, ValueFormat format) {
    return scalar.dtype() == DType.INT64 ? format.format(scalar.longItem())
        : format.format(scalar.item());
  }

  /** PyTorch's {@code _add_suffixes}, including its count of the last line's length. */
  private static String addSuffixes(String text, List<String> suffixes, int indent) {
    StringBuilder sb = new StringBuilder(text);
    int lastLineLength = text.length() - text.lastIndexOf('\n') + 1;
    for (String suffix : suffixes) {
      if (lastLineLength + suffix.length() + 2 > LINE_WIDTH) {
        sb.append(",\n").append(" ".repeat(indent)).append(suffix);
        lastLineLength = indent + suffix.length();
      } else {
        sb.append(", ").append(suffix);
        lastLineLength += suffix.length() + 2;
      }
    }
    return sb.append(')').toString();
  }

  /** A shape as Python prints a tuple: {@code (2, 0)}, {@code (0,)}. */
  private static String pythonTuple(int[] shape) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i > 0 ? ", " : "").append(shape[i]);
    }
    return sb.append(shape.length == 1 ? ",)" : ")").toString();
  }
}
