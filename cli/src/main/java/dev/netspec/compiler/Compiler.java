package dev.netspec.compiler;

import java.util.List;

// THROWAWAY facade stub (delete before merging branch `compiler`).
public final class Compiler {
  public static final String VERSION = "stub";

  public Compiler(CompilerOptions o) {}

  public Compilation compile(List<SpecSource> sources) {
    throw new UnsupportedOperationException("compiler facade stub");
  }
}
