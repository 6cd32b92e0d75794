package dev.netspec.runtime.autograd;

import static dev.netspec.runtime.autograd.GradFixtures.list;
import static dev.netspec.runtime.autograd.GradFixtures.map;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netspec.runtime.nn.GRU;
import dev.netspec.runtime.nn.LSTM;
import dev.netspec.runtime.nn.Linear;
import dev.netspec.runtime.nn.MultiheadAttention;
import dev.netspec.runtime.tensor.Generator;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The grad_fn names PyTorch 1.13 gives the outputs of the layers whose C++ takes several
 * paths ({@code tools/fixtures/grad_fn_fixtures.py}, {@code grad_fns.json}): {@code
 * nn.Linear} on every rank, contiguous or not, with and without a bias; the outputs and final
 * states of {@code nn.LSTM} and {@code nn.GRU} in every layout; the output and attention
 * weights of {@code nn.MultiheadAttention}. Only the names: the numbers are {@link
 * ModuleGradParityTest}'s.
 */
class GradFnNamesTest {
  private final Generator gen = new Generator(3);

  static Stream<String> cases() {
    List<String> names = new ArrayList<>();
    for (Object c : list(GradFixtures.load("grad_fns.json").get("cases"))) {
      names.add((String) map(c).get("name"));
    }
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void outputsCarryPyTorchsGradFnNames(String name) {
    Map<String, Object> c = GradFixtures.cases("grad_fns.json", name).get(0);
    List<Tensor> outputs = switch ((String) c.get("kind")) {
      case "linear" -> linear(c);
      case "lstm", "gru" -> recurrent(c);
      case "mha" -> attention(c);
      default -> throw new IllegalStateException("unknown kind in " + name);
    };
    List<String> names = new ArrayList<>();
    for (Tensor t : outputs) {
      names.add(t == null || t.gradFn() == null ? null : t.gradFn().name());
    }
    assertEquals(list(c.get("names")), names, name);
  }

  private List<Tensor> linear(Map<String, Object> c) {
    int[] shape = shape(c);
    Tensor x = (Boolean) c.get("transpose") ? leafTransposed(shape) : leaf(shape);
    return List.of(new Linear(8, 5, (Boolean) c.get("bias")).forward(x));
  }

  private List<Tensor> recurrent(Map<String, Object> c) {
    boolean lstm = c.get("kind").equals("lstm");
    int layers = ((Number) c.get("layers")).intValue();
    boolean bi = (Boolean) c.get("bidirectional");
    boolean batchFirst = (Boolean) c.get("batch_first");
    Tensor x = leaf(shape(c));
    int dirs = bi ? 2 : 1;
    int[] state = (Boolean) c.get("unbatched") ? new int[] {layers * dirs, 4}
        : new int[] {layers * dirs, 2, 4};
    boolean given = (Boolean) c.get("state");
    if (lstm) {
      LSTM m = new LSTM(3, 4, layers, true, batchFirst, 0, bi);
      LSTM.Output o = given ? m.forwardWithState(x, leaf(state), leaf(state))
          : m.forwardWithState(x);
      return List.of(o.output(), o.hN(), o.cN());
    }
    GRU m = new GRU(3, 4, layers, true, batchFirst, 0, bi);
    GRU.Output o = given ? m.forwardWithState(x, leaf(state)) : m.forwardWithState(x);
    return List.of(o.output(), o.hN());
  }

  private List<Tensor> attention(Map<String, Object> c) {
    String inputs = (String) c.get("inputs");
    boolean kdim = inputs.equals("kdim");
    boolean batchFirst = (Boolean) c.get("batch_first");
    boolean unbatched = (Boolean) c.get("unbatched");
    MultiheadAttention m = new MultiheadAttention(4, 2, 0.0, true, false, false,
        kdim ? 3 : null, kdim ? 5 : null, batchFirst);
    Tensor q = leaf(shape(c));
    Tensor k = q;
    Tensor v = q;
    if (!inputs.equals("self")) {
      k = leaf(sequence(5, kdim ? 3 : 4, batchFirst, unbatched));
      v = leaf(sequence(5, kdim ? 5 : 4, batchFirst, unbatched));
    }
    String weights = (String) c.get("weights");
    MultiheadAttention.Output o = m.forward(q, k, v, null, !weights.equals("none"), null,
        weights.equals("average"));
    return Arrays.asList(o.output(), o.weights());
  }

  private static int[] sequence(int n, int e, boolean batchFirst, boolean unbatched) {
    return unbatched ? new int[] {n, e} : batchFirst ? new int[] {2, n, e} : new int[] {n, 2, e};
  }

  private static int[] shape(Map<String, Object> c) {
    return list(c.get("shape")).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
  }

  private Tensor leaf(int... shape) {
    return Tensor.randn(gen, shape).requiresGrad_(true);
  }

  /** A leaf of {@code shape} viewed through a transpose of its first two dims: not contiguous. */
  private Tensor leafTransposed(int... shape) {
    int[] swapped = shape.clone();
    swapped[0] = shape[1];
    swapped[1] = shape[0];
    return leaf(swapped).transpose(0, 1);
  }
}
