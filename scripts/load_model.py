#!/usr/bin/env python3
"""Reads an mnisttrain model.bin with NumPy alone and runs it: a reference for the file format
(README "The model file format") and a way to use a trained model from Python.

    python3 scripts/load_model.py runs/mnist_mlp/model.bin data/mnist/t10k-images-idx3-ubyte 5

prints the predicted class and probabilities of the first 5 images. As a module:
load_model(path) -> (header, params) and predict(header, params, pixels) -> probabilities.
"""
import gzip
import json
import struct
import sys
import zlib

import numpy as np

MAGIC = b"MNISTTRN"
ALIGNMENT = 64


def load_model(path):
    """Checks magic, version, sizes and the CRC32; returns (header dict, float32 parameters)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 20 or data[:8] != MAGIC:
        raise ValueError(f"{path}: not an mnisttrain model file (magic {data[:8]!r})")
    version, header_length = struct.unpack_from("<II", data, 8)
    if version != 1:
        raise ValueError(f"{path}: format version {version}, this loader reads 1")
    (stored_crc,) = struct.unpack_from("<I", data, len(data) - 4)
    if zlib.crc32(data[:-4]) != stored_crc:
        raise ValueError(f"{path}: CRC32 mismatch (the file is corrupt or truncated)")
    header = json.loads(data[16:16 + header_length])
    if header.get("kind") != "model":
        raise ValueError(f"{path}: kind is {header.get('kind')!r}, expected 'model'")
    offset = -(-(16 + header_length) // ALIGNMENT) * ALIGNMENT
    arrays = {}
    for entry in header["arrays"]:
        count = entry["count"]
        arrays[entry["name"]] = np.frombuffer(data, dtype="<f4", count=count, offset=offset)
        offset += 4 * count
    if offset != len(data) - 4:
        raise ValueError(f"{path}: arrays end at {offset}, the CRC sits at {len(data) - 4}")
    return header, arrays["params"]


def dense_layers(header, params):
    """Yields (layer dict, kernel (inputs, units) or None, bias or None) in order."""
    width = int(np.prod(header["input_shape"]))
    offset = 0
    for layer in header["config"]["model"]["layers"]:
        if layer["type"] != "dense":
            yield layer, None, None
            continue
        units = layer["units"]
        kernel = params[offset:offset + width * units].reshape(width, units)
        offset += width * units
        bias = None
        if layer.get("use_bias", True):
            bias = params[offset:offset + units]
            offset += units
        width = units
        yield layer, kernel, bias


ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softmax": lambda x: (lambda e: e / e.sum(axis=1, keepdims=True))(np.exp(x - x.max(axis=1, keepdims=True))),
}


def predict(header, params, pixels):
    """pixels: uint8 (N, rows, cols) -> outputs (N, classes), as mnisttrain computes them."""
    x = pixels.reshape(len(pixels), -1).astype(np.float32) / np.float32(255)
    for layer, kernel, bias in dense_layers(header, params):
        if kernel is not None:
            x = x @ kernel + (bias if bias is not None else 0)
        if layer["type"] in ("dense", "activation"):
            x = ACTIVATIONS[layer["activation"]](x).astype(np.float32)
    return x


def read_idx(path):
    """An IDX file (plain or gzipped) as a uint8 array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = struct.unpack_from(">" + "I" * ndim, data, 4)
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    model_header, model_params = load_model(sys.argv[1])
    images = read_idx(sys.argv[2])[: int(sys.argv[3])]
    for index, p in enumerate(predict(model_header, model_params, images)):
        print(index, int(p.argmax()), " ".join(f"{v:.4f}" for v in p))
