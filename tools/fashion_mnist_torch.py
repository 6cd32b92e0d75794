#!/usr/bin/python3
"""The PyTorch twin of `netspec train specs/fashion_cnn.yaml` (the README's second example).

Same model (nn.Sequential of the spec's layers, so the state dicts share their keys), same
initial weights (the netspec run's, saved with `--epochs 0 --save-weights init.safetensors`),
same data (the IDX files read here directly, pixels / 255 in float32 as `netspec idx` and
torchvision's ToTensor do), same data order (netspec's DataOrder: epoch e shuffles with
SplitMix64 seeded from the shuffle seed and the name "epoch.<e>", Fisher-Yates from the top
with j = draw mod (i + 1)), same loss, optimizer, schedule and batch size as the spec's
train: section. It prints every epoch's training loss and test accuracy.

    bin/netspec idx --images $D/train-images-idx3-ubyte.gz --labels $D/train-labels-idx1-ubyte.gz --output train.safetensors
    bin/netspec train specs/fashion_cnn.yaml --data train.safetensors --epochs 0 --save-weights init.safetensors
    /usr/bin/python3 tools/fashion_mnist_torch.py --init init.safetensors

With --fixture OUT.json it writes the first --steps step losses (and the run's settings) as
the fixture FashionMnistTest compares netspec's first steps with (run on --limit samples).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
import st  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
MASK = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class Generator:
    """netspec's dev.netspec.runtime.tensor.Generator (SplitMix64), the integer draws."""

    def __init__(self, state):
        self.state = state & MASK

    @staticmethod
    def for_name(seed, name):
        h = 0xCBF29CE484222325
        for b in name.encode("utf-8"):
            h ^= b
            h = (h * 0x100000001B3) & MASK
        return Generator(mix((seed & MASK) ^ mix(h)))

    def next_long(self):
        self.state = (self.state + GOLDEN_GAMMA) & MASK
        return mix(self.state)


def data_order(n, shuffle, seed, epoch):
    order = list(range(n))
    if not shuffle:
        return order
    g = Generator.for_name(seed, "epoch.%d" % epoch)
    for i in range(n - 1, 0, -1):
        j = g.next_long() % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(split, limit=None):
    images = idx(os.path.join(DATA, "%s-images-idx3-ubyte.gz" % split))
    labels = idx(os.path.join(DATA, "%s-labels-idx1-ubyte.gz" % split))
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32)).div(255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


def model():
    """specs/fashion_cnn.yaml's FashionCnn as nn.Sequential: the state dicts share their keys."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


# the spec's train: section
SETTINGS = dict(lr=0.001, step_size=2, gamma=0.3, batch_size=64, epochs=6, seed=0)


def evaluate(net, x, t):
    net.eval()
    correct, total = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(t), 1000):
            y = net(x[i:i + 1000])
            total += F.cross_entropy(y, t[i:i + 1000]).item() * len(y)
            correct += (y.argmax(1) == t[i:i + 1000]).sum().item()
    return total / len(t), correct / len(t)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--init", required=True, help="netspec's initial weights (safetensors)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--limit", type=int, help="train on the first N samples only")
    p.add_argument("--steps", type=int, default=20, help="steps recorded in the fixture")
    p.add_argument("--fixture", help="write the first --steps losses here and stop")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    s = SETTINGS
    epochs = s["epochs"] if a.epochs is None else a.epochs
    net = model()
    init = st.load(a.init)[0]
    net.load_state_dict(init)
    opt = torch.optim.Adam(net.parameters(), lr=s["lr"])
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=s["step_size"], gamma=s["gamma"])
    x, t = load("train", a.limit)
    xt, tt = load("t10k")
    n, bs = len(t), s["batch_size"]
    losses = []
    for epoch in range(epochs):
        start = time.time()
        order = torch.tensor(data_order(n, True, s["seed"], epoch))
        net.train()
        total, correct = 0.0, 0
        for b in range(0, n, bs):
            idx_ = order[b:b + bs]
            xb, tb = x[idx_], t[idx_]
            opt.zero_grad()
            y = net(xb)
            loss = F.cross_entropy(y, tb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            total += loss.item() * len(tb)
            correct += (y.argmax(1) == tb).sum().item()
            if a.fixture and len(losses) == a.steps:
                with open(a.fixture, "w") as f:
                    json.dump({"spec": "specs/fashion_cnn.yaml", "limit": a.limit, "settings": s,
                               "init_sums": {k: v.double().sum().item()
                                             for k, v in sorted(init.items())},
                               "losses": losses}, f, indent=1)
                    f.write("\n")
                print("wrote %s: the first %d losses" % (a.fixture, a.steps))
                return
        lr = opt.param_groups[0]["lr"]
        vl, va = evaluate(net, xt, tt)
        sched.step()
        print("epoch %d/%d: loss %.4f, accuracy %.2f%%, validation loss %.4f, validation"
              " accuracy %.2f%%, lr %s (%.1f s)" % (epoch + 1, epochs, total / n,
                                                   100.0 * correct / n, vl, 100 * va, lr,
                                                   time.time() - start), flush=True)


if __name__ == "__main__":
    main()
