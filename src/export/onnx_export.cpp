// Building the ONNX graph; see onnx_export.h.
#include "export/onnx_export.h"

#include "error.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

namespace mnisttrain::exporting {

namespace {

using nn::Activation;
using nn::LayerType;

void add_initializer(onnx::GraphProto& graph, const std::string& name, std::vector<std::int64_t> dims,
                     const float* values, std::size_t count) {
  onnx::TensorProto* tensor = graph.add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto::FLOAT);
  for (const std::int64_t d : dims) tensor->add_dims(d);
  tensor->set_raw_data(values, count * sizeof(float));  // little-endian, as ONNX requires
}

// Appends `op_type(inputs) -> output` and returns the output's name.
std::string add_node(onnx::GraphProto& graph, const std::string& op_type, const std::vector<std::string>& inputs,
                     const std::string& output) {
  onnx::NodeProto* node = graph.add_node();
  node->set_op_type(op_type);
  node->set_name(output);
  for (const std::string& input : inputs) node->add_input(input);
  node->add_output(output);
  return output;
}

void add_int_attribute(onnx::GraphProto& graph, const std::string& name, std::int64_t value) {
  onnx::AttributeProto* attribute = graph.mutable_node(graph.node_size() - 1)->add_attribute();
  attribute->set_name(name);
  attribute->set_type(onnx::AttributeProto::INT);
  attribute->set_i(value);
}

void set_value_info(onnx::ValueInfoProto* info, const std::string& name, const std::vector<std::int64_t>& dims) {
  info->set_name(name);
  onnx::TypeProto_Tensor* type = info->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  type->mutable_shape()->add_dim()->set_dim_param("N");  // any batch size
  for (const std::int64_t d : dims) type->mutable_shape()->add_dim()->set_dim_value(d);
}

std::string add_activation(onnx::GraphProto& graph, Activation activation, const std::string& input,
                           const std::string& name) {
  switch (activation) {
    case Activation::Linear: return input;
    case Activation::Relu: return add_node(graph, "Relu", {input}, name + "/relu");
    case Activation::Sigmoid: return add_node(graph, "Sigmoid", {input}, name + "/sigmoid");
    case Activation::Tanh: return add_node(graph, "Tanh", {input}, name + "/tanh");
    case Activation::Softmax: {
      const std::string out = add_node(graph, "Softmax", {input}, name + "/softmax");
      add_int_attribute(graph, "axis", 1);
      return out;
    }
  }
  return input;
}

std::string add_dense(onnx::GraphProto& graph, const nn::Layer& layer, const float* params, const std::string& input) {
  const auto in = static_cast<std::int64_t>(layer.inputs);
  const auto out = static_cast<std::int64_t>(layer.outputs);
  add_initializer(graph, layer.name + "/kernel", {in, out}, params + layer.weight_offset, layer.inputs * layer.outputs);
  if (!layer.spec.use_bias) return add_node(graph, "MatMul", {input, layer.name + "/kernel"}, layer.name + "/matmul");
  add_initializer(graph, layer.name + "/bias", {out}, params + layer.bias_offset, layer.outputs);
  return add_node(graph, "Gemm", {input, layer.name + "/kernel", layer.name + "/bias"}, layer.name + "/gemm");
}

}  // namespace

std::string onnx_model_bytes(const nn::Network& network, const std::string& model_name) {
  onnx::ModelProto model;
  model.set_ir_version(7);  // the IR of opset 13 (ONNX 1.8), readable by every current runtime
  model.set_producer_name("mnisttrain");
  model.set_producer_version(MNISTTRAIN_VERSION);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  onnx::StringStringEntryProto* note = model.add_metadata_props();
  note->set_key("input");
  note->set_value("raw pixels 0..255 as float32, shape (N, rows, cols); the graph divides by 255 itself");

  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name(model_name);
  std::vector<std::int64_t> input_dims(network.input_shape().begin(), network.input_shape().end());
  set_value_info(graph.add_input(), "pixels", input_dims);

  std::string flow = add_node(graph, "Flatten", {"pixels"}, "flatten");
  add_int_attribute(graph, "axis", 1);
  const float scale = 255.0f;  // as data::scale_pixels: x = pixel / 255
  add_initializer(graph, "pixel_scale", {}, &scale, 1);
  flow = add_node(graph, "Div", {flow, "pixel_scale"}, "scaled");

  const float* params = network.params().data();
  for (const nn::Layer& layer : network.layers()) {
    if (layer.spec.type == LayerType::Dense) flow = add_dense(graph, layer, params, flow);
    if (layer.spec.type == LayerType::Dense || layer.spec.type == LayerType::Activation) {
      flow = add_activation(graph, layer.spec.activation, flow, layer.name);
    }
  }
  // The output gets a fixed name; a network ending in a linear layer needs an Identity for it.
  add_node(graph, "Identity", {flow}, "output");
  set_value_info(graph.add_output(), "output", {static_cast<std::int64_t>(network.output_features())});

  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw Error(std::string("ONNX checker refused the exported graph: ") + e.what());
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw Error("ONNX: could not serialise the model");
  return bytes;
}

}  // namespace mnisttrain::exporting
