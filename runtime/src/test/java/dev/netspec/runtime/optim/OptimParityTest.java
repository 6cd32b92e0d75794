package dev.netspec.runtime.optim;

import static dev.netspec.runtime.autograd.GradFixtures.assertClose;
import static dev.netspec.runtime.autograd.GradFixtures.list;
import static dev.netspec.runtime.autograd.GradFixtures.map;
import static dev.netspec.runtime.autograd.GradFixtures.parseDouble;
import static dev.netspec.runtime.autograd.GradFixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.netspec.runtime.autograd.GradFixtures;
import dev.netspec.runtime.nn.Parameter;
import dev.netspec.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Optimizers, clipping and schedules against PyTorch ({@code fixtures/grad/optim.json}):
 * parameters after each of 3 steps on fixed gradients, clipped gradients and total norms,
 * learning rates per epoch.
 */
class OptimParityTest {
  private static final Map<String, Object> FIXTURE = GradFixtures.load("optim.json");

  private static double num(Map<String, Object> args, String name, double fallback) {
    Object v = args.get(name);
    return v == null ? fallback : ((Number) v).doubleValue();
  }

  private static boolean flag(Map<String, Object> args, String name) {
    return Boolean.TRUE.equals(args.get(name));
  }

  static Optimizer build(String name, Map<String, Object> args, List<ParamGroup> groups) {
    double b1 = args.containsKey("betas") ? num(Map.of("b", list(args.get("betas")).get(0)),
        "b", 0) : 0.9;
    double b2 = args.containsKey("betas") ? num(Map.of("b", list(args.get("betas")).get(1)),
        "b", 0) : 0.999;
    switch (name) {
      case "sgd":
        return new SGD(groups, num(args, "lr", 0), num(args, "momentum", 0),
            num(args, "dampening", 0), num(args, "weight_decay", 0), flag(args, "nesterov"));
      case "adam":
        return new Adam(groups, num(args, "lr", 1e-3), b1, b2, num(args, "eps", 1e-8),
            num(args, "weight_decay", 0), flag(args, "amsgrad"));
      case "adamw":
        return new AdamW(groups, num(args, "lr", 1e-3), b1, b2, num(args, "eps", 1e-8),
            num(args, "weight_decay", 1e-2), flag(args, "amsgrad"));
      case "rmsprop":
        return new RMSprop(groups, num(args, "lr", 1e-2), num(args, "alpha", 0.99),
            num(args, "eps", 1e-8), num(args, "weight_decay", 0), num(args, "momentum", 0),
            flag(args, "centered"));
      default:
        throw new IllegalStateException(name);
    }
  }

  @Test
  void everyOptimizerMatchesPyTorchForThreeSteps() {
    int n = 0;
    for (Object o : list(FIXTURE.get("optimizers"))) {
      Map<String, Object> c = map(o);
      Map<String, Object> args = map(c.get("args"));
      List<Parameter> params = new ArrayList<>();
      for (Object p : list(c.get("params"))) {
        params.add(new Parameter(tensor(p)));
      }
      List<ParamGroup> groups = new ArrayList<>();
      if (c.containsKey("groups")) {
        List<Object> gs = list(c.get("groups"));
        for (int i = 0; i < gs.size(); i++) {
          ParamGroup g = ParamGroup.of(List.of(params.get(i)));
          map(gs.get(i)).forEach((k, v) -> g.set(k, ((Number) v).doubleValue()));
          groups.add(g);
        }
      } else {
        groups.add(ParamGroup.of(params));
      }
      Optimizer opt = build((String) c.get("name"), args, groups);
      String what = c.get("name") + " " + args + (c.containsKey("groups") ? " groups" : "");
      List<Object> grads = list(c.get("grads"));
      for (int s = 0; s < grads.size(); s++) {
        for (int i = 0; i < params.size(); i++) {
          params.get(i).setGrad(tensor(list(grads.get(s)).get(i)));
        }
        opt.step();
        List<Object> after = list(list(c.get("after")).get(s));
        for (int i = 0; i < params.size(); i++) {
          assertClose(tensor(after.get(i)), params.get(i).data(), 2e-6, 1e-7,
              what + " step " + (s + 1) + " param " + i);
        }
      }
      n++;
    }
    assertEquals(13, n);
  }

  @Test
  void clipGradNormMatchesPyTorch() {
    for (Object o : list(FIXTURE.get("clip_grad_norm"))) {
      Map<String, Object> c = map(o);
      double normType = GradFixtures.parse((String) c.get("norm_type"));
      List<Parameter> params = new ArrayList<>();
      for (Object g : list(c.get("grads"))) {
        Tensor t = tensor(g);
        Parameter p = new Parameter(Tensor.zeros(t.shape()));
        p.setGrad(t);
        params.add(p);
      }
      float total = ClipGrad.clipGradNorm(params, ((Number) c.get("max_norm")).doubleValue(),
          normType);
      String what = "clip_grad_norm_ norm_type " + normType;
      assertEquals(parseDouble(c.get("total")), total, 2e-6 * total, what + " total");
      for (int i = 0; i < params.size(); i++) {
        assertClose(tensor(list(c.get("clipped")).get(i)), params.get(i).grad(), 2e-6, 1e-8,
            what + " grad " + i);
      }
    }
  }

  @Test
  void schedulesMatchPyTorchLearningRates() {
    for (Object o : list(FIXTURE.get("schedulers"))) {
      Map<String, Object> c = map(o);
      Map<String, Object> a = map(c.get("args"));
      Optimizer opt = new SGD(List.of(new Parameter(Tensor.zeros(1))), 0.1);
      Function<Optimizer, LRScheduler> make;
      switch ((String) c.get("name")) {
        case "StepLR":
          make = op -> new StepLR(op, ((Number) a.get("step_size")).intValue(),
              num(a, "gamma", 0.1));
          break;
        case "CosineAnnealingLR":
          make = op -> new CosineAnnealingLR(op, ((Number) a.get("T_max")).intValue(),
              num(a, "eta_min", 0));
          break;
        default:
          make = op -> new LinearLR(op, num(a, "start_factor", 0), num(a, "end_factor", 0),
              ((Number) a.get("total_iters")).intValue());
      }
      LRScheduler s = make.apply(opt);
      List<Object> lrs = list(c.get("lrs"));
      for (int e = 0; e < lrs.size(); e++) {
        if (e > 0) {
          s.step();
        }
        assertEquals(parseDouble(lrs.get(e)), s.getLastLr().get(0), 1e-15,
            c.get("name") + " " + a + " epoch " + e);
      }
    }
  }

  @Test
  void badOptionsGetPyTorchsMessages() {
    List<Parameter> ps = List.of(new Parameter(Tensor.zeros(2)));
    assertEquals("Invalid learning rate: -1.0", assertThrows(IllegalArgumentException.class,
        () -> new SGD(ps, -1)).getMessage());
    assertEquals("Nesterov momentum requires a momentum and zero dampening",
        assertThrows(IllegalArgumentException.class,
            () -> new SGD(ps, 0.1, 0, 0, 0, true)).getMessage());
    assertEquals("Invalid beta parameter at index 1: 1.0", assertThrows(
        IllegalArgumentException.class, () -> new Adam(List.of(ParamGroup.of(ps)), 1e-3, 0.9,
            1.0, 1e-8, 0, false)).getMessage());
    assertEquals("some parameters appear in more than one parameter group", assertThrows(
        IllegalArgumentException.class, () -> new SGD(List.of(ParamGroup.of(ps),
            ParamGroup.of(ps)), 0.1, 0, 0, 0, false)).getMessage());
  }

  @Test
  void zeroGradClearsToNullOrZeros() {
    Parameter p = new Parameter(Tensor.ones(3));
    SGD opt = new SGD(List.of(p), 0.5);
    opt.step(); // no gradient: nothing moves
    assertEquals(1f, p.data().get(0));
    p.setGrad(Tensor.of(1f, 2f, 3f));
    opt.step();
    assertEquals(0f, p.data().get(1));
    opt.zeroGrad(false);
    assertEquals(0f, p.grad().sumAsFloat());
    opt.zeroGrad();
    assertNull(p.grad());
  }
}
