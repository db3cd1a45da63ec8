#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from small cuts of the real MNIST files.

usage: fuzz_seeds.py MNIST_DIR MNISTTRAIN_BINARY OUT_DIR
Creates OUT_DIR/{idx,model,config}/: IDX images and labels (plain; gzip, one and two members;
float32 with a NaN), a model.bin and a checkpoint.bin trained on the cut, and the configs.
The first byte of each idx seed selects the target's mode (even: as is, odd: gzip it first).
"""
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile


def idx_cut(path, count):
    with open(path, "rb") as f:
        magic = f.read(4)
        ndim = magic[3]
        dims = list(struct.unpack(">" + "I" * ndim, f.read(4 * ndim)))
        per_item = 1
        for d in dims[1:]:
            per_item *= d
        dims[0] = count
        body = f.read(count * per_item)
    return magic + struct.pack(">" + "I" * ndim, *dims) + body


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    mnist, binary, out = sys.argv[1], sys.argv[2], sys.argv[3]
    for sub in ("idx", "model", "config"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    images = idx_cut(os.path.join(mnist, "train-images-idx3-ubyte"), 3)
    labels = idx_cut(os.path.join(mnist, "train-labels-idx1-ubyte"), 3)
    floats = b"\x00\x00\x0d\x02" + struct.pack(">II", 2, 3) + struct.pack(">6f", 0, 1.5, float("nan"), -2, 3, 4)
    seeds = {
        "images": b"\x00" + images,
        "labels": b"\x00" + labels,
        "images_for_gzip": b"\x01" + images,
        "labels_for_gzip": b"\x01" + labels,
        "images.gz": b"\x00" + gzip.compress(images, mtime=0),
        "labels_two_members.gz": b"\x00" + gzip.compress(labels[:6], mtime=0) + gzip.compress(labels[6:], mtime=0),
        "floats": b"\x00" + floats,
    }
    for name, data in seeds.items():
        write(os.path.join(out, "idx", name), data)

    # A tiny run on 20 real images gives a real model.bin and checkpoint.bin (31 kB each).
    with tempfile.TemporaryDirectory() as work:
        write(os.path.join(work, "images"), idx_cut(os.path.join(mnist, "train-images-idx3-ubyte"), 20))
        write(os.path.join(work, "labels"), idx_cut(os.path.join(mnist, "train-labels-idx1-ubyte"), 20))
        config = {
            "data": {"train_images": "images", "train_labels": "labels",
                     "test_images": "images", "test_labels": "labels"},
            "model": {"layers": [{"type": "dense", "units": 10, "activation": "softmax"}]},
            "training": {"epochs": 1, "batch_size": 10, "optimizer": {"type": "sgd"}},
            "output": os.path.join(work, "run"),
        }
        write(os.path.join(work, "config.json"), json.dumps(config).encode())
        subprocess.run([binary, "train", "--config", os.path.join(work, "config.json"), "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
        for name in ("model.bin", "checkpoint.bin"):
            shutil.copy(os.path.join(work, "run", name), os.path.join(out, "model", name))

    configs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs")
    for name in sorted(os.listdir(configs)):
        shutil.copy(os.path.join(configs, name), os.path.join(out, "config", name))


if __name__ == "__main__":
    main()
