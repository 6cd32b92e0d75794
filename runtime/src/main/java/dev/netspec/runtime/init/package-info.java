/**
 * Parameter initializers ({@code torch.nn.init}): {@link dev.netspec.runtime.init.Init} and
 * the {@link dev.netspec.runtime.init.Initializer} interface for custom ones;
 * {@link dev.netspec.runtime.init.RandomStateDict} fills a whole state dict with seeded test
 * weights that a Python script reproduces bit for bit.
 */
package dev.netspec.runtime.init;
