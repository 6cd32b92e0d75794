package dev.netspec.runtime.io;

import dev.netspec.runtime.nn.Module;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The PyTorch-made fixtures of tools/fixtures/io_fixtures.py, and small test modules. */
final class Fixtures {
  private Fixtures() {}

  /** One line of expected.tsv: what PyTorch says a tensor of a fixture file holds. */
  record Expected(String file, String key, String dtype, int[] shape, double sum, int[] bits) {
    /** The float32 values, when the fixture lists them (at most 64 values). */
    float[] values() {
      float[] out = new float[bits.length];
      for (int i = 0; i < bits.length; i++) {
        out[i] = Float.intBitsToFloat(bits[i]);
      }
      return out;
    }

    long numel() {
      long n = 1;
      for (int s : shape) {
        n *= s;
      }
      return n;
    }
  }

  static Path path(String file) {
    try {
      return Path.of(Fixtures.class.getResource("/fixtures/io/" + file).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] bytes(String file) {
    try {
      return Files.readAllBytes(path(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Expected> expected(String file) {
    List<Expected> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(path("expected.tsv"), StandardCharsets.UTF_8)) {
        if (line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (!f[0].equals(file)) {
          continue;
        }
        double sum = f[4].equals("nan") ? Double.NaN : Double.parseDouble(f[4]);
        out.add(new Expected(f[0], f[1], f[2], ints(f[3], ",", 10), sum,
            f[5].equals("-") ? new int[0] : ints(f[5], " ", 16)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("expected.tsv has no line for " + file);
    }
    return out;
  }

  private static int[] ints(String text, String separator, int radix) {
    if (text.isEmpty()) {
      return new int[0];
    }
    String[] parts = text.split(separator);
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = (int) Long.parseLong(parts[i], radix);
    }
    return out;
  }

  // ---------------------------------------------------------------- test modules

  /** A module with PyTorch Linear's parameter names and shapes; forward is not needed. */
  static final class Lin extends Module {
    Lin(int in, int out) {
      this(new Parameter(Tensor.zeros(out, in)), new Parameter(Tensor.zeros(out)));
    }

    /** A module holding the given parameters, possibly shared with another one. */
    Lin(Parameter weight, Parameter bias) {
      registerParameter("weight", weight);
      registerParameter("bias", bias);
    }

    @Override
    public Tensor forward(Tensor x) {
      throw new UnsupportedOperationException();
    }
  }

  /** A parameterless module (ReLU's place in a Sequential). */
  static final class Act extends Module {
    @Override
    public Tensor forward(Tensor x) {
      throw new UnsupportedOperationException();
    }
  }

  /** Children named "0", "1", ... in order, as nn.Sequential names them. */
  static final class Seq extends Module {
    Seq(Module... children) {
      for (int i = 0; i < children.length; i++) {
        addModule(Integer.toString(i), children[i]);
      }
    }

    @Override
    public Tensor forward(Tensor x) {
      throw new UnsupportedOperationException();
    }
  }

  /** The tutorial's MLP: hidden Linear(20, 256), out Linear(256, 10). */
  static final class Mlp extends Module {
    Mlp() {
      addModule("hidden", new Lin(20, 256));
      addModule("out", new Lin(256, 10));
    }

    @Override
    public Tensor forward(Tensor x) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * The state dict of Sequential(Linear(4, 8), ReLU, shared, ReLU, shared, ReLU, Linear(8, 1)):
   * children "2" and "4" hold the same two parameters. (Two modules sharing parameters rather
   * than one module registered twice, which Module on main walks only once.)
   */
  static Seq sharedNet() {
    Lin shared = new Lin(8, 8);
    Lin again = new Lin(shared.getParameter("weight"), shared.getParameter("bias"));
    return new Seq(new Lin(4, 8), new Act(), shared, new Act(), again, new Act(), new Lin(8, 1));
  }
}
