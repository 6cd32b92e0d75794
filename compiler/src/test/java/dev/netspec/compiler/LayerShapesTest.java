package dev.netspec.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The spatial layer kinds' shape rules against PyTorch (fixtures/layer_shapes.json, made by
 * tools/fixtures/layer_shapes.py): output shape, repr and state-dict shapes for a concrete
 * input, or an error where PyTorch refuses; then symbolic sizes and the errors' wording.
 */
class LayerShapesTest {
  static Stream<JsonNode> cases() {
    JsonNode root = JsonMapper.builder().build().readTree(Specs.resource("fixtures/layer_shapes.json"));
    List<JsonNode> out = new ArrayList<>();
    root.get("cases").forEach(out::add);
    return out.stream();
  }

  private static String spec(String input, String layers) {
    return "netspec: 1\npackage: p\nblocks:\n  Net:\n    input: " + input + "\n    sequential:\n" + layers;
  }

  private static List<Object> ints(JsonNode array) {
    List<Object> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void agreesWithPyTorch(JsonNode c) {
    String text = spec(c.get("input").toString(), "      - {\"" + c.get("kind").asString() + "\": " + c.get("args") + "}\n");
    if (c.has("error")) {
      List<String> errors = Specs.errors(text);
      assertFalse(errors.isEmpty(), "PyTorch refuses (" + c.get("error").asString() + "), netspec accepts " + text);
      assertTrue(errors.get(0).startsWith("t.yaml:7:"), errors.toString());
      return;
    }
    Inspection in = Specs.compileClean("t.yaml", text).inspect("Net", null);
    assertEquals(ints(c.get("output")), in.outputShape(), text);
    assertEquals(c.get("repr").asString(), in.repr(), text);
    List<Inspection.StateEntry> state = new ArrayList<>();
    c.get("state").forEach(e -> state.add(new Inspection.StateEntry("0." + e.get(0).asString(), ints(e.get(1)))));
    assertEquals(state, in.stateDict(), text);
  }

  private static final String STEM = """
        - {conv2d: {out_channels: 64, kernel_size: 7, stride: 2, padding: 3, bias: false}}
        - relu
        - {max_pool2d: {kernel_size: 3, stride: 2, padding: 1}}
  """;

  @Test
  void symbolicSizesAreSimplifiedExpressionsAndAConcreteInputMakesThemNumbers() {
    Compilation c = Specs.compileClean("t.yaml", spec("[batch, 3, height, width]", STEM));
    assertEquals(List.of("batch", 64, "(height - 1) / 4 + 1", "(width - 1) / 4 + 1"),
        c.inspect("Net", null).outputShape());
    // torchvision's resnet18 on 224x224: 112 after the stem's conv, 56 after its pool
    assertEquals(List.of(1, 64, 56, 56), c.inspect("Net", new int[] {1, 3, 224, 224}).outputShape());
    assertEquals(List.of(2, 64, 1, 1), c.inspect("Net", new int[] {2, 3, 1, 1}).outputShape());
  }

  @Test
  void aChannelMismatchNamesBothNumbersAtTheLayer() {
    assertEquals(List.of("t.yaml:7:9: error: Net.0 (conv2d): expects 4 input channels, got 3"),
        Specs.errors(spec("[1, 3, 8, 8]", "      - {conv2d: {in_channels: 4, out_channels: 8, kernel_size: 3}}\n")));
    assertEquals(List.of("t.yaml:8:9: error: Net.1 (conv2d): expects 16 input channels, got 8"),
        Specs.errors(spec("[batch, 3, height, width]", "      - {conv2d: {out_channels: 8, kernel_size: 3}}\n"
            + "      - {conv2d: {in_channels: 16, out_channels: 8, kernel_size: 3}}\n")));
  }

  @Test
  void anInputTooSmallForTheWindowIsAnErrorAtTheLayersLine() {
    assertEquals(List.of("t.yaml:8:9: error: Net.1 (max_pool2d): output height would be 0 for input height 1"
            + " (kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False); the input is too small"),
        Specs.errors(spec("[1, 3, 4, 4]", "      - {conv2d: {out_channels: 8, kernel_size: 3, stride: 2}}\n"
            + "      - {max_pool2d: 2}\n")));
  }

  @Test
  void channelsComeFromTheChannelDimOrAreAnError() {
    assertEquals(List.of("t.yaml:6:7: error: Net.conv (conv2d): never called, so its input channels are"
            + " unknown; call it in 'forward' or give 'in_channels'"),
        Specs.errors("netspec: 1\npackage: p\nblocks:\n  Net:\n    layers:\n"
            + "      conv: {conv2d: {out_channels: 4, kernel_size: 3}}\n    forward: x * 2\n"));
    assertEquals(List.of("t.yaml:6:7: error: Net.fc (linear): never called, so its input features are"
            + " unknown; call it in 'forward' or give 'in_features'"),
        Specs.errors("netspec: 1\npackage: p\nblocks:\n  Net:\n    layers:\n"
            + "      fc: {linear: 4}\n    forward: x * 2\n"));
    assertEquals(List.of("t.yaml:7:9: error: Net.0 (conv2d): input channels 'c' are symbolic; the input's"
            + " channel dim must be a number or an int argument"),
        Specs.errors(spec("[batch, c, h, w]", "      - {conv2d: {out_channels: 4, kernel_size: 3}}\n")));
    // the commonest form of it: images without their channel dim, read as unbatched [C, H, W]
    assertEquals(List.of("t.yaml:7:9: error: Net.0 (conv2d): expects (N, C, H, W) or unbatched (C, H, W), got"
            + " [batch, 28, 28], whose first dim 'batch' would be read as the channels; add the channel dim after"
            + " 'batch', as in [batch, 1, 28, 28]"),
        Specs.errors(spec("[batch, 28, 28]", "      - {conv2d: {out_channels: 4, kernel_size: 3}}\n")));
    // with in_channels given, the same (not "expects 3 input channels, got batch"); conv1d's letters
    assertEquals(List.of("t.yaml:7:9: error: Net.0 (conv1d): expects (N, C, L) or unbatched (C, L), got"
            + " [batch, length], whose first dim 'batch' would be read as the channels; add the channel dim after"
            + " 'batch', as in [batch, 3, length]"),
        Specs.errors(spec("[batch, length]", "      - {conv1d: {in_channels: 3, out_channels: 4, kernel_size: 3}}\n")));
    // a number first is PyTorch's unbatched (C, H, W): it compiles
    assertEquals(List.of(), Specs.errors(spec("[3, 28, 28]", "      - {conv2d: {out_channels: 4, kernel_size: 3}}\n")));
    assertEquals(List.of("t.yaml:7:9: error: Net.0 (conv2d): input channels are known only at the first forward,"
            + " and conv2d cannot wait for them; give 'in_channels' or a number in the input's channel dim"),
        Specs.errors(spec("[batch, \"?\", h, w]", "      - {conv2d: {out_channels: 4, kernel_size: 3}}\n")));
  }

  @Test
  void theGeneratedClassRefusesAnInputTooSmallForItsWindowsWithOneMessage() {
    // PyTorch: this stack fails at length 2 ("Output size is too small") and runs at length 3
    Compilation c = Specs.compileClean("t.yaml", spec("[batch, 2, length]", """
              - {conv1d: {out_channels: 4, kernel_size: 3, stride: 2, padding: 1}}
              - {max_pool1d: {kernel_size: 2, stride: 2}}
              - {avg_pool1d: {kernel_size: 3, ceil_mode: true}}
        """));
    String source = c.files().get(0).content();
    assertTrue(source.contains("if (x.size(2) < 3) {"), source);
    assertTrue(source.contains("throw new IllegalArgumentException(\"Net: input (batch, 2, length) needs length >= 3,"
        + " got \" + Arrays.toString(x.shape()));"), source);
    assertEquals(List.of("batch", 4, "(length - 3) / 12 + 1"), c.inspect("Net", null).outputShape());
  }
}
