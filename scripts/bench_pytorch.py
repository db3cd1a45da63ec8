#!/usr/bin/env python3
"""Trains the reference network (784-512-10, ReLU, softmax, RMSprop lr 0.001 rho 0.9 eps 1e-7,
batch 128) with PyTorch on the same IDX files mnisttrain reads, and prints one JSON line per
epoch time and the final test accuracy. Run by scripts/bench_pytorch.sh; not a test.

--mode installed: PyTorch as it comes (its default thread count, no tuning).
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


def build(seed):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    # Keras's RMSprop defaults (rho 0.9, epsilon 1e-7) in PyTorch's names.
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    return model, opt


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


def pick_fastest(x, y, max_threads):
    """Times a few steps for each thread count and Linear path; keeps the fastest whose outputs
    agree with the BLAS path's. More threads is not always faster on 2 small cores (OpenMP and
    the BLAS's own threads can contend), so the count is measured, not assumed."""
    paths = ["blas"] + (["onednn"] if torch.backends.mkldnn.is_available() else [])
    times, reference = {}, None
    for threads in sorted({1, max_threads}):
        torch.set_num_threads(threads)
        for path in paths:
            torch.backends.mkldnn.enabled = path == "onednn"
            model, opt = build(0)
            g = torch.Generator().manual_seed(0)
            epoch(model, opt, x[:128 * 20], y[:128 * 20], 128, g)  # warm-up
            seconds = min(epoch(model, opt, x[:128 * 60], y[:128 * 60], 128, g) for _ in range(3))
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
    ap.add_argument("--epochs", type=int, default=5)
    args = ap.parse_args()

    x = torch.from_numpy(read_idx(f"{args.data}/train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(read_idx(f"{args.data}/train-labels-idx1-ubyte").astype(np.int64))
    xt = torch.from_numpy(read_idx(f"{args.data}/t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    yt = torch.from_numpy(read_idx(f"{args.data}/t10k-labels-idx1-ubyte").astype(np.int64))

    path = "default"
    if args.mode == "tuned":
        torch.set_flush_denormal(True)
        _, path = pick_fastest(x, y, args.threads)
    model, opt = build(42)
    g = torch.Generator().manual_seed(42)
    times = [epoch(model, opt, x, y, 128, g) for _ in range(args.epochs)]
    print(json.dumps({"mode": args.mode, "threads": torch.get_num_threads(), "linear_path": path,
                      "torch": torch.__version__, "epoch_seconds": times,
                      "test_accuracy": accuracy(model, xt, yt)}))


if __name__ == "__main__":
    sys.exit(main())
