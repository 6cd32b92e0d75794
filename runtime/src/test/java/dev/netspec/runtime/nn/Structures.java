package dev.netspec.runtime.nn;

import dev.netspec.runtime.tensor.Tensor;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Java twins of the structures {@code tools/fixtures/nn_fixtures.py} builds in PyTorch:
 * same children, same names, same class names.
 */
final class Structures {
  private Structures() {}

  static final Map<String, Supplier<Module>> ALL = Map.ofEntries(
      Map.entry("mlp", () -> new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10))),
      Map.entry("MLP", MLP::new),
      Map.entry("rgnet", () -> new Sequential(block2(), new Linear(4, 1))),
      Map.entry("chimera",
          () -> new Sequential(new NestMLP(), new Linear(16, 20), new FixedHiddenMLP())),
      Map.entry("shared", Structures::sharedNet),
      Map.entry("mixed", Mixed::new),
      Map.entry("appended", () -> new Sequential().append(new Linear(2, 3))
          .add("act", new Tanh()).append(new Linear(3, 1))),
      Map.entry("zoo", Structures::zoo),
      Map.entry("empty", Sequential::new),
      Map.entry("verbose", Verbose::new),
      Map.entry("linear31", () -> new Linear(3, 1)));

  static Module make(String name) {
    Supplier<Module> s = ALL.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no Java twin for fixture structure " + name);
    }
    return s.get();
  }

  static Sequential block1() {
    return new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 4), new ReLU());
  }

  static Sequential block2() {
    Sequential net = new Sequential();
    for (int i = 0; i < 4; i++) {
      net.add("block" + i, block1());
    }
    return net;
  }

  static Sequential sharedNet() {
    Linear shared = new Linear(8, 8);
    return new Sequential(new Linear(4, 8), new ReLU(), shared, new ReLU(), shared, new ReLU(),
        new Linear(8, 1));
  }

  static Sequential zoo() {
    return new Sequential(new Flatten(), new Linear(3, 2, false), new GELU(), new Softmax(-1),
        new LogSoftmax(1), new Dropout(), new Dropout(0.1), new Identity(), new LayerNorm(256),
        new LayerNorm(new int[] {2, 3}, 1e-6, false), new Tanh(), new Sigmoid(),
        new Flatten(0, 2), new ReLU(), new Dropout(0.25),
        new LayerNorm(new int[] {4}, 0.001, true));
  }

  /** The tutorial's custom block. */
  static final class MLP extends Module {
    final Linear hidden = addModule("hidden", new Linear(20, 256));
    final Linear out = addModule("out", new Linear(256, 10));

    @Override
    public Tensor forward(Tensor x) {
      return out.forward(Functional.relu(hidden.forward(x)));
    }
  }

  /** The tutorial's block with a constant weight (a buffer here) and a reused layer. */
  static final class FixedHiddenMLP extends Module {
    final Tensor randWeight = registerBuffer("rand_weight", Tensor.zeros(20, 20));
    final Linear linear = addModule("linear", new Linear(20, 20));

    @Override
    public Tensor forward(Tensor x) {
      x = linear.forward(x);
      x = Functional.relu(x.mm(randWeight.add(1f)));
      x = linear.forward(x);
      while (x.abs().sum().item() > 1) {
        x = x.div(2f);
      }
      return x.sum();
    }
  }

  static final class NestMLP extends Module {
    final Sequential net = addModule("net",
        new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 32), new ReLU()));
    final Linear linear = addModule("linear", new Linear(32, 16));

    @Override
    public Tensor forward(Tensor x) {
      return linear.forward(net.forward(x));
    }
  }

  /** A multi-line extra repr next to children, and a child with a one-line one. */
  static final class Verbose extends Module {
    final Tagged inner = addModule("inner", new Tagged());
    final Linear lin = addModule("lin", new Linear(1, 1));

    @Override
    public Tensor forward(Tensor x) {
      return lin.forward(inner.forward(x));
    }

    @Override
    public String extraRepr() {
      return "alpha=1\nbeta=2";
    }
  }

  static final class Tagged extends Module {
    final Identity id = addModule("id", new Identity());

    @Override
    public Tensor forward(Tensor x) {
      return id.forward(x);
    }

    @Override
    public String extraRepr() {
      return "tag=x";
    }
  }

  /** A child registered before the module's own parameter and buffers. */
  static final class Mixed extends Module {
    final Linear child = addModule("child", new Linear(2, 3));
    final Parameter scale = registerParameter("scale", new Parameter(Tensor.ones(3)));
    final Tensor running = registerBuffer("running", Tensor.zeros(3));
    final Tensor scratch = registerBuffer("scratch", Tensor.zeros(5), false);

    @Override
    public Tensor forward(Tensor x) {
      return child.forward(x).mul(scale.data());
    }
  }
}
