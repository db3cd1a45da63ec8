#!/usr/bin/env python3
"""Trains the reference network (784-512-10, ReLU, softmax, RMSprop lr 0.001 rho 0.9 eps 1e-7,
batch 128), or the network, optimizer and batch size of an mnisttrain config (--config), with
PyTorch on the same IDX files mnisttrain reads, and prints one JSON line with the epoch times
and the final test accuracy. Run by scripts/bench_pytorch.sh and scripts/bench_configs.sh; not
a test.

--mode installed: PyTorch as it comes (its default thread count, no tuning); with
                  --installed-threads N, the same on N intra-op threads.
--mode tuned:     flush-to-zero for denormals, and the fastest of 1 or --threads intra-op threads
                  and of PyTorch's two CPU paths for Linear (its BLAS addmm, or oneDNN when
                  available), picked by a short trial that also checks the paths agree.
"""
import argparse, gzip, json, sys, time

import numpy as np
import torch


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


REFERENCE = {
    "model": {"layers": [{"type": "dense", "units": 512, "activation": "relu"},
                         {"type": "dense", "units": 10, "activation": "softmax"}]},
    "training": {"optimizer": {"type": "rmsprop", "learning_rate": 0.001}, "batch_size": 128},
}
ACTIVATIONS = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh}


def layers_of(config, inputs=784):
    """The config's layers as PyTorch modules. A final softmax is left to CrossEntropyLoss,
    which takes logits (the same math as softmax followed by crossentropy)."""
    modules = []
    for layer in config["model"]["layers"]:
        kind = layer["type"]
        if kind == "dense":
            modules.append(torch.nn.Linear(inputs, layer["units"], bias=layer.get("use_bias", True)))
            inputs = layer["units"]
            act = layer.get("activation", "linear")
            if act in ACTIVATIONS:
                modules.append(ACTIVATIONS[act]())
        elif kind == "dropout":
            modules.append(torch.nn.Dropout(layer["rate"]))
        elif kind == "activation" and layer["activation"] in ACTIVATIONS:
            modules.append(ACTIVATIONS[layer["activation"]]())
    return modules


def optimizer_of(config, params):
    """Keras's defaults in PyTorch's names (schedules are not applied: they do not change the
    time of a step)."""
    o = config["training"]["optimizer"]
    lr = o.get("learning_rate", 0.001)
    if o["type"] == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=o.get("rho", 0.9), eps=o.get("epsilon", 1e-7),
                                   momentum=o.get("momentum", 0.0))
    if o["type"] in ("adam", "adamw"):
        cls = torch.optim.AdamW if o["type"] == "adamw" else torch.optim.Adam
        extra = {"weight_decay": o.get("weight_decay", 0.004)} if o["type"] == "adamw" else {}
        return cls(params, lr=lr, betas=(o.get("beta_1", 0.9), o.get("beta_2", 0.999)),
                   eps=o.get("epsilon", 1e-7), **extra)
    return torch.optim.SGD(params, lr=lr, momentum=o.get("momentum", 0.0), nesterov=o.get("nesterov", False))


def build(seed, config=REFERENCE):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(*layers_of(config))
    return model, optimizer_of(config, model.parameters())


def epoch(model, opt, x, y, batch, generator):
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.randperm(x.shape[0], generator=generator)
    start = time.perf_counter()
    for i in range(0, x.shape[0], batch):
        idx = order[i:i + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def pick_fastest(x, y, max_threads, config=REFERENCE):
    """Times a few steps for each thread count and Linear path; keeps the fastest whose outputs
    agree with the BLAS path's. More threads is not always faster on 2 small cores (OpenMP and
    the BLAS's own threads can contend), so the count is measured, not assumed."""
    paths = ["blas"] + (["onednn"] if torch.backends.mkldnn.is_available() else [])
    times, reference = {}, None
    for threads in sorted({1, max_threads}):
        torch.set_num_threads(threads)
        for path in paths:
            torch.backends.mkldnn.enabled = path == "onednn"
            model, opt = build(0, config)
            g = torch.Generator().manual_seed(0)
            batch = config["training"]["batch_size"]
            epoch(model, opt, x[:batch * 20], y[:batch * 20], batch, g)  # warm-up
            seconds = min(epoch(model, opt, x[:batch * 60], y[:batch * 60], batch, g) for _ in range(3))
            with torch.no_grad():
                out = model(x[:256])
            if reference is None:
                reference = out
            if torch.allclose(out, reference, atol=1e-3):
                times[(threads, path)] = seconds
    threads, path = min(times, key=times.get)
    torch.set_num_threads(threads)
    torch.backends.mkldnn.enabled = path == "onednn"
    return threads, path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="data/mnist")
    ap.add_argument("--mode", choices=["installed", "tuned"], required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--installed-threads", type=int, default=0,
                    help="installed mode: this many intra-op threads instead of PyTorch's default")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--config", help="an mnisttrain config: its layers, optimizer and batch size "
                                     "(default: the reference network)")
    args = ap.parse_args()
    config = REFERENCE
    if args.config:
        with open(args.config) as f:
            config = json.load(f)
    batch = config["training"].get("batch_size", 32)
    config["training"]["batch_size"] = batch

    x = torch.from_numpy(read_idx(f"{args.data}/train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(read_idx(f"{args.data}/train-labels-idx1-ubyte").astype(np.int64))
    xt = torch.from_numpy(read_idx(f"{args.data}/t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    yt = torch.from_numpy(read_idx(f"{args.data}/t10k-labels-idx1-ubyte").astype(np.int64))

    path = "default"
    if args.mode == "installed" and args.installed_threads > 0:
        torch.set_num_threads(args.installed_threads)
    if args.mode == "tuned":
        torch.set_flush_denormal(True)
        _, path = pick_fastest(x, y, args.threads, config)
    model, opt = build(42, config)
    g = torch.Generator().manual_seed(42)
    times = [epoch(model, opt, x, y, batch, g) for _ in range(args.epochs)]
    model.eval()  # dropout off for the test accuracy
    print(json.dumps({"mode": args.mode, "threads": torch.get_num_threads(), "linear_path": path,
                      "torch": torch.__version__, "epoch_seconds": times,
                      "test_accuracy": accuracy(model, xt, yt)}))


if __name__ == "__main__":
    sys.exit(main())
