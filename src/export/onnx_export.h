// A trained network as an ONNX model (opset 13) that any ONNX runtime runs unchanged:
//   pixels (N, rows, cols) float 0..255 -> Flatten -> Div 255 -> per dense layer Gemm (or
//   MatMul without a bias) -> its activation (Relu, Sigmoid, Tanh, Softmax) -> output (N, C).
// Dropout is the identity at inference and is left out. The bytes are checked with ONNX's own
// checker before they are returned.
#pragma once

#include "nn/network.h"

#include <string>

namespace mnisttrain::exporting {

std::string onnx_model_bytes(const nn::Network& network, const std::string& model_name);

}  // namespace mnisttrain::exporting
