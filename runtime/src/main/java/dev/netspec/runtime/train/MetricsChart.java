package dev.netspec.runtime.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG chart of a run (no script, no fonts to fetch, no plotting library):
 * the loss on the left (each step's batch loss, averaged into at most {@value #MAX_POINTS}
 * points, with each epoch's training and validation loss on top, against the step) and the
 * accuracy on the right (training and validation, against the epoch). The rows are those of
 * {@link MetricsLog}.
 */
final class MetricsChart {
  static final int MAX_POINTS = 600;
  private static final int W = 420;
  private static final int H = 300;
  private static final int LEFT = 56;
  private static final int TOP = 34;
  private static final int PW = W - LEFT - 16;
  private static final int PH = H - TOP - 44;
  private static final String STEP_COLOR = "#9aa5b1";
  private static final String TRAIN_COLOR = "#1f77b4";
  private static final String VALIDATION_COLOR = "#ff7f0e";

  private MetricsChart() {}

  static String svg(List<double[]> steps, List<double[]> epochs) {
    StringBuilder sb = new StringBuilder();
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(2 * W)
        .append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(2 * W).append(' ')
        .append(H).append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    // loss against the step
    List<double[]> stepLoss = bucketMeans(steps);
    List<double[]> trainLoss = new ArrayList<>();
    List<double[]> validationLoss = new ArrayList<>();
    List<double[]> trainAcc = new ArrayList<>();
    List<double[]> validationAcc = new ArrayList<>();
    for (double[] e : epochs) {
      double step = endStep(steps, e[0]);
      add(trainLoss, step, e[1]);
      add(validationLoss, step, e[3]);
      add(trainAcc, e[0], e[2]);
      add(validationAcc, e[0], e[4]);
    }
    Panel loss = new Panel(0, "loss", "step", List.of(stepLoss, trainLoss, validationLoss));
    loss.draw(sb);
    loss.line(sb, stepLoss, STEP_COLOR, 1, false);
    loss.line(sb, trainLoss, TRAIN_COLOR, 2, true);
    loss.line(sb, validationLoss, VALIDATION_COLOR, 2, true);
    Panel acc = new Panel(W, "accuracy", "epoch", List.of(trainAcc, validationAcc));
    acc.draw(sb);
    acc.line(sb, trainAcc, TRAIN_COLOR, 2, true);
    acc.line(sb, validationAcc, VALIDATION_COLOR, 2, true);
    legend(sb);
    return sb.append("</svg>\n").toString();
  }

  private static void add(List<double[]> series, double x, double y) {
    if (Double.isFinite(y)) {
      series.add(new double[] {x, y});
    }
  }

  /** The last step of epoch {@code epoch} (1-based) in the step rows, or the epoch itself. */
  private static double endStep(List<double[]> steps, double epoch) {
    double last = Double.NaN;
    for (double[] s : steps) {
      if (s[1] == epoch) {
        last = s[0];
      }
    }
    return Double.isNaN(last) ? epoch : last;
  }

  /** (step, loss) of the step rows, averaged over equal runs of steps to at most MAX_POINTS. */
  private static List<double[]> bucketMeans(List<double[]> steps) {
    List<double[]> out = new ArrayList<>();
    int per = Math.max(1, (steps.size() + MAX_POINTS - 1) / MAX_POINTS);
    for (int i = 0; i < steps.size(); i += per) {
      double sx = 0;
      double sy = 0;
      int n = 0;
      for (int j = i; j < Math.min(steps.size(), i + per); j++) {
        if (Double.isFinite(steps.get(j)[3])) {
          sx += steps.get(j)[0];
          sy += steps.get(j)[3];
          n++;
        }
      }
      if (n > 0) {
        out.add(new double[] {sx / n, sy / n});
      }
    }
    return out;
  }

  private static void legend(StringBuilder sb) {
    String[][] items = {{"batch loss", STEP_COLOR}, {"training", TRAIN_COLOR},
        {"validation", VALIDATION_COLOR}};
    int x = LEFT;
    for (String[] it : items) {
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"14\" x2=\"%d\" y2=\"14\""
          + " stroke=\"%s\" stroke-width=\"2\"/><text x=\"%d\" y=\"18\">%s</text>\n",
          x, x + 18, it[1], x + 22, it[0]));
      x += 110;
    }
  }

  /** One plot: its origin, axes and the data range of every series it shows. */
  private static final class Panel {
    private final int x0;
    private final String title;
    private final String xLabel;
    private double xMin = Double.POSITIVE_INFINITY;
    private double xMax = Double.NEGATIVE_INFINITY;
    private double yMin = Double.POSITIVE_INFINITY;
    private double yMax = Double.NEGATIVE_INFINITY;

    Panel(int x0, String title, String xLabel, List<List<double[]>> series) {
      this.x0 = x0;
      this.title = title;
      this.xLabel = xLabel;
      for (List<double[]> s : series) {
        for (double[] p : s) {
          xMin = Math.min(xMin, p[0]);
          xMax = Math.max(xMax, p[0]);
          yMin = Math.min(yMin, p[1]);
          yMax = Math.max(yMax, p[1]);
        }
      }
      if (xMin > xMax) {
        xMin = 0;
        xMax = 1;
        yMin = 0;
        yMax = 1;
      }
      if (xMax == xMin) {
        xMax = xMin + 1;
      }
      if (yMax == yMin) {
        yMax = yMin + 1;
      }
    }

    double px(double x) {
      return x0 + LEFT + (x - xMin) / (xMax - xMin) * PW;
    }

    double py(double y) {
      return TOP + PH - (y - yMin) / (yMax - yMin) * PH;
    }

    void draw(StringBuilder sb) {
      sb.append(String.format(Locale.ROOT, "<g><text x=\"%d\" y=\"%d\" font-weight=\"bold\">"
          + "%s</text>\n", x0 + LEFT, TOP - 6, title));
      sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
          + " fill=\"none\" stroke=\"#444\"/>\n", x0 + LEFT, TOP, PW, PH));
      for (int i = 0; i <= 4; i++) {
        double y = yMin + (yMax - yMin) * i / 4;
        double x = xMin + (xMax - xMin) * i / 4;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
            + " stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
            x0 + LEFT, py(y), x0 + LEFT + PW, py(y), x0 + LEFT - 4, py(y) + 4, tick(y)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
            + "%s</text>\n", px(x), TOP + PH + 14, tick(x)));
      }
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
          + "%s</text></g>\n", x0 + LEFT + PW / 2, TOP + PH + 32, xLabel));
    }

    void line(StringBuilder sb, List<double[]> points, String color, int width,
        boolean markers) {
      if (points.isEmpty()) {
        return;
      }
      sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"")
          .append(width).append("\" points=\"");
      for (double[] p : points) {
        sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(p[0]), py(p[1])));
      }
      sb.append("\"/>\n");
      if (markers) {
        for (double[] p : points) {
          sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\""
              + " fill=\"%s\"/>\n", px(p[0]), py(p[1]), color));
        }
      }
    }

    /** A tick label: whole numbers from 100 up (steps), three significant digits below. */
    private static String tick(double v) {
      if (Math.abs(v) >= 100 || v == Math.rint(v)) {
        return Long.toString(Math.round(v));
      }
      return String.format(Locale.ROOT, "%.3g", v);
    }
  }
}
