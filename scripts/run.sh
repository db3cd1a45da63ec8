#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, fetch and verify MNIST, then
# train the reference network (configs/mnist_mlp.json: the Keras book's 784-512-10 MLP, RMSprop,
# batch 128, 5 epochs) and evaluate the model it wrote on the 10,000 test images.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
bash "$root/scripts/fetch_mnist.sh"
cd "$root"
bin=build/mnisttrain
$bin info data/mnist/train-images-idx3-ubyte data/mnist/train-labels-idx1-ubyte
$bin summary --config configs/mnist_mlp.json
$bin train --config configs/mnist_mlp.json --overwrite  # a re-run replaces the earlier run
$bin eval runs/mnist_mlp/model.bin
