package dev.netspec.runtime.io;

import dev.netspec.runtime.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

// THROWAWAY facade stub (delete before merging branch `io`).
public final class SafeTensors {
  private SafeTensors() {}

  public static Map<String, Tensor> load(Path p) throws IOException {
    throw new UnsupportedOperationException("io stub");
  }

  public static void save(Map<String, Tensor> tensors, Path p) throws IOException {
    throw new UnsupportedOperationException("io stub");
  }
}
