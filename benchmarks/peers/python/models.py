"""The models every peer measures, named once so every script agrees on them.

An MLP is named by its layer widths ("784-1024-1024-10"): Linear layers with ReLU between them,
built as torch.nn.Sequential so the state-dict keys are PyTorch's ("0.weight", "2.bias", ...).
"resnet18" is torchvision's ResNet-18 (eval mode, 3x224x224 images), keys as torchvision names
them ("conv1.weight", "layer1.0.bn1.running_var", ...). "minilm" is BERT at all-MiniLM-L6-v2's
size as tools/fixtures/bert_fixtures.py writes transformers' BertModel (keys
"encoder.layer.0.attention.self.query.weight", ...), random weights, 128 tokens. "gpt2" is
GPT-2 small as tools/fixtures/gpt2_fixtures.py writes nanoGPT's GPT (keys "transformer.h.0.attn.
c_attn.weight", ..., lm_head tied to transformer.wte), GPT-2's init, one prefill of 128 tokens
from position 0 to every position's logits. "lstm" is torch.nn.LSTM(256, 256, num_layers=2,
batch_first=True) (keys "weight_ih_l0", ...), PyTorch's default init, its output sequence alone.

FLOP convention, for every model: 2 per multiply-add of the Linear and convolution layers;
biases, BatchNorm, ReLU, pooling and the residual adds are not counted. ResNet-18 does
1,814,073,344 multiply-adds per 224x224 image (torchvision's "1.81 GFLOPS"): 3.63 GFLOP.
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


# name -> (image side, batches measured)
RESNETS = {"resnet18": (224, (1, 8))}

# The seed of ResNet-18's weights (tools/fixtures/resnet_fixtures.py's rule, which netspec's
# RandomStateDict.fill_(model.stateDict(), RESNET_SEED) reproduces in Java).
RESNET_SEED = 13

# name -> (args of specs/bert_encoder.yaml's BertModel, sequence length, batches measured):
# all-MiniLM-L6-v2's size (6 layers; vocab_size, hidden_size, num_attention_heads,
# intermediate_size, max_position_embeddings, type_vocab_size), issue 14's batch 1 and 16 at 128
# tokens.
BERTS = {"minilm": ((30522, 384, 12, 1536, 512, 2), 128, (1, 16))}
BERT_LAYERS = 6

# name -> (nanoGPT's config, tokens of the prefill, batches measured): GPT-2 small, issue 14's
# prefill of 128 tokens. Its FLOPs: every Linear (lm_head too) on every token, and, as for BERT,
# the attention's q k^T and p v over the whole square of tokens (the causal half is masked).
GPTS = {"gpt2": (dict(vocab_size=50257, block_size=1024, n_layer=12, n_head=12, n_embd=768), 128, (1,))}

# name -> ((input_size, hidden_size, num_layers), steps, batches measured): issue 14's LSTM,
# batch_first input (batch, steps, input_size). FLOPs: 2 per multiply-add of both GEMMs of
# every gate (x W_ih^T and h W_hh^T) at every step.
LSTMS = {"lstm": ((256, 256, 2), 100, (16,))}

# The part of ResNet-18 issue 13 sets its own target for: its 3x3 convolutions alone.
CONV3X3 = "resnet18-conv3x3"


def flops(name, batch):
    """FLOPs of one forward of `batch` samples: 2 per multiply-add (see the module comment; for
    BERT also the attention's two products per head, q k^T and p v, which are not layers)."""
    if name in BERTS:
        (_, h, _, inter, _, _), seq, _ = BERTS[name]
        per_layer = seq * (4 * h * h + 2 * h * inter) + 2 * seq * seq * h
        return 2 * batch * (BERT_LAYERS * per_layer + h * h)  # + the pooler's dense on token 0
    if name in GPTS:
        c, seq, _ = GPTS[name]
        h = c["n_embd"]
        per_token = c["n_layer"] * 12 * h * h + h * c["vocab_size"]
        return 2 * batch * (seq * per_token + c["n_layer"] * 2 * seq * seq * h)
    if name in LSTMS:
        (inputs, hidden, layers), steps, _ = LSTMS[name]
        per_step = sum(4 * hidden * ((inputs if k == 0 else hidden) + hidden) for k in range(layers))
        return 2 * batch * steps * per_step
    if name in RESNETS or name == CONV3X3:
        return 2 * batch * sum(macs for _, k, macs in resnet18_convs(RESNETS["resnet18"][0])
                               if name != CONV3X3 or k == 3)
    w = widths(name)
    return 2 * sum(a * b for a, b in zip(w, w[1:])) * batch


def resnet18_convs(side):
    """[(state-dict name, kernel side, multiply-adds per image)] of ResNet-18's convolutions and
    fc on a side x side image, from the layer shapes alone (no torch): a 7x7/2 stem conv and a
    3x3/2 max pool, four stages of two BasicBlocks (3x3 convs, the first of stages 2-4 with
    stride 2 and a 1x1/2 downsample conv), global average pool, fc 512 -> 1000."""
    def out(size, kernel, stride):
        pad = kernel // 2
        return (size + 2 * pad - kernel) // stride + 1

    convs = []
    size = out(side, 7, 2)
    convs.append(("conv1", 7, size * size * 64 * 3 * 49))
    size = out(size, 3, 2)  # max pool
    channels = 64
    for stage, width in enumerate((64, 128, 256, 512), start=1):
        for block in range(2):
            stride = 2 if stage > 1 and block == 0 else 1
            prefix = "layer%d.%d." % (stage, block)
            size = out(size, 3, stride)
            convs.append((prefix + "conv1", 3, size * size * width * channels * 9))
            convs.append((prefix + "conv2", 3, size * size * width * width * 9))
            if stride != 1 or channels != width:
                convs.append((prefix + "downsample.0", 1, size * size * width * channels))
            channels = width
    convs.append(("fc", 1, 512 * 1000))
    return convs


def build(name):
    """A freshly seeded model, in eval mode (imports torch lazily): torch.nn.Sequential for an
    MLP; for "resnet18", torchvision's resnet18 (ImageNet's 1000 classes) with the weights of
    tools/fixtures/resnet_fixtures.py from RESNET_SEED, which netspec's RandomStateDict.fill_
    reproduces bit for bit (and whose BatchNorm statistics are not the identity)."""
    import torch

    torch.manual_seed(SEED)
    if name in BERTS:
        bert = _fixtures("bert_fixtures")
        model = bert.BertModel(*BERTS[name][0]).eval()
        bert.randomize(model, SEED)
        return model
    if name in RESNETS:
        return _resnet_fixtures().seeded_resnet18(RESNET_SEED)
    if name in GPTS:
        gpt2 = _fixtures("gpt2_fixtures")
        model = gpt2.GPT(GPTS[name][0]).eval()
        gpt2.gpt2_init(model)
        return model
    if name in LSTMS:
        inputs, hidden, layers = LSTMS[name][0]
        return LstmOutput(inputs, hidden, layers, batch_first=True).eval()
    w = widths(name)
    layers = []
    for i, (a, b) in enumerate(zip(w, w[1:])):
        if i:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(a, b))
    return torch.nn.Sequential(*layers).eval()


def batches(name):
    """The batch sizes the peers measure for a model."""
    for table in (BERTS, GPTS, LSTMS):
        if name in table:
            return table[name][2]
    return RESNETS[name][1] if name in RESNETS else MLPS[name][1]


def example_input(name, batch):
    """The seeded input: (batch, in_features) for an MLP, (batch, 3, side, side) for a ResNet."""
    import torch

    g = torch.Generator().manual_seed(SEED + batch)
    if name in BERTS:
        (vocab, *_), seq, _ = BERTS[name]
        ids = torch.randint(1, vocab, (batch, seq), generator=g)
        return ids, torch.ones(batch, seq, dtype=torch.int64)  # input_ids, attention_mask
    if name in GPTS:
        c, seq, _ = GPTS[name]
        return torch.randint(0, c["vocab_size"], (batch, seq), generator=g)  # idx
    if name in LSTMS:
        (inputs, _, _), steps, _ = LSTMS[name]
        return torch.randn(batch, steps, inputs, generator=g)
    if name in RESNETS:
        side = RESNETS[name][0]
        return torch.randn(batch, 3, side, side, generator=g)
    return torch.randn(batch, widths(name)[0], generator=g)


def file_stem(name):
    """File-name stem of a model: 'mlp_784-1024-1024-10', 'resnet18'."""
    return "mlp_" + name if name in MLPS else name


def LstmOutput(*args, **kwargs):
    """torch.nn.LSTM whose forward returns the output sequence alone (the state dict stays
    nn.LSTM's: weight_ih_l0, ...)."""
    import torch

    class _LstmOutput(torch.nn.LSTM):
        def forward(self, x):
            return super().forward(x)[0]

    return _LstmOutput(*args, **kwargs)


def _resnet_fixtures():
    """tools/fixtures/resnet_fixtures.py, imported from this checkout."""
    return _fixtures("resnet_fixtures")


def _fixtures(module):
    """A script of tools/fixtures/, imported from this checkout."""
    import importlib
    import os
    import sys

    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "fixtures")
    if fixtures not in sys.path:
        sys.path.insert(0, fixtures)
    return importlib.import_module(module)
