package dev.netspec.runtime.seed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.AdaptiveAvgPool2d;
import dev.netspec.runtime.nn.Conv2d;
import dev.netspec.runtime.nn.MaxPool2d;
import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The example of docs/runtime.md's "Convolutions and pooling": torchvision ResNet-18's stem
 * and head layers, printed as PyTorch 1.13 prints {@code nn.Conv2d(3, 64, kernel_size=7,
 * stride=2, padding=3, bias=False)}, {@code nn.MaxPool2d(kernel_size=3, stride=2, padding=1)}
 * and {@code nn.AdaptiveAvgPool2d((1, 1))} (the expected texts are PyTorch's output), with
 * their output shapes on a 224x224 image.
 */
class ResNetLayersTest {
  @Test
  void stemAndHeadPrintAndShapeAsPyTorch() {
    Module[] layers = {
new Conv2d(3, 64, new int[] {7}, new int[] {2}, new int[] {3}, new int[] {1}, 1, false, "zeros"),
new MaxPool2d(3, 2, 1),
new AdaptiveAvgPool2d(1, 1),
    };
    assertEquals("Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)",
        layers[0].toString());
    assertEquals("MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)",
        layers[1].toString());
    assertEquals("AdaptiveAvgPool2d(output_size=(1, 1))", layers[2].toString());
    Tensor x = Tensor.zeros(1, 3, 224, 224);
    for (Module m : layers) {
      x = m.forward(x);
    }
    assertArrayEquals(new int[] {1, 64, 1, 1}, x.shape()); // 224 -> 112 -> 56 -> 1
  }
}
