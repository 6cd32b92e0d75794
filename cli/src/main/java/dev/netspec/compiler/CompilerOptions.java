package dev.netspec.compiler;

// THROWAWAY facade stub (delete before merging branch `compiler`).
public record CompilerOptions(String packageOverride) {}
