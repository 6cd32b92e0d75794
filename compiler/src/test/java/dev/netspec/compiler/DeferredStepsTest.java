package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which statements the allocation-free forward runs as one layer call: {@code h = bn(conv(x))}
 * waits for its one use ({@code relu(h + x)}) and runs there as the runtime's {@code
 * conv.forwardInto(x, bn, act, add, out)} with the residual and the activation, but only at
 * the top level of the forward, when nothing between the two statements mentions {@code h} or
 * what it reads, when {@code h} is read once and never after, when the use's layer is {@code
 * conv} itself and when no child has two names ({@code ForwardWriter.defer}'s rules). The
 * values are the same either way (EpilogueTest computes them by hand), so only the generated
 * call shows it: its {@code add} argument is {@code x} when fused, {@code null} when {@code h}
 * is computed on its own step. Text only, no javac.
 */
class DeferredStepsTest {
  private static final String SPEC = """
      netspec: 1
      package: t.defer
      blocks:
        Deferred:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
            act: relu
          forward: |
            h = bn(conv(x))
            s = h + x
            return act(s)
        Returned:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: |
            h = bn(conv(x))
            return relu(h + x)
        Reassigned:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: |
            h = bn(conv(x))
            h = relu(x + h)
            return h
        ConvOnly:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
          forward: |
            h = conv(x)
            return relu(h + x)
        ReadAgain:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: |
            h = bn(conv(x))
            s = relu(h + x)
            return s + h
        Between:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: |
            h = bn(conv(x))
            y = x * 2
            return relu(h + y)
        Unrelated:
          input: [batch, 2, length]
          params:
            b: {shape: [2, 1], init: zeros}
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: |
            h = bn(conv(x))
            y = b * 2
            s = relu(h + x)
            return s + y
        Activated:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
          forward: |
            h = relu(conv(x))
            return relu(h + x)
        Twice:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: |
            h = bn(conv(x))
            return relu(h + h)
        Other:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            other: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: |
            h = bn(conv(x))
            return relu(other(x) + h)
        InIf:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
          forward: |
            if sum(x) > 0:
              h = bn(conv(x))
              x = relu(h + x)
            return x
        Shared:
          input: [batch, 2, length]
          layers:
            conv: {conv1d: {in_channels: 2, out_channels: 2, kernel_size: 1}}
            bn: {batch_norm1d: 2}
            again: {same_as: conv}
          forward: |
            h = bn(conv(x))
            s = relu(h + x)
            return again(s)
      """;

  private static final Map<String, String> SOURCES = new HashMap<>();

  @BeforeAll
  static void compile() {
    Specs.compileClean("defer.yaml", SPEC).files().forEach(f -> SOURCES.put(f.className(), f.content()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // fused: h's layer call takes the residual x (and the ReLU when the use applies one)
      "Deferred   | conv.forwardInto(x, bn, Activation.NONE, x, ",
      "Returned   | return conv.forwardInto(x, bn, Activation.RELU, x, output)",
      "Reassigned | h = conv.forwardInto(x, bn, Activation.RELU, x, ",
      "ConvOnly   | return conv.forwardInto(x, Activation.RELU, x, output)",
      "Unrelated  | s = conv.forwardInto(x, bn, Activation.RELU, x, ",
      // not fused: h on its own step, without a residual
      "Between    | Tensor h = conv.forwardInto(x, bn, Activation.NONE, null, ",
      "ReadAgain  | Tensor h = conv.forwardInto(x, bn, Activation.NONE, null, ",
      "Twice      | Tensor h = conv.forwardInto(x, bn, Activation.NONE, null, ",
      "Other      | Tensor h = conv.forwardInto(x, bn, Activation.NONE, null, ",
      "InIf       | Tensor h = conv.forwardInto(x, bn, Activation.NONE, null, ",
      "Shared     | Tensor h = conv.forwardInto(x, bn, Activation.NONE, null, ",
      // relu(conv(x)) + x: the ReLU comes before the add, which a layer's epilogue cannot do
      "Activated  | Tensor h = conv.forwardInto(x, Activation.RELU, ",
  })
  void theLayerCallOfH(String block, String call) {
    String java = SOURCES.get("t.defer." + block);
    assertTrue(java.contains(call), block + " should call " + call + "\n" + java);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"Deferred", "Returned", "Reassigned", "ConvOnly"})
  void aFusedStepLeavesNoSeparateAdd(String block) {
    String java = SOURCES.get("t.defer." + block);
    String into = java.substring(java.indexOf("public Tensor forward(Tensor x, Tensor output)"));
    into = into.substring(0, into.indexOf("\n  }\n"));
    assertTrue(!into.contains("null, "), block + ": an unfused step\n" + into);
    assertTrue(!into.contains(".add"), block + ": a separate add\n" + into);
  }
}
