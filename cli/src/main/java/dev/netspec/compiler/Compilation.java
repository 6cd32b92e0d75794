package dev.netspec.compiler;

import java.nio.file.Path;
import java.util.List;

// THROWAWAY facade stub (delete before merging branch `compiler`).
public final class Compilation {
  public List<Diagnostic> diagnostics() { throw new UnsupportedOperationException(); }
  public boolean hasErrors() { throw new UnsupportedOperationException(); }
  public List<GeneratedFile> files() { throw new UnsupportedOperationException(); }
  public String defaultBlock(Path spec) { throw new UnsupportedOperationException(); }
  public Inspection inspect(String block, int[] inputShape) { throw new UnsupportedOperationException(); }
}
