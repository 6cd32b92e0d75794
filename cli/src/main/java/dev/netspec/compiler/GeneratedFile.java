package dev.netspec.compiler;

import java.nio.file.Path;

// THROWAWAY facade stub (delete before merging branch `compiler`).
public record GeneratedFile(String relativePath, String className, String content, Path spec) {}
