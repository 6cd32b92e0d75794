package dev.netspec.cli;

import dev.netspec.runtime.io.Idx;
import dev.netspec.runtime.io.IdxException;
import dev.netspec.runtime.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code netspec idx --images I.gz --labels L.gz --output D.safetensors [--limit N]}: an
 * image data set in IDX files (MNIST, Fashion-MNIST) as the tensors {@code x} and {@code
 * target} that {@code netspec train} reads.
 */
@Command(
    name = "idx",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Converts IDX image and label files (MNIST, Fashion-MNIST) to training data.",
    description = "Reads the images (N, H, W) and labels (N) of an IDX pair, plain or gzipped,"
        + " and writes them as the tensors 'x' (float32 (N, 1, H, W), pixels scaled to [0, 1]"
        + " as torchvision's ToTensor does) and 'target' (int64 class indices), the data"
        + " 'netspec train' reads.")
final class IdxCommand implements Callable<Integer> {
  @Spec
  private picocli.CommandLine.Model.CommandSpec command;

  @Option(names = "--images", required = true, paramLabel = "IMAGES",
      description = "The images, such as train-images-idx3-ubyte.gz.")
  private Path images;

  @Option(names = "--labels", required = true, paramLabel = "LABELS",
      description = "The labels, such as train-labels-idx1-ubyte.gz.")
  private Path labels;

  @Option(names = "--output", required = true, paramLabel = "D.safetensors",
      description = "Where to write 'x' and 'target'.")
  private Path output;

  @Option(names = "--limit", paramLabel = "N",
      description = "Keep only the first N samples.")
  private Integer limit;

  @Mixin
  private Streams streams;

  @Override
  public Integer call() throws UserException {
    if (limit != null && limit <= 0) {
      throw new ParameterException(command.commandLine(), "--limit must be positive");
    }
    TensorFiles.checkOutput(output, "--output", "data.safetensors");
    Tensor x = read(images, false);
    Tensor target = read(labels, true);
    if (x.dim() != 3) {
      throw UserException.at(images, "expected images (N, H, W), got shape "
          + Arrays.toString(x.shape()));
    }
    if (target.dim() != 1 || target.size(0) != x.size(0)) {
      throw UserException.at(labels, "expected " + x.size(0) + " labels (N), got shape "
          + Arrays.toString(target.shape()));
    }
    int n = limit == null ? x.size(0) : Math.min(limit, x.size(0));
    x = toTensor(x.slice(0, 0, n).toFloatArray(), n, x.size(1), x.size(2));
    target = target.slice(0, 0, n).contiguous();
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("x", x);
    out.put("target", target);
    TensorFiles.write(out, output);
    streams.out().println("wrote " + n + " samples to " + output + ": x "
        + Arrays.toString(x.shape()) + " float32, target [" + n + "] int64");
    return Netspec.OK;
  }

  /**
   * torchvision's {@code ToTensor}: the bytes divided by 255, shaped (N, 1, H, W). A plain
   * loop, not {@code Tensor.div}: idx runs without the Vector API (bin/netspec adds it only
   * for the commands that compute), where the kernels would warn that they fall back.
   */
  private static Tensor toTensor(float[] pixels, int n, int height, int width) {
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] /= 255f;
    }
    return Tensor.fromArray(pixels, n, 1, height, width);
  }

  private static Tensor read(Path file, boolean longs) throws UserException {
    if (!Files.isRegularFile(file)) {
      throw UserException.at(file, "no such file");
    }
    try {
      return longs ? Idx.readLongs(file) : Idx.readFloats(file);
    } catch (IdxException e) {
      String m = e.getMessage();
      String prefix = file + ": ";
      throw UserException.at(file, m.startsWith(prefix) ? m.substring(prefix.length()) : m);
    }
  }
}
