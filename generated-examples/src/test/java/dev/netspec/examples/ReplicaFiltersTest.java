package dev.netspec.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netspec.runtime.autograd.GradMode;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Replicas of the generated ResNet-18 ({@code specs/resnet18.yaml}) read the original's
 * packed convolution filters (folded with their batch norms) instead of packing their own:
 * memory is one copy of the weights plus a workspace per replica. Before, each replica kept
 * its own packed (and folded) filters, about as large as the weights (+45 MB a replica).
 * And a weight edited between calls is seen, repacked, by the original and every replica.
 */
class ReplicaFiltersTest {
  @Test
  void replicasShareThePackedFiltersAndSeeWeightUpdates() throws Exception {
    try (GradMode.Scope ignored = GradMode.noGrad()) {
      ResNet net = new ResNet(7L).eval();
      Tensor x = Tensor.rand(new Generator(3), 1, 3, 32, 32);
      Tensor out = Tensor.zeros(1, 1000);
      float[] expected = net.forward(x, out).toFloatArray();
      long weights = 0;
      for (Parameter p : net.parameters()) {
        weights += p.data().numel() * Float.BYTES;
      }

      long before = heapAfterGc();
      ResNet[] replicas = new ResNet[4];
      for (int i = 0; i < replicas.length; i++) {
        replicas[i] = net.replica();
        assertArrayEquals(expected, replicas[i].forward(x, Tensor.zeros(1, 1000)).toFloatArray(),
            "replica " + i);
      }
      long perReplica = (heapAfterGc() - before) / replicas.length;
      assertTrue(perReplica < weights / 4, "a warm replica retains " + perReplica
          + " bytes; the weights are " + weights + " bytes (packed filters not shared?)");

      // An in-place edit of a convolution's weight and of a batch norm's weight: every
      // replica sees both (repacked and refolded), as the original does.
      net.conv1.weight.data().mul_(0.5f);
      net.bn1.weight.data().add_(0.25f);
      float[] edited = net.forward(x, out).toFloatArray();
      assertTrue(!java.util.Arrays.equals(expected, edited), "the edit changed nothing");
      for (int i = 0; i < replicas.length; i++) {
        assertArrayEquals(edited, replicas[i].forward(x, Tensor.zeros(1, 1000)).toFloatArray(),
            "replica " + i + " after the edit");
      }
      ResNet fresh = new ResNet(7L).eval();
      fresh.conv1.weight.data().mul_(0.5f);
      fresh.bn1.weight.data().add_(0.25f);
      assertArrayEquals(fresh.forward(x, Tensor.zeros(1, 1000)).toFloatArray(), edited,
          "the edited model against a fresh one edited the same way");
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
