// The model's vocabulary: layer kinds, activations, initializers, losses and the description
// of one layer. The network is built from these; config/ parses JSON into them, so the
// dependency runs config -> nn and nothing here knows about JSON.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mnisttrain::nn {

enum class LayerType { Dense, Activation, Dropout, Flatten };
enum class Activation { Linear, Relu, Sigmoid, Tanh, Softmax };
enum class Initializer { GlorotUniform, GlorotNormal, HeUniform, HeNormal, Zeros };
enum class Loss { CategoricalCrossentropy, SparseCategoricalCrossentropy, MeanSquaredError };

struct LayerSpec {
  LayerType type = LayerType::Dense;
  std::string name;  // empty: named by the network ("dense", "dense_1", ...)
  // dense
  int units = 0;
  bool use_bias = true;
  Initializer kernel_initializer = Initializer::GlorotUniform;
  double l2 = 0.0;
  // dense (fused, default linear) and activation layers
  Activation activation = Activation::Linear;
  // dropout
  double rate = 0.0;
};

struct ModelSpec {
  std::vector<int> input_shape;  // empty: taken from the data (28x28 for MNIST)
  std::vector<LayerSpec> layers;
};

// One named tensor in the parameter buffer: what the optimizer (clipnorm),
// summaries and gradcheck walk.
struct ParamTensor {
  std::string name;  // "dense/kernel", "dense/bias"
  std::size_t offset = 0;
  std::size_t size = 0;
};

// Names as Keras spells them ("relu", "glorot_uniform", ...): the JSON spelling, and what
// messages and summaries print.
const char* name_of(LayerType type);
const char* name_of(Activation activation);
const char* name_of(Initializer initializer);
const char* name_of(Loss loss);

}  // namespace mnisttrain::nn
