package dev.netspec.compiler;

import java.nio.file.Path;

/**
 * One generated Java source.
 *
 * @param relativePath where it goes below the output root, such as {@code com/example/models/Mlp.java}
 * @param className the qualified class name
 * @param content the source text (LF line ends, trailing newline)
 * @param spec the spec it was generated from
 */
public record GeneratedFile(String relativePath, String className, String content, Path spec) {}
