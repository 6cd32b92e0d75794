"""The models every peer measures, named once so every script agrees on them.

An MLP is named by its layer widths ("784-1024-1024-10"): Linear layers with ReLU between them,
built as torch.nn.Sequential so the state-dict keys are PyTorch's ("0.weight", "2.bias", ...).
"""

# name -> (widths, batches measured)
MLPS = {
    "20-256-10": ((20, 256, 10), (2,)),
    "784-1024-1024-10": ((784, 1024, 1024, 10), (1, 32, 256)),
}

# The seed of every model's weights and inputs: same files on every run and machine.
SEED = 0


def widths(name):
    return MLPS[name][0]


def flops(name, batch):
    """FLOPs of one forward: 2 * sum(in * out) * batch (bias adds and ReLU not counted)."""
    w = widths(name)
    return 2 * sum(a * b for a, b in zip(w, w[1:])) * batch


def build(name):
    """A freshly seeded torch.nn.Sequential for the named MLP (imports torch lazily)."""
    import torch

    torch.manual_seed(SEED)
    w = widths(name)
    layers = []
    for i, (a, b) in enumerate(zip(w, w[1:])):
        if i:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(a, b))
    return torch.nn.Sequential(*layers).eval()


def example_input(name, batch):
    """The seeded input of shape (batch, in_features) for the named MLP."""
    import torch

    g = torch.Generator().manual_seed(SEED + batch)
    return torch.randn(batch, widths(name)[0], generator=g)


def file_stem(name):
    """File-name stem of a model: 'mlp_784-1024-1024-10'."""
    return "mlp_" + name
