/**
 * Parameter initializers ({@code torch.nn.init}): {@link dev.netspec.runtime.init.Init} and
 * the {@link dev.netspec.runtime.init.Initializer} interface for custom ones.
 */
package dev.netspec.runtime.init;
