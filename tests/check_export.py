#!/usr/bin/env python3
"""ctest entry: exports a freshly trained model to ONNX and NPZ and checks both, and
scripts/load_model.py, against `mnisttrain predict --json` on the first 1,000 MNIST test images.

ONNX: onnx.checker accepts the file, and a small NumPy evaluator of the node types the
exporter uses (this Debian's onnx 1.12 has no onnx.reference) reproduces predict's
probabilities to 1e-5. NPZ: numpy.load reads Keras-layout kernels (inputs, units) equal to
the model's. Usage: check_export.py MNISTTRAIN_BINARY SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

binary, source = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(source, "scripts"))
import load_model  # noqa: E402

TOLERANCE = 1e-5
COUNT = 1000


def run(*args, cwd):
    return subprocess.run([binary, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def attribute(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def evaluate(graph, feeds):
    """Runs the graph's nodes in order (ONNX requires a topological order) in float32."""
    values = dict(feeds)
    values.update({t.name: numpy_helper.to_array(t) for t in graph.initializer})
    for node in graph.node:
        x = [values[name] for name in node.input]
        op = node.op_type
        if op == "Flatten":
            axis = attribute(node, "axis", 1)
            y = x[0].reshape(int(np.prod(x[0].shape[:axis])), -1)
        elif op == "Div":
            y = x[0] / x[1]
        elif op == "Gemm":
            assert attribute(node, "transA", 0) == 0 and attribute(node, "transB", 0) == 0
            y = attribute(node, "alpha", 1.0) * (x[0] @ x[1]) + attribute(node, "beta", 1.0) * x[2]
        elif op == "MatMul":
            y = x[0] @ x[1]
        elif op == "Relu":
            y = np.maximum(x[0], 0)
        elif op == "Sigmoid":
            y = 1 / (1 + np.exp(-x[0]))
        elif op == "Tanh":
            y = np.tanh(x[0])
        elif op == "Softmax":
            axis = attribute(node, "axis", -1)
            e = np.exp(x[0] - x[0].max(axis=axis, keepdims=True))
            y = e / e.sum(axis=axis, keepdims=True)
        elif op == "Identity":
            y = x[0]
        else:
            raise AssertionError(f"unexpected node type {op}")
        values[node.output[0]] = y.astype(np.float32)
    return values[graph.output[0].name]


def main():
    work = tempfile.mkdtemp(prefix="mnisttrain-export-")
    images_path = os.path.join(source, "data/mnist/t10k-images-idx3-ubyte")
    run("train", "--quiet", "--epochs", "1", "--out", os.path.join(work, "run"), cwd=source)
    model = os.path.join(work, "run/model.bin")
    predicted = json.loads(run("predict", model, "--images", images_path, "--count", str(COUNT), "--json", cwd=work))
    expected = np.array([p["probabilities"] for p in predicted], dtype=np.float32)
    pixels = load_model.read_idx(images_path)[:COUNT]

    # The Python loader for model.bin.
    header, params = load_model.load_model(model)
    loader_diff = np.abs(load_model.predict(header, params, pixels) - expected).max()
    print(f"load_model.py: max abs difference to predict {loader_diff:.3g}")
    assert loader_diff <= TOLERANCE

    # ONNX.
    onnx_path = os.path.join(work, "model.onnx")
    run("export", model, "--format", "onnx", "--out", onnx_path, cwd=work)
    graph_model = onnx.load(onnx_path)
    onnx.checker.check_model(graph_model)
    ops = [n.op_type for n in graph_model.graph.node]
    assert ops == ["Flatten", "Div", "Gemm", "Relu", "Gemm", "Softmax", "Identity"], ops
    got = evaluate(graph_model.graph, {"pixels": pixels.astype(np.float32)})
    onnx_diff = np.abs(got - expected).max()
    print(f"ONNX: checker passed, nodes {ops}, max abs difference to predict {onnx_diff:.3g}")
    assert got.shape == expected.shape and onnx_diff <= TOLERANCE

    # NPZ, in Keras's get_weights() order and layout.
    npz_path = os.path.join(work, "model.npz")
    run("export", model, "--format", "npz", "--out", npz_path, cwd=work)
    weights = np.load(npz_path)
    assert weights.files == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"], weights.files
    assert weights["dense/kernel"].shape == (784, 512) and weights["dense_1/bias"].shape == (10,)
    assert weights["dense/kernel"].dtype == np.float32
    reference = [w for _, k, b in load_model.dense_layers(header, params) for w in (k, b)]
    for name, array in zip(weights.files, reference):
        assert np.array_equal(weights[name], array), name
    print("NPZ: 4 arrays in Keras layout, equal to model.bin's parameters")


if __name__ == "__main__":
    main()
