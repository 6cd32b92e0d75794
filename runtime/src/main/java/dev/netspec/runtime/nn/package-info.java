/**
 * Modules and layers with PyTorch's names and semantics ({@code torch.nn}).
 *
 * <p>{@link dev.netspec.runtime.nn.Module} is the base: ordered parameters, buffers and
 * children; PyTorch's dotted names, state dicts, reprs, {@code apply}, train and eval modes;
 * seeded initialization by {@link dev.netspec.runtime.nn.Module#initialize(long)}. The
 * layers: {@link dev.netspec.runtime.nn.Sequential}, {@link dev.netspec.runtime.nn.Linear},
 * {@link dev.netspec.runtime.nn.LazyLinear}, {@link dev.netspec.runtime.nn.ReLU},
 * {@link dev.netspec.runtime.nn.Sigmoid}, {@link dev.netspec.runtime.nn.Tanh},
 * {@link dev.netspec.runtime.nn.GELU}, {@link dev.netspec.runtime.nn.Softmax},
 * {@link dev.netspec.runtime.nn.LogSoftmax}, {@link dev.netspec.runtime.nn.Dropout},
 * {@link dev.netspec.runtime.nn.Flatten}, {@link dev.netspec.runtime.nn.Identity} and
 * {@link dev.netspec.runtime.nn.LayerNorm}. Their forwards call the stateless
 * {@link dev.netspec.runtime.nn.Functional}.
 *
 * <pre>{@code
 * Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
 * net.initialize(42);                    // every parameter from (42, its state-dict name)
 * Tensor y = net.forward(x);
 * System.out.println(net);               // Sequential(\n  (0): Linear(in_features=20, ...
 * net.apply(m -> {                       // net.apply(init_normal)
 *   if (m instanceof Linear l) {
 *     Init.normal_(l.weight.data(), 0, 0.01, Generator.forName(0, "w"));
 *     Init.zeros_(l.bias.data());
 *   }
 * });
 * }</pre>
 */
package dev.netspec.runtime.nn;
