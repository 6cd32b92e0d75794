package dev.netspec.runtime.init;

import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.Map;

/**
 * Random weights for checking a model against PyTorch without shipping its weights: every
 * tensor of a state dict drawn from its own stream, {@code Generator.forName(seed, key)}, by
 * {@link Init#uniform_(Tensor, double, double, Generator)}, scaled by its role so activations
 * stay of order 1 through a deep network:
 *
 * <ul>
 *   <li>a weight of 2 or more dims (conv, linear): U(-b, b) with {@code b = sqrt(3 / fan_in)};
 *   <li>a 1-dim {@code *.weight} (a norm's scale) and {@code *.running_var}: U(0.5, 1.5);
 *   <li>{@code *.num_batches_tracked}: left as it is;
 *   <li>everything else (biases, {@code running_mean}): U(-0.1, 0.1).
 * </ul>
 *
 * <p>Only a multiply, an add and one rounding to float per value, no transcendental function:
 * {@code tools/fixtures/resnet_fixtures.py} draws the same bits in Python, so a test can fill
 * a generated ResNet-18 here and compare its output with PyTorch's on the same weights.
 *
 * <pre>{@code
 * ResNet18 net = new ResNet18();
 * RandomStateDict.fill_(net.stateDict(), 13);   // stateDict() holds the live tensors
 * }</pre>
 */
public final class RandomStateDict {
  private RandomStateDict() {}

  /**
   * Fills every tensor of {@code stateDict} in place, each from its own stream.
   *
   * @return {@code stateDict}
   */
  public static Map<String, Tensor> fill_(Map<String, Tensor> stateDict, long seed) {
    stateDict.forEach((key, t) -> {
      double[] range = range(key, t.shape());
      if (range != null) {
        Init.uniform_(t, range[0], range[1], Generator.forName(seed, key));
      }
    });
    return stateDict;
  }

  /** {@code {low, high}} of the tensor named {@code key}, or null to leave it as it is. */
  static double[] range(String key, int[] shape) {
    if (key.endsWith("num_batches_tracked")) {
      return null;
    }
    if (shape.length >= 2) {
      double bound = Math.sqrt(3.0 / Init.fans(shape).fanIn());
      return new double[] {-bound, bound};
    }
    if (key.endsWith("running_var") || key.endsWith("weight")) {
      return new double[] {0.5, 1.5};
    }
    return new double[] {-0.1, 0.1};
  }
}
