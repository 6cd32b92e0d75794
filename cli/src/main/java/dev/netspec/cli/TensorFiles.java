package dev.netspec.cli;

import dev.netspec.runtime.io.SafeTensors;
import dev.netspec.runtime.io.SafeTensorsException;
import dev.netspec.runtime.io.SafeTensorsFile;
import dev.netspec.runtime.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The safetensors files the commands read and write, with their errors worded for the user. */
final class TensorFiles {
  private TensorFiles() {}

  /** The tensors of {@code file}; a note on {@code err} names those converted from float64. */
  static Map<String, Tensor> read(Path file, PrintWriter err) throws UserException {
    if (!Files.isRegularFile(file)) {
      throw UserException.at(file, "no such file");
    }
    SafeTensorsFile loaded;
    try {
      loaded = SafeTensors.load(file);
    } catch (SafeTensorsException e) {
      throw UserException.at(file, e.fault());
    }
    List<String> doubles = loaded.dtypes().entrySet().stream()
        .filter(e -> e.getValue().equals("F64")).map(Map.Entry::getKey).sorted().toList();
    if (!doubles.isEmpty()) {
      err.println(file + ": note: float64 converted to float32 (netspec computes in"
          + " float32): " + (doubles.size() <= 3 ? String.join(", ", doubles)
              : doubles.size() + " tensors"));
    }
    return loaded.tensors();
  }

  /**
   * Refuses, before any work, an output path that cannot be a file: a folder, or a file in a
   * folder that does not exist. The message says what to pass instead.
   *
   * @param option the option that named it, such as {@code --output}
   * @param example a file name the message suggests, such as {@code y.safetensors}
   */
  static void checkOutput(Path file, String option, String example) throws UserException {
    if (Files.isDirectory(file)) {
      throw UserException.at(file, "is a folder; give " + option + " a file to write, such as "
          + file.resolve(example));
    }
    Path folder = file.toAbsolutePath().getParent();
    if (folder != null && !Files.isDirectory(folder)) {
      Path shown = file.getParent() != null ? file.getParent() : folder;
      throw UserException.at(file, Files.exists(folder)
          ? shown + " is a file, not a folder; give " + option + " a file in a folder"
          : "the folder " + shown + " does not exist; create it first (mkdir -p " + shown
              + ") or give " + option + " a file in an existing folder");
    }
  }

  /**
   * Saves atomically: a failed run leaves no half-written file. The commands {@linkplain
   * #checkOutput check} the path before they start.
   */
  static void write(Map<String, Tensor> tensors, Path file) throws UserException {
    try {
      SafeTensors.save(tensors, file);
    } catch (SafeTensorsException e) {
      throw UserException.at(file, e.fault());
    }
  }
}
