package dev.netspec.runtime.seed;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.tensor.Tensor;

/**
 * The tutorial's hand-made Sequential. PyTorch's version keys each child by the child object
 * itself; Java keys them by index, as {@code nn.Sequential} does, so that the block prints and
 * has a state dict ({@code 0.weight}, ...), which the PyTorch original has not.
 */
class MySequential extends Module {
  MySequential(Module... blocks) {
    for (int i = 0; i < blocks.length; i++) {
      addModule(String.valueOf(i), blocks[i]);
    }
  }

  @Override
  public Tensor forward(Tensor x) {
    for (Module block : children()) {
      System.out.println(block);
      x = block.forward(x);
    }
    return x;
  }
}
