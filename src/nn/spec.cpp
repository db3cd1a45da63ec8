// The Keras spelling of each model enum. The config parser matches strings against these, so
// a name is defined once, here.
#include "nn/spec.h"

namespace mnisttrain::nn {

const char* name_of(LayerType type) {
  switch (type) {
    case LayerType::Dense: return "dense";
    case LayerType::Activation: return "activation";
    case LayerType::Dropout: return "dropout";
    case LayerType::Flatten: return "flatten";
  }
  return "?";  // unreachable for valid enum values; keeps -Wreturn-type quiet
}

const char* name_of(Activation activation) {
  switch (activation) {
    case Activation::Linear: return "linear";
    case Activation::Relu: return "relu";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Tanh: return "tanh";
    case Activation::Softmax: return "softmax";
  }
  return "?";
}

const char* name_of(Initializer initializer) {
  switch (initializer) {
    case Initializer::GlorotUniform: return "glorot_uniform";
    case Initializer::GlorotNormal: return "glorot_normal";
    case Initializer::HeUniform: return "he_uniform";
    case Initializer::HeNormal: return "he_normal";
    case Initializer::Zeros: return "zeros";
  }
  return "?";
}

const char* name_of(Loss loss) {
  switch (loss) {
    case Loss::CategoricalCrossentropy: return "categorical_crossentropy";
    case Loss::SparseCategoricalCrossentropy: return "sparse_categorical_crossentropy";
    case Loss::MeanSquaredError: return "mean_squared_error";
  }
  return "?";
}

}  // namespace mnisttrain::nn
