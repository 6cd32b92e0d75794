package dev.netspec.compiler.generate;

import com.palantir.javapoet.ClassName;

/** The runtime classes generated code refers to. */
final class RuntimeTypes {
  static final String NN = "dev.netspec.runtime.nn";
  static final ClassName MODULE = ClassName.get(NN, "Module");
  static final ClassName FUNCTIONAL = ClassName.get(NN, "Functional");
  static final ClassName SEQUENTIAL = ClassName.get(NN, "Sequential");
  static final ClassName WORKSPACE = ClassName.get(NN, "Workspace");
  static final ClassName MODULE_LIST = ClassName.get(NN, "ModuleList");
  static final ClassName MODULE_DICT = ClassName.get(NN, "ModuleDict");
  static final ClassName PARAMETER = ClassName.get(NN, "Parameter");
  static final ClassName PARAMETER_SEEDS = ClassName.get(NN, "ParameterSeeds");
  static final ClassName TENSOR = ClassName.get("dev.netspec.runtime.tensor", "Tensor");
  static final ClassName INIT = ClassName.get("dev.netspec.runtime.init", "Init");
  static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
  static final ClassName LIST = ClassName.get("java.util", "List");
  static final ClassName ACTIVATION = ClassName.get("dev.netspec.runtime.kernels", "Activation");

  private RuntimeTypes() {}

  /** The runtime class of a builtin layer ({@code Linear}, {@code ReLU}, ...). */
  static ClassName layer(String simpleName) {
    return ClassName.get(NN, simpleName);
  }
}
